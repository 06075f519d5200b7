"""`tandem land`, `tandem build` and `tandem run`: the pipeline through Dagster, in this process."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from orchestration.commands.common import CommandError, progress, stdout_to_stderr
from orchestration.commands.summary import RunSummary, StageSummary
from orchestration.interrupts import stop_requested
from orchestration.no_room import is_no_room_message
from orchestration.settings import get_settings

# file names listed per fate in the text summary (the JSON summary lists all)
SHOWN_FILES = 8
COMMANDS = (
    ("land", "land new extract files (default: TANDEM_HOME/landing) into raw tables"),
    ("build", "build the warehouse (dbt) and the models from what has landed"),
    ("run", "land + build + publish, through Dagster, in this process"),
)


def add_arguments(cmd: argparse.ArgumentParser, name: str) -> None:
    """The options of `tandem land|build|run` (``name``)."""
    cmd.add_argument("--json", action="store_true", help="print a machine-readable summary")
    if name == "run":
        cmd.add_argument(
            "--full-refresh",
            action="store_true",
            help="build and publish even when nothing new landed since the last publish, and "
            "rebuild dbt's incremental models from all of raw (dbt --full-refresh)",
        )
    if name == "land":
        cmd.add_argument("dir", nargs="?", help="folder to land (default: landing/)")
        cmd.add_argument(
            "--backfill",
            action="store_true",
            help="land every drops/YYYY-MM-DD folder as its own Dagster partition, in order",
        )


def print_summary(summary: RunSummary, as_json: bool) -> None:
    """A run summary as JSON on stdout, or as a table on stderr."""
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    for stage in summary.stages:
        problems = f"  ({'; '.join(stage.problems)})" if stage.problems else ""
        rows = "" if stage.rows is None else f"{stage.rows:,} rows"
        progress(
            f"{stage.stage:<28} {stage.status:<9} {rows:>16} {stage.seconds:>8.1f} s{problems}"
        )
        for fate, files in stage.files.items():
            if fate == "quarantined":
                continue  # already among the problems
            shown = ", ".join(files[:SHOWN_FILES])
            more = (
                f" and {len(files) - SHOWN_FILES} more (see --json)"
                if len(files) > SHOWN_FILES
                else ""
            )
            progress(f"{'':<28} {fate}: {len(files)} file(s): {shown}{more}")
    progress(f"{summary.command}: {summary.status} in {summary.seconds:.1f} s")


def up_to_date_summary() -> RunSummary | None:
    """A run summary saying why nothing is built, or None when the run must build."""
    import time

    from orchestration.uptodate import last_publish, why_rebuild

    started = time.perf_counter()
    settings = get_settings()
    if why_rebuild(settings) is not None:
        return None
    when = last_publish(settings)
    reason = (
        f"nothing new to land and nothing changed since the last publish ({when:%Y-%m-%d %H:%M} "
        "UTC): the warehouse is up to date; `tandem run --full-refresh` rebuilds anyway"
    )
    seconds = round(time.perf_counter() - started, 3)
    stage = StageSummary("up_to_date", "skipped", seconds, problems=[reason])
    return RunSummary("run", "success", "", seconds, [stage])


@dataclass(frozen=True)
class GatedBuild:
    run_id: str
    stage: StageSummary


def gated_build_note() -> GatedBuild | None:
    """A build whose gate passed but which was never published (its run was stopped or failed
    in publish): the run publishes it instead of rebuilding."""
    from orchestration.uptodate import gated_build_waiting

    record = gated_build_waiting(get_settings())
    if record is None:
        return None
    reason = (
        f"the build that passed its checks at {record['gated_at']} UTC (run "
        f"{str(record['run_id'])[:8]}) was not published and nothing changed since: the gate "
        "checks it again and it is published without rebuilding; `tandem run --full-refresh` "
        "rebuilds anyway"
    )
    progress(f"tandem run: {reason}")
    stage = StageSummary("gated_build", "reused", 0.0, problems=[reason])
    return GatedBuild(str(record["run_id"]), stage)


def cmd_pipeline(args: argparse.Namespace) -> int:
    """Run `tandem land|build|run`; raise CommandError naming the stage that failed."""
    from orchestration.commands.preflight import NothingToBuild, check_home

    if get_settings().move_legacy_build():
        progress(f"tandem {args.command}: moved warehouse/build.duckdb to warehouse/build/")
    if args.command in ("run", "build"):
        # seconds, before dbt and Dagster load: an empty home is said at once
        try:
            for warning in check_home(args.command, get_settings()):
                progress(f"tandem {args.command}: warning: {warning}")
        except NothingToBuild as empty:
            raise CommandError(str(empty)) from None
    gated = None
    if args.command == "run" and not args.full_refresh:
        skipped = up_to_date_summary()
        if skipped is not None:
            print_summary(skipped, args.json)
            return 0
        gated = gated_build_note()
    # Dagster and dbt load only now (about 5 CPU s): the checks above answer without them
    from orchestration.commands.land import backfill_drops, execute_land
    from orchestration.commands.pipeline import execute

    # dbt and Dagster write progress to stdout; keep stdout for the JSON summary alone
    with stdout_to_stderr():
        if args.command == "land" and args.backfill:
            summaries = backfill_drops(log_level="INFO")
            if not summaries:
                raise CommandError("no drops/YYYY-MM-DD folders under the landing folder")
        elif args.command == "land":
            summaries = [execute_land(Path(args.dir) if args.dir else None, log_level="INFO")]
        else:
            full_refresh = getattr(args, "full_refresh", False)
            summaries = [
                execute(
                    args.command,
                    log_level="INFO",
                    full_refresh=full_refresh,
                    gated_run_id=gated.run_id if gated else None,
                )
            ]
            if gated:
                summaries[0].stages.insert(0, gated.stage)
    for summary in summaries:
        print_summary(summary, args.json)
    failed_run = next((summary for summary in summaries if summary.failed), None)
    if failed_run and (stop_requested() or failed_run.status == "interrupted"):
        raise KeyboardInterrupt  # a stop someone asked for, not a step that broke
    if failed_run:
        no_room = next(
            (p for s in failed_run.stages for p in s.problems if is_no_room_message(p)), None
        )
        if no_room:
            # a full disk says so in one line, even when a check or step failed after it
            raise CommandError(no_room)
        if failed_run.quality.get("message"):
            # which check failed, on which rows, and what to do: the last line says it all
            raise CommandError(failed_run.quality["message"])
        failed = next((s for s in failed_run.stages if s.status != "success"), None)
        stage = failed.stage if failed else "?"
        reason = failed.problems[0] if failed and failed.problems else "see the log above"
        raise CommandError(f"{args.command} failed at {stage}: {reason}")
    return 0
