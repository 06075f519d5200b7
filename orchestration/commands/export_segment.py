"""`tandem export-segment NAME --format csv|xlsx|hashed --out FILE` (and `--definition YAML`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the saved segment to export")
    parser.add_argument("--format", choices=["csv", "xlsx", "hashed"], default="csv")
    parser.add_argument("--out", required=True, help="file to write")
    parser.add_argument(
        "--definition",
        help="a segment YAML file: saved first as the next version of NAME, then exported",
    )
    parser.add_argument(
        "--user", default=None, help="who the export log names (default: the login name)"
    )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_export_segment(args: argparse.Namespace) -> int:
    from dashboards.segments.definition import from_yaml
    from dashboards.segments.export import export_segment
    from dashboards.segments.store import load_segment, save_segment

    user = args.user or getpass.getuser()
    if args.definition:
        definition = from_yaml(Path(args.definition).read_text(encoding="utf-8"))
        if definition.name != args.name:
            raise ValueError(f"{args.definition} defines {definition.name!r}, not {args.name!r}")
        saved = save_segment(definition, user)
        _progress(f"saved {saved.definition.name} as version {saved.version}")
    else:
        saved = load_segment(args.name)
    result = export_segment(saved, args.format, Path(args.out), user, progress=_progress)
    print(
        f"{result.segment} v{result.version}: {result.row_count:,} consented contacts"
        f" -> {result.path} ({result.format}, sha256 {result.sha256})"
    )
    return 0
