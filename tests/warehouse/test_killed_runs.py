"""`tandem run` killed part-way, then run again, gives the warehouse of a clean run, with no
manual clean-up; and no dbt process outlives a killed run.

One home with the tiny company's extracts (no warehouse yet) is killed at four points in turn,
each run starting where the last one died: kill -9 while files land, kill -9 while dbt builds,
SIGTERM while dbt builds, kill -9 while the publish writes its copy. A last run finishes; its
serving file must match the session's clean run, table by table.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import psutil
import pytest

from orchestration.run_report import read_last_run
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.conftest import run_tandem
from tests.foundation.alert_servers import smtp_server
from tests.warehouse.conftest import TinyWarehouse

LANDING = re.compile(r" - land_extracts - \[5/\d+\]")  # the fifth file is landing
DBT = re.compile(r" - warehouse_(staging|models) - ")  # a dbt build streams its events


def _home_processes(home: Path) -> list[psutil.Process]:
    """Processes (the CLI, dbt, their helpers) running with ``home`` as TANDEM_HOME."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("TANDEM_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _wait_until_gone(home: Path, seconds: float = 30.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _home_processes(home)
        if not left:
            return []
        time.sleep(0.5)
    return [" ".join(p.cmdline()[:3]) for p in _home_processes(home)]


def _run_until(
    home: Path,
    seen: Callable[[str], bool],
    sig: int,
    timeout: float = 900,
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Start `tandem run` (with ``env`` added), send ``sig`` to it once ``seen(line)`` holds for
    a line it logs (checked every 20 ms too, e.g. for a file appearing); returns its exit code
    and log."""
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run"],
        cwd=REPO_ROOT,
        env={**os.environ, "TANDEM_HOME": str(home), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in process.stderr], daemon=True)
    reader.start()
    log, deadline, sent = [], time.monotonic() + timeout, False
    while process.poll() is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.02)
        except queue.Empty:
            line = ""
        log.append(line)
        if seen(line):
            process.send_signal(sig)
            sent = True
            break
    code = process.wait(timeout=120)
    reader.join(timeout=30)
    while not lines.empty():
        log.append(lines.get())
    assert sent, "the run ended before the kill point:\n" + "".join(log[-20:])
    return code, "".join(log)


def _alerts_to(port: int) -> dict[str, str]:
    """Settings that send a failed run's alert to the local SMTP server on ``port``."""
    return {
        "TANDEM_ALERT_SMTP_HOST": "127.0.0.1",
        "TANDEM_ALERT_SMTP_PORT": str(port),
        "TANDEM_ALERT_SMTP_TO": "ops@example.com",
    }


def _publishing_copy(home: Path) -> Callable[[str], bool]:
    warehouse = home / "warehouse"
    return lambda line: any(warehouse.glob(".tandem.duckdb.*.publishing"))


def _table_rows(path: Path) -> dict[str, int]:
    """Rows per mart and model table (run logs, check history and the landing record grow
    with every run)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            n
            for (n,) in con.execute(
                "select schema_name || '.' || table_name from duckdb_tables()"
                " where schema_name not in ('raw_meta', 'docs', 'quality')"
                " and table_name <> 'model_runs'"
                " order by 1"
            ).fetchall()
        ]
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names}
    finally:
        con.close()


def _content(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (
            con.execute("select * from finance.rpt_revenue_monthly order by all").fetchall()
            + con.execute(
                "select customer_key, customer_name, customer_status from core.dim_customer"
                " order by all"
            ).fetchall()
        )
    finally:
        con.close()


@pytest.fixture
def fresh_home(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> TandemSettings:
    """The tiny company's extracts in a home of their own, nothing landed yet."""
    settings = TandemSettings(home=tmp_path / "home")
    settings.ensure_dirs()
    shutil.rmtree(settings.landing_dir)
    shutil.copytree(tiny_warehouse.extracts, settings.landing_dir)
    return settings


def test_killed_runs_recover_to_the_clean_warehouse(
    tiny_warehouse: TinyWarehouse, fresh_home: TandemSettings
) -> None:
    home = fresh_home.root
    kills = [
        ("landing", lambda line: bool(LANDING.search(line)), signal.SIGKILL),
        ("dbt", lambda line: bool(DBT.search(line)), signal.SIGKILL),
        ("dbt (SIGTERM)", lambda line: bool(DBT.search(line)), signal.SIGTERM),
        ("publish copy", _publishing_copy(home), signal.SIGKILL),
    ]
    for point, seen, sig in kills:
        if sig == signal.SIGTERM:
            # a stop someone asked for is said and recorded, and alerts no one
            with smtp_server() as (port, inbox):
                code, log = _run_until(home, seen, sig, env=_alerts_to(port))
            assert "tandem run: interrupted" in log  # one line, no traceback
            assert inbox == []
            report = read_last_run(fresh_home.warehouse_dir)
            assert report is not None and report["status"] == "interrupted", report
            assert "stopped on request" in report["message"]
        else:
            code, log = _run_until(home, seen, sig)
        assert code != 0, f"killed at {point} yet exited 0"
        # no dbt (nor anything else of this home) outlives the killed CLI
        assert _wait_until_gone(home) == [], f"left running after a kill at {point}"

    completed = run_tandem("run", "--json", env={"TANDEM_HOME": str(home)}, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    # the last kill came after the build passed its gate: this run publishes it, unbuilt
    stages = [s["stage"] for s in json.loads(completed.stdout)["stages"]]
    assert stages == ["gated_build", "quality_gate", "serving_warehouse"], stages
    clean = tiny_warehouse.settings.serving_db
    assert _table_rows(fresh_home.serving_db) == _table_rows(clean)
    assert _content(fresh_home.serving_db) == _content(clean)
    # nothing left over: no publish copies, no run left STARTED
    assert [p.name for p in fresh_home.warehouse_dir.glob(".*")] == []
    with dg.DagsterInstance.from_config(str(fresh_home.dagster_home)) as instance:
        started = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    assert started == []


# a stand-in for a full disk that needs no root: the kernel refuses to grow any file past this
# size with EFBIG, as it refuses a write on a full disk with ENOSPC (SIGXFSZ ignored, so the
# write fails instead of killing the process)
FILE_SIZE_LIMIT = 6 * 1024 * 1024


def _limit_file_size() -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_no_room_to_write_ends_in_one_line_and_the_json_summary(
    fresh_home: TandemSettings,
) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--json"],
        cwd=REPO_ROOT,
        env={**os.environ, "TANDEM_HOME": str(fresh_home.root)},
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr[-3000:]
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith(f"tandem run: no room to write under {fresh_home.root} ("), last
    assert "free disk space there" in last
    assert "Traceback" not in completed.stderr.split("\n tandem run:")[0][-2000:]
    summary = json.loads(completed.stdout)
    assert summary["status"] == "failure"
    # what landed before the limit is intact: the build file opens and its ledger reads
    con = duckdb.connect(str(fresh_home.build_db), read_only=True)
    try:
        landed = con.execute(
            "select count(*) from raw_meta.file_ledger where status = 'landed'"
        ).fetchone()[0]
    finally:
        con.close()
    assert landed >= 1
    assert _wait_until_gone(fresh_home.root) == []
