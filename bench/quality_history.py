"""Give a bench home a history of quality-check results, so the Data quality page is timed with
data (``bench.bench_pages``).

Usage:
    TANDEM_HOME=/path/to/bench/home python -m bench.quality_history \
        --source /path/to/other/home/warehouse/tandem.duckdb [--runs 90]

A medium home built before the quality gate existed (or copied without its history) has no
``quality.check_results``, and the page then shows "no check has run" instead of its two
tables. This copies the newest run's results from ``--source`` (a serving file where a real
pipeline run wrote them, such as the tiny company's of the page tests) into the bench home's
serving file, as ``--runs`` daily runs ending at that run: the same checks, names, layers,
statuses and messages a real run records (their number depends on the models and sources, not
on the company's size), so both tables have the length they have after a quarter of daily
runs. Row counts stay those of the source run. It writes the serving file in place: use it on
a copy of a shared home only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from data_tests.check_results import CHECK_RESULTS, CheckResult, load, store
from orchestration.settings import get_settings


def newest_run(source: Path) -> list[CheckResult]:
    """Every check result of the newest run recorded in ``source`` (read-only)."""
    with duckdb.connect(str(source), read_only=True) as con:
        run_id = con.execute(f"select arg_max(run_id, checked_at) from {CHECK_RESULTS}").fetchone()[
            0
        ]
        if run_id is None:
            raise SystemExit(f"{source} holds no check results")
        return load(con, run_id)


def daily_runs(results: list[CheckResult], runs: int) -> list[CheckResult]:
    """``results`` repeated as ``runs`` runs one day apart, the newest keeping its time."""
    history = []
    for back in range(runs):
        run_id = f"bench-history-{back:03d}"
        shift = dt.timedelta(days=back)
        history.extend(
            dataclasses.replace(result, run_id=run_id, checked_at=result.checked_at - shift)
            for result in results
        )
    return history


def main() -> None:
    """Write the history into the serving file of ``TANDEM_HOME``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=90)
    args = parser.parse_args()
    results = newest_run(args.source)
    history = daily_runs(results, args.runs)
    target = get_settings().serving_db
    rows = pa.Table.from_pylist([dataclasses.asdict(result) for result in history])
    with duckdb.connect(str(target)) as con:
        con.execute(f"drop table if exists {CHECK_RESULTS}")  # a re-run replaces, not doubles
        store(con, [])  # the quality gate's own table definition
        # in one statement: the gate's row-by-row insert takes minutes for 60,000 rows
        con.register("history", rows)
        con.execute(f"insert into {CHECK_RESULTS} by name select * from history")
        written = con.execute(f"select count(*) from {CHECK_RESULTS}").fetchone()[0]
    print(f"{target}: {written} check results, {args.runs} runs of {len(results)} checks")


if __name__ == "__main__":
    main()
