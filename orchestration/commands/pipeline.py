"""`tandem land | build | run`: execute parts of the Dagster graph in this process.

Runs go through Dagster (with the instance under ``TANDEM_HOME/dagster``), so they show up in the
Dagster UI exactly like scheduled runs.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

import dagster as dg

from orchestration.commands.summary import RunSummary, StageSummary
from orchestration.dbt_manifest import ensure_manifest
from orchestration.interrupts import stop_requested
from orchestration.no_room import no_room_message, says_no_room
from orchestration.run_report import write_last_run
from orchestration.settings import get_settings

ROW_METADATA_KEYS = ("rows", "rows_landed", "dagster/row_count")
# landing metadata key -> the file fate it lists in a stage summary
FILE_LISTS = {
    "files_quarantined": "quarantined",
    "files_failed": "failed",
    "skipped_files": "skipped",
    "files_unmatched": "unmatched",
    "quarantine_open": "still_quarantined",  # from any run, until a good version lands
}


def _metadata_list(value: Any) -> list[str]:
    return list(getattr(value, "value", value) or [])


def _rows_from_metadata(metadata: dict[str, Any]) -> int | None:
    values = [metadata[key] for key in ROW_METADATA_KEYS if key in metadata]
    if not values:
        return None
    return sum(int(getattr(value, "value", value) or 0) for value in values)


# run tags that say which process runs an in-process run, so a later run can tell a killed one
PID_TAG = "tandem/pid"
HOST_TAG = "tandem/host"
_LOG = logging.getLogger("tandem")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_stale_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark runs of this instance left STARTED by a killed `tandem` process as failed.

    Only runs tagged with a process id on this host whose process is gone: a run the Dagster
    daemon or `dagster dev` is executing carries no such tag and is never touched.
    """
    stale = []
    records = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    for run in records:
        pid = run.tags.get(PID_TAG, "")
        if not pid.isdigit() or int(pid) == os.getpid() or _process_alive(int(pid)):
            continue
        message = f"process {pid} that ran it is gone (killed); marked failed by a later run"
        instance.report_run_failed(run, message)
        _LOG.warning("run %s (%s) was left STARTED: %s", run.run_id, run.job_name, message)
        stale.append(run.run_id)
    return stale


def _selection(command: str) -> dg.AssetSelection:
    raw = dg.AssetSelection.groups("raw")
    serving = dg.AssetSelection.groups("serving")
    if command == "land":
        return raw
    if command == "publish":
        return serving
    if command == "build":
        return dg.AssetSelection.all() - raw - serving
    return dg.AssetSelection.all()


def execute(
    command: str,
    log_level: str = "INFO",
    ops_config: dict[str, Any] | None = None,
    full_refresh: bool = False,
    gated_run_id: str | None = None,
) -> RunSummary:
    """Materialize the assets behind ``command`` (land, build or run) and summarise each step.

    ``ops_config`` is passed as the run's ``ops`` config (e.g. another landing folder);
    ``full_refresh`` tags the run so that dbt rebuilds its incremental models from all of raw.
    ``gated_run_id``: a `run` that publishes the build that run's quality gate passed
    (:func:`orchestration.uptodate.gated_build_waiting`), after the gate checks it again.
    """
    settings = get_settings()
    settings.move_legacy_build()
    settings.ensure_dirs()
    settings.export_tool_env()
    ensure_manifest()
    # imported late: the definitions load the manifest just prepared
    from orchestration.assets.warehouse import FULL_REFRESH_TAG
    from orchestration.definitions import defs

    selection = _selection("publish" if gated_run_id else command)
    job = dg.define_asset_job(f"tandem_{command}", selection=selection).resolve(
        asset_graph=defs.resolve_asset_graph()
    )
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        fail_stale_runs(instance)
        result = job.execute_in_process(
            instance=instance,
            resources=defs.resources,
            raise_on_error=False,
            tags={
                PID_TAG: str(os.getpid()),
                HOST_TAG: socket.gethostname(),
                **({FULL_REFRESH_TAG: "true"} if full_refresh else {}),
            },
            run_config={
                "loggers": {"console": {"config": {"log_level": log_level}}},
                **({"ops": ops_config} if ops_config else {}),
            },
        )
        stages = stage_summaries(instance, result)
        # a stop someone asked for (SIGTERM, Ctrl+C), not a broken step
        interrupted = not result.success and (stop_requested() or _interrupted(result))
        quality = {}
        if command == "run" or not result.success:
            # record the run's check results, say what blocked it, alert on failure
            from orchestration.quality_gate import after_run

            quality = after_run(instance, result.run_id, settings, result.success, interrupted)
            if command == "run":
                write_last_run(settings.warehouse_dir, result.run_id, result.success, quality)
    status = "success" if result.success else "interrupted" if interrupted else "failure"
    return RunSummary(
        command=command,
        status=status,
        run_id=result.run_id,
        seconds=round(time.perf_counter() - started, 3),
        stages=stages,
        quality=quality,
    )


