"""The `tandem` command line: one entry point for generating, landing, building and serving."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from orchestration.commands.docs import DocsError
from orchestration.settings import REPO_ROOT, get_settings

# file names listed per fate in the text summary (the JSON summary lists all)
SHOWN_FILES = 8


class CommandError(RuntimeError):
    """A failure to report as one line, with a non-zero exit code."""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout (also by child processes) to stderr meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _already_generated(out: Path, scale: str, seed: int, args: argparse.Namespace) -> bool:
    """True when ``out`` holds a finished dataset made with the same arguments."""
    manifest = out / "truth" / "manifest.json"
    if not manifest.exists():
        return False
    made = json.loads(manifest.read_text(encoding="utf-8"))
    wanted = {"scale": scale, "seed": seed, "daily_drops": args.daily_drops}
    if args.start:
        wanted["start"] = args.start.isoformat()
    if args.end:
        wanted["end"] = args.end.isoformat()
    return all(made.get(key) == value for key, value in wanted.items())


def cmd_generate(args: argparse.Namespace) -> int:
    from simulator import generate

    settings = get_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    scale = args.scale or settings.scale
    seed = settings.seed if args.seed is None else args.seed
    if _already_generated(out, scale, seed, args):
        # generation is deterministic: the same arguments would write the same bytes again
        _progress(f"sample data ({scale}, seed {seed}) already in {out}: nothing to do")
        return 0
    summary = generate(
        out,
        scale=scale,
        seed=seed,
        start=args.start,
        end=args.end,
        daily_drops=args.daily_drops,
        progress=_progress,
    )
    files = summary.get("files", {})
    _progress(f"wrote {len(files)} files to {out} in {summary.get('seconds', 0):.1f} s")
    return 0


def _print_summary(summary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    for stage in summary.stages:
        problems = f"  ({'; '.join(stage.problems)})" if stage.problems else ""
        rows = "" if stage.rows is None else f"{stage.rows:,} rows"
        _progress(
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
            _progress(f"{'':<28} {fate}: {len(files)} file(s): {shown}{more}")
    _progress(f"{summary.command}: {summary.status} in {summary.seconds:.1f} s")


def up_to_date_summary():
    """A run summary saying why nothing is built, or None when the run must build."""
    import time

    from orchestration.commands.pipeline import RunSummary, StageSummary
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


def cmd_pipeline(args: argparse.Namespace) -> int:
    from orchestration.commands.land import backfill_drops, execute_land
    from orchestration.commands.pipeline import execute
    from orchestration.commands.preflight import NothingToBuild, check_home

    if args.command in ("run", "build"):
        # seconds, before dbt and Dagster load: an empty home is said at once
        try:
            for warning in check_home(args.command, get_settings()):
                _progress(f"tandem {args.command}: warning: {warning}")
        except NothingToBuild as empty:
            raise CommandError(str(empty)) from None
    if args.command == "run" and not args.full_refresh:
        skipped = up_to_date_summary()
        if skipped is not None:
            _print_summary(skipped, args.json)
            return 0
    # dbt and Dagster write progress to stdout; keep stdout for the JSON summary alone
    with stdout_to_stderr():
        if args.command == "land" and args.backfill:
            summaries = backfill_drops(log_level="INFO")
            if not summaries:
                raise CommandError("no drops/YYYY-MM-DD folders under the landing folder")
        elif args.command == "land":
            summaries = [execute_land(Path(args.dir) if args.dir else None, log_level="INFO")]
        else:
            summaries = [execute(args.command, log_level="INFO")]
    for summary in summaries:
        _print_summary(summary, args.json)
    failed_run = next((summary for summary in summaries if summary.failed), None)
    if failed_run:
        failed = next((s for s in failed_run.stages if s.status != "success"), None)
        stage = failed.stage if failed else "?"
        reason = failed.problems[0] if failed and failed.problems else "see the log above"
        raise CommandError(f"{args.command} failed at {stage}: {reason}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.ensure_dirs()
    if not settings.serving_db.exists():
        raise CommandError(f"no published warehouse at {settings.serving_db}: run `tandem run`")
    from dashboards.access.credentials import ensure_demo_users

    # `make demo` opens straight away: the first serve creates one demo user per role
    for username, password in ensure_demo_users().items():
        _progress(f"demo user {username}  password {password}")
    env = {**os.environ, **settings.tool_env()}
    port = settings.serve_port if args.port is None else args.port
    url = f"http://{settings.serve_host}:{port}"
    _progress(f"Tandem dashboards: {url}  (Ctrl+C to stop)")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "dashboards" / "app.py"),
        "--server.address",
        settings.serve_host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # readers of a dashboard, not Streamlit developers: no deploy button or dev menu
        "--client.toolbarMode",
        "viewer",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    # become the Streamlit server: a signal sent to `tandem serve` (Ctrl+C, a supervisor's
    # SIGTERM) reaches the server itself, and no orphaned server outlives this command
    os.execve(sys.executable, command, env)
    return 0  # not reached


def _port(text: str) -> int:
    """A TCP port number, for argparse (its error names the option and the allowed range)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use a whole number 1-65535")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem",
        description="Tandem: ERP + CRM extracts into one customer and finance warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write simulated ERP/CRM/marketing extracts + truth")
    gen.add_argument(
        "--scale",
        choices=["tiny", "small", "medium", "large"],
        default=None,
        help="size of the company (default: TANDEM_SCALE or small)",
    )
    gen.add_argument("--seed", type=int, default=None, help="random seed (default: TANDEM_SEED)")
    gen.add_argument("--out", default=None, help="output folder (default: TANDEM_HOME/landing)")
    gen.add_argument("--start", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    gen.add_argument("--end", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    gen.add_argument("--daily-drops", action="store_true", help="one folder per business day")
    gen.set_defaults(handler=cmd_generate)

    for name, text in (
        ("land", "land new extract files (default: TANDEM_HOME/landing) into raw tables"),
        ("build", "build the warehouse (dbt) and the models from what has landed"),
        ("run", "land + build + publish, through Dagster, in this process"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--json", action="store_true", help="print a machine-readable summary")
        if name == "run":
            cmd.add_argument(
                "--full-refresh",
                action="store_true",
                help="build and publish even when nothing new landed since the last publish",
            )
        if name == "land":
            cmd.add_argument("dir", nargs="?", help="folder to land (default: landing/)")
            cmd.add_argument(
                "--backfill",
                action="store_true",
                help="land every drops/YYYY-MM-DD folder as its own Dagster partition, in order",
            )
        cmd.set_defaults(handler=cmd_pipeline)

    serve = sub.add_parser("serve", help="serve the dashboards on the published warehouse")
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port to listen on (default: TANDEM_SERVE_PORT or 8501)",
    )
    serve.set_defaults(handler=cmd_serve)

    from orchestration.commands import docs as docs_command

    docs = sub.add_parser("docs", help="generate (and serve) the dbt docs of the warehouse")
    docs_command.add_arguments(docs)
    docs.set_defaults(handler=docs_command.cmd_docs)

    from orchestration.commands import export_segment as export_command
    from orchestration.commands import users as users_command

    export = sub.add_parser("export-segment", help="export a segment's consented contacts")
    export_command.add_arguments(export)
    export.set_defaults(handler=export_command.cmd_export_segment)
    users = sub.add_parser("users", help="add, remove or reset dashboard users")
    users_command.add_arguments(users)
    users.set_defaults(handler=users_command.cmd_users)
    from orchestration.commands import bench as bench_command

    bench = sub.add_parser("bench", help="benchmark the pipeline stages (docs/BENCHMARKS.md)")
    bench_command.add_arguments(bench)
    bench.set_defaults(handler=bench_command.cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, DocsError, ValueError, LookupError, FileNotFoundError) as error:
        print(f"tandem {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"tandem {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
