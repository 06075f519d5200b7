"""The `tandem` command line: one entry point for generating, landing, building and serving.

Each command lives in ``orchestration/commands/``: its arguments (``add_arguments``) and its
handler (``cmd_*``); this module only assembles the parser and reports errors.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence

from orchestration.commands import bench as bench_command
from orchestration.commands import docs as docs_command
from orchestration.commands import export_segment as export_command
from orchestration.commands import generate as generate_command
from orchestration.commands import run as run_command
from orchestration.commands import serve as serve_command
from orchestration.commands import users as users_command
from orchestration.commands.common import CommandError
from orchestration.commands.docs import DocsError
from orchestration.interrupts import note_terminated
from orchestration.no_room import disk_full, no_room_message
from orchestration.settings import get_settings


def build_parser() -> argparse.ArgumentParser:
    """The `tandem` parser with every command and its handler."""
    parser = argparse.ArgumentParser(
        prog="tandem",
        description="Tandem: ERP + CRM extracts into one customer and finance warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write simulated ERP/CRM/marketing extracts + truth")
    generate_command.add_arguments(gen)
    gen.set_defaults(handler=generate_command.cmd_generate)

    for name, text in run_command.COMMANDS:
        cmd = sub.add_parser(name, help=text)
        run_command.add_arguments(cmd, name)
        cmd.set_defaults(handler=run_command.cmd_pipeline)

    serve = sub.add_parser("serve", help="serve the dashboards on the published warehouse")
    serve_command.add_arguments(serve)
    serve.set_defaults(handler=serve_command.cmd_serve)

    docs = sub.add_parser("docs", help="generate (and serve) the dbt docs of the warehouse")
    docs_command.add_arguments(docs)
    docs.set_defaults(handler=docs_command.cmd_docs)

    export = sub.add_parser("export-segment", help="export a segment's consented contacts")
    export_command.add_arguments(export)
    export.set_defaults(handler=export_command.cmd_export_segment)
    users = sub.add_parser("users", help="add, remove or reset dashboard users")
    users_command.add_arguments(users)
    users.set_defaults(handler=users_command.cmd_users)

    bench = sub.add_parser("bench", help="benchmark the pipeline stages (docs/BENCHMARKS.md)")
    bench_command.add_arguments(bench)
    bench.set_defaults(handler=bench_command.cmd_bench)
    return parser


def _no_room_message(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return no_room_message(get_settings().root, first)


def _terminated(signum: int, frame: object) -> None:
    # a supervisor's SIGTERM ends the command like Ctrl+C: Dagster forwards the interrupt to
    # dbt and the run ends with one line (dbt children also die with this process, see
    # orchestration/bin/dbt-child). Dagster turns the interrupt inside a step into a failed
    # step, so the signal is also noted for the command to say "interrupted" afterwards.
    note_terminated()
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _terminated)
    try:
        return args.handler(args)
    except (CommandError, DocsError, ValueError, LookupError, FileNotFoundError) as error:
        print(f"tandem {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"tandem {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        no_room = disk_full(error)
        if no_room is None:
            raise
        message = _no_room_message(no_room)
        if getattr(args, "json", False):
            summary = {"command": args.command, "status": "failure", "error": message}
            print(json.dumps(summary, ensure_ascii=False, indent=2))
        print(f"tandem {args.command}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