def _no_room(error: Any) -> str | None:
    """The first line of an error in the chain that says a write found no room, else None: a
    failed write is often followed by a second error (a rollback with no transaction left)
    that would otherwise hide it."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for line in (current.message or "").splitlines():
            if says_no_room(line):
                return no_room_message(get_settings().root, line.strip())
        pending.extend([current.cause, getattr(current, "context", None)])
    return None


def _interrupted(result: Any) -> bool:
    """Whether a step failed because the process was told to stop: Dagster's own signal
    handler turns SIGTERM or Ctrl+C inside a step into DagsterExecutionInterruptedError."""
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        pending = [event.event_specific_data.error]
        while pending:
            error = pending.pop()
            if error is None:
                continue
            if error.cls_name == "DagsterExecutionInterruptedError":
                return True
            pending.extend([error.cause, getattr(error, "context", None)])
    return False


def _root_cause(error: Any) -> str:
    """The first line of the innermost error: the user's exception, not Dagster's wrapper."""
    no_room = _no_room(error)
    if no_room is not None:
        return no_room
    while error is not None and error.cause is not None:
        error = error.cause
    lines = [line.strip() for line in (error.message if error else "").splitlines() if line.strip()]
    if not lines:
        return "step failed"
    # a dg.Failure raised on purpose already says it for a person: drop Dagster's class path
    return lines[0].removeprefix("dagster._core.definitions.events.Failure: ")


def stage_summaries(instance: dg.DagsterInstance, result: Any) -> list[StageSummary]:
    rows: dict[str, int] = {}  # steps absent here reported no row counts
    problems: dict[str, list[str]] = {}
    files: dict[str, dict[str, list[str]]] = {}
    for event in result.all_events:
        step = event.step_key
        if step is None:
            continue
        if event.is_step_materialization:
            materialization = event.event_specific_data.materialization
            metadata = dict(materialization.metadata)
            counted = _rows_from_metadata(metadata)
            if counted is not None:
                rows[step] = rows.get(step, 0) + counted
            # the quality gate's warnings publish, and are said
            for warning in _metadata_list(metadata.get("quality_warnings")):
                problems.setdefault(step, []).append(f"warning: {warning}")
            for key, fate in FILE_LISTS.items():
                listed = files.setdefault(step, {}).setdefault(fate, [])
                for file in _metadata_list(metadata.get(key)):
                    if file in listed:
                        continue  # unmatched files are named by every raw asset
                    listed.append(file)
                    if fate == "quarantined":
                        problems.setdefault(step, []).append(
                            f"quarantined {file} (see quarantine/)"
                        )
                    elif fate == "unmatched":
                        problems.setdefault(step, []).append(
                            f"unmatched {file}: no contract claims it; left in landing/"
                        )
        elif event.is_step_failure:
            problems.setdefault(step, []).append(_root_cause(event.event_specific_data.error))
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                # the failed rules with their columns and example rows, not only the suite
                failures = (evaluation.metadata or {}).get("failures")
                detail = str(getattr(failures, "value", failures) or "")
                problems.setdefault(step, []).append(
                    f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} "
                    "failed" + (f": {detail}" if detail and detail != "none" else "")
                )
    summaries = []
    for stats in instance.get_run_step_stats(result.run_id):
        seconds = (stats.end_time or 0) - (stats.start_time or 0) if stats.start_time else 0.0
        summaries.append(
            StageSummary(
                stage=stats.step_key,
                status=stats.status.value.lower() if stats.status else "unknown",
                seconds=round(max(seconds, 0.0), 3),
                rows=rows.get(stats.step_key),
                problems=problems.get(stats.step_key, []),
                files={k: v for k, v in files.get(stats.step_key, {}).items() if v},
            )
        )
    return summaries
