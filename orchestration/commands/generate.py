"""`tandem generate`: simulated ERP/CRM/marketing extracts and their ground truth."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from orchestration.commands.common import progress
from orchestration.settings import get_settings


def add_arguments(gen: argparse.ArgumentParser) -> None:
    """The options of `tandem generate`."""
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
    """Generate the sample data, unless the same arguments already wrote it there."""
    from simulator import generate

    settings = get_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    scale = args.scale or settings.scale
    seed = settings.seed if args.seed is None else args.seed
    if _already_generated(out, scale, seed, args):
        # generation is deterministic: the same arguments would write the same bytes again
        progress(f"sample data ({scale}, seed {seed}) already in {out}: nothing to do")
        return 0
    summary = generate(
        out,
        scale=scale,
        seed=seed,
        start=args.start,
        end=args.end,
        daily_drops=args.daily_drops,
        progress=progress,
    )
    files = summary.get("files", {})
    progress(f"wrote {len(files)} files to {out} in {summary.get('seconds', 0):.1f} s")
    return 0
