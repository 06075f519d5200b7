"""Recent pipeline runs and their step durations, read from Dagster's run storage.

The SQLite files under ``DAGSTER_HOME/history`` are opened read-only (``mode=ro``) with the
standard library: the page never imports Dagster and never takes a lock a run would wait on.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl

from orchestration.settings import get_settings

_STEP_EVENTS = ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE")


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)


def recent_runs(history: Path | None = None, limit: int = 10) -> pl.DataFrame:
    """The newest runs: job, status, start, seconds and each step's duration."""
    history = history or get_settings().dagster_home / "history"
    empty = pl.DataFrame(
        schema={"run_id": pl.String, "job": pl.String, "status": pl.String, "seconds": pl.Float64}
    )
    if not (history / "runs.db").exists():
        return empty
    with _read_only(history / "runs.db") as con:
        runs = con.execute(
            "select run_id, pipeline_name, status, start_time, end_time from runs "
            "order by create_timestamp desc limit ?",
            [limit],
        ).fetchall()
    rows = []
    for run_id, job, status, start, end in runs:
        rows.append(
            {
                "run_id": run_id[:8],
                "job": job,
                "status": status,
                "started": dt.datetime.fromtimestamp(start, dt.UTC).replace(tzinfo=None)
                if start
                else None,
                "seconds": round(end - start, 1) if start and end else None,
                "steps": _step_durations(history / "runs" / f"{run_id}.db"),
            }
        )
    if not rows:
        return empty
    return pl.DataFrame(rows)


def _step_durations(path: Path) -> str:
    """``step 12.3 s`` for every step of one run, in the order they started."""
    if not path.exists():
        return ""
    marks = ", ".join(f"'{e}'" for e in _STEP_EVENTS)
    with _read_only(path) as con:
        steps = con.execute(
            "select step_key, min(timestamp) filter (where dagster_event_type = 'STEP_START'), "
            "max(timestamp) filter (where dagster_event_type <> 'STEP_START'), "
            "max(dagster_event_type = 'STEP_FAILURE') "
            f"from event_logs where dagster_event_type in ({marks}) and step_key is not null "
            "group by step_key order by 2"
        ).fetchall()
    parts = []
    for step, start, end, failed in steps:
        if start and end:
            took = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
            seconds = took.total_seconds()
            parts.append(f"{step} {seconds:.0f} s" + (" (failed)" if failed else ""))
    return ", ".join(parts)


def unpublished_run(warehouse: Path | None = None) -> dict | None:
    """The newest run when it ended without publishing (blocked or failed), else None."""
    from orchestration.run_report import read_last_run

    report = read_last_run(warehouse or get_settings().warehouse_dir)
    return report if report and report["status"] != "success" else None
