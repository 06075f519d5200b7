"""`tandem land [DIR]`: land extracts through Dagster, optionally from another folder.

Runs the ``raw`` group (``land_extracts`` and the raw quality checks) in this process, with the
folder passed as run config, so the run shows up in the Dagster UI like any other.
"""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg

from orchestration.commands.pipeline import RunSummary, execute, stage_summaries
from orchestration.settings import get_settings


def execute_land(landing_dir: Path | None = None, log_level: str = "INFO") -> RunSummary:
    """Land new files from ``landing_dir`` (default ``TANDEM_HOME/landing``) into the build file."""
    if landing_dir is None:
        return execute("land", log_level=log_level)
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"{landing_dir} is not a folder")
    folder = str(landing_dir.expanduser().resolve())
    return execute(
        "land",
        log_level=log_level,
        ops_config={"land_extracts": {"config": {"landing_dir": folder}}},
    )


def backfill_drops(log_level: str = "INFO") -> list[RunSummary]:
    """Land every drop folder under ``TANDEM_HOME/landing`` as its own partition run, in order."""
    settings = get_settings()
    settings.ensure_dirs()
    settings.export_tool_env()
    from orchestration.assets.landing import backfill_all_drops
    from orchestration.resources import TandemConfig

    summaries = []
    with dg.DagsterInstance.get() as instance:
        started = time.perf_counter()
        for result in backfill_all_drops(instance, TandemConfig()):
            summaries.append(
                RunSummary(
                    command="land --backfill",
                    status="success" if result.success else "failure",
                    run_id=result.run_id,
                    seconds=round(time.perf_counter() - started, 3),
                    stages=stage_summaries(instance, result),
                )
            )
            started = time.perf_counter()
    return summaries
