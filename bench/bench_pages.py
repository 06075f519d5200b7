"""Benchmark the dashboard pages: cold and warm seconds per page, in AppTest and in Chromium.

Usage:
    TANDEM_HOME=/path/to/home python -m bench.bench_pages [--mode apptest,browser]
        [--pages a,b] [--repeat 3]

Reads the serving file of ``TANDEM_HOME`` read-only; the browser mode adds a bench user to the
home's credentials (so the home must be writable: use a copy of a shared one). Browser: see
``bench/browser_pages.py``. AppTest: each page runs in its own child process:
- cold_process: the first run of the page in a fresh process (empty query cache; the imports of
  the page's own modules, pandas and Plotly included; the process start and ``import
  streamlit`` not): the first reader after a server start;
- cold: the first run of a second ``AppTest`` of the page in that process after emptying the
  query cache (``st.cache_data`` is the process's, shared by every ``AppTest`` as by every
  session of a server), the modules imported: the first reader after a publish;
- warm: the median of later reruns of that ``AppTest`` (the per-build cache is hot, as for every
  reader after the first).
Each ``AppTest`` scans the metadata of every installed package for Streamlit components on its
first run (25-30 s on this loaded machine, once per server start in production, where no page
view pays it); the bench turns that scan off, as the pages use no such component.
A page with section tabs (``dashboards/navigation.py``) is
measured on its first tab; each other tab follows as its own row, cold on an emptied cache and
warm after (AppTest switches a tab through its session-state key, as a click does). Customer
360 is measured with a search typed and a customer chosen (its heavy part). Goals
(issue 16): warm <= 1 s, cold <= 3 s at medium, in both modes. Results go to
``bench/results/pages-<timestamp>.json``; benchmarks report, they never fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dashboards.navigation import DASHBOARD_PAGES, PAGE_BY_ID

REPO = Path(__file__).resolve().parents[1]

RESULTS = REPO / "bench" / "results"
GOALS = {"warm_seconds": 1.0, "cold_seconds": 3.0}


def _checked(app, page: str):
    if app.exception or app.error:
        problems = [e.value for e in app.exception] + [e.value for e in app.error]
        raise RuntimeError(f"{page}: {problems[0]}")
    return app


def child(page: str, repeat: int) -> None:
    """In the child process: a cold run in a new process, a cold run on an empty cache, then
    ``repeat`` warm reruns, then each other tab; print the rows as JSON."""
    import streamlit as st
    from streamlit.components.v2.component_manager import BidiComponentManager

    from bench.child import signed_in_app
    from dashboards.i18n import t
    from dashboards.serving import query

    BidiComponentManager.discover_and_register_components = lambda self, **_: None
    path = REPO / "dashboards" / "views" / f"{page}.py"
    name = query(
        "select customer_name from customer.rpt_customer_360 "
        "order by lifetime_net_revenue desc limit 1"
    ).item(0, 0)

    def first_run(started: float):
        app = _checked(signed_in_app(str(path), 600).run(), page)
        if page == "customer_360":  # the page's work starts with a search
            _checked(app.text_input(key="c360_query").set_value(name).run(), page)
        return app, time.perf_counter() - started

    _, cold_process = first_run(time.perf_counter())
    # the query cache is the process's (every AppTest shares it): emptied, the next run is the
    # first reader after a publish, in a server that has imported its modules already
    st.cache_data.clear()
    app, cold = first_run(time.perf_counter())
    rows = [
        {"page": page, "cold_process": cold_process, "cold": cold, "warm": _warm(app, page, repeat)}
    ]
    # each other section tab: cold on an emptied cache (its queries are its own), then warm
    spec = PAGE_BY_ID[page]
    for label in spec.tabs[1:]:
        st.cache_data.clear()
        app.session_state[spec.tab_key] = t(label)
        started = time.perf_counter()
        _checked(app.run(), page)
        cold = time.perf_counter() - started
        name = f"{page} › {label.rsplit('.', 1)[-1].removeprefix('tab_')}"
        rows.append({"page": name, "cold": cold, "warm": _warm(app, page, repeat)})
    print(json.dumps(rows))


def _warm(app, page: str, repeat: int) -> float:
    """The median of ``repeat`` reruns of the app as it stands."""
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        _checked(app.run(), page)
        warm.append(time.perf_counter() - started)
    return sorted(warm)[len(warm) // 2]


def apptest_rows(pages: list[str], repeat: int) -> list[dict]:
    """Every page in its own child process through AppTest."""
    rows = []
    for page in pages:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", page, "--repeat", str(repeat)],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if completed.returncode != 0:
            rows.append({"page": page, "error": completed.stderr[-1500:]})
            continue
        rows.extend(json.loads(completed.stdout.strip().splitlines()[-1]))
    return rows


def judged(row: dict, mode: str) -> dict:
    """The row with its mode and whether it meets both goals."""
    row = {"mode": mode, **row}
    if "cold" in row and "warm" in row:
        row["meets_goals"] = (
            row["warm"] <= GOALS["warm_seconds"] and row["cold"] <= GOALS["cold_seconds"]
        )
    return row


def markdown(rows: list[dict]) -> str:
    """The results as the table docs/BENCHMARKS.md shows."""
    lines = [
        "| mode | page | first after start s | cold s | warm s | goals |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            error = row["error"].strip().splitlines()[-1][:120]
            lines.append(f"| {row['mode']} | {row['page']} | – | – | – | failed: {error} |")
            continue
        verdict = {True: "met", False: "missed", None: "–"}[row.get("meets_goals")]
        cells = [
            f"{row[key]:.2f}" if key in row else "–" for key in ("cold_process", "cold", "warm")
        ]
        lines.append(f"| {row['mode']} | {row['page']} | {' | '.join(cells)} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    """Measure every page in each mode and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="apptest,browser")
    parser.add_argument("--pages", default=",".join(DASHBOARD_PAGES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    pages, rows = args.pages.split(","), []
    load_before = os.getloadavg()
    for mode in args.mode.split(","):
        if mode == "apptest":
            measured = apptest_rows(pages, args.repeat)
        elif mode == "browser":
            from bench.browser_pages import measure

            measured = measure(pages, args.repeat)
        else:
            raise SystemExit(f"unknown mode {mode!r}: apptest or browser")
        rows.extend(judged(row, mode) for row in measured)
    print(markdown(rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    report = {
        "tandem_home": os.environ.get("TANDEM_HOME"),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "goals": GOALS,
        "pages": rows,
    }
    (RESULTS / f"pages-{stamp}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
