"""The last pipeline run's outcome, kept beside the serving file for readers.

A blocked or failed run leaves the serving file at the last good build, so the check results it
recorded reach the dashboards only with the next good publish. This small JSON file says at once
that the newest run did not publish, when, why, and which checks stopped it; the Data quality
page reads it (plain JSON: no lock, no Dagster import).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

FILE_NAME = "last_run.json"


def last_run_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / FILE_NAME


def write_last_run(
    warehouse_dir: Path, run_id: str, success: bool, quality: dict[str, Any]
) -> Path:
    """Write the run's outcome (``success``, ``blocked``, ``interrupted`` or ``failed``)
    atomically."""
    if success:
        status = "success"
    elif quality.get("blocked"):
        status = "blocked"
    else:
        status = "interrupted" if quality.get("interrupted") else "failed"
    report = {
        "run_id": run_id,
        "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "status": status,
        "message": quality.get("message"),
        "failed_checks": quality.get("failed_checks", []),
        "warnings": len(quality.get("warnings", [])),
    }
    target = last_run_path(warehouse_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{FILE_NAME}.{os.getpid()}")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, target)
    return target


def read_last_run(warehouse_dir: Path) -> dict[str, Any] | None:
    """The last run's outcome, or None when no run wrote one (or the file is unreadable)."""
    try:
        report = json.loads(last_run_path(warehouse_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and "status" in report else None
