"""`tandem bench`: measure the pipeline stages and comparisons, save JSON, update the report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchestration.settings import REPO_ROOT

RESULTS_DIR = REPO_ROOT / "bench" / "results"
REPORT = REPO_ROOT / "docs" / "BENCHMARKS.md"
PLOT = REPO_ROOT / "docs" / "benchmarks.png"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip() and name != "none"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `tandem bench`."""
    parser.add_argument(
        "--scale",
        choices=["tiny", "small", "medium", "large"],
        default="small",
        help="sample-data scale to benchmark (default: small)",
    )
    parser.add_argument("--seed", type=int, default=42, help="sample-data seed (default: 42)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="repetitions per stage and ratio (default: 3)"
    )
    parser.add_argument(
        "--stages",
        default=None,
        help="comma-separated stages to measure, e.g. generate,land,dbt_build,model,publish,page "
        "(default: all; `model` / `page` select every model asset / dashboard page)",
    )
    parser.add_argument(
        "--ratios",
        default=None,
        help="comma-separated ratios, e.g. dbt_vs_raw_sql,incremental_vs_full, or `none` "
        "(default: all)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS_DIR,
        help="where <scale>-<timestamp>.json goes (default: bench/results)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=REPORT,
        help="Markdown report to update (default: docs/BENCHMARKS.md)",
    )
    parser.add_argument("--no-report", action="store_true", help="only write the JSON result")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch folder (default: a new temporary folder, removed afterwards)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--json", action="store_true", help="print the result JSON on stdout")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark; a failed stage is reported in the result and exits non-zero."""
    # `bench` is not packaged (pyproject lists the runtime packages only); the project's editable
    # install puts the repository root on the path, so it imports from a checkout.
    from bench.report import publish_report, save_result
    from bench.run import run_bench

    result = run_bench(
        args.scale,
        seed=args.seed,
        repeat=args.repeat,
        stages=_names(args.stages),
        ratios=_names(args.ratios),
        work=args.work,
        keep=args.keep or args.work is not None,
        progress=_progress,
    )
    path = save_result(result, args.results_dir)
    _progress(f"wrote {path}")
    if not args.no_report:
        plot = args.report.parent / "benchmarks.png" if args.report != REPORT else PLOT
        plotted = publish_report(args.results_dir, args.report, plot)
        _progress(f"updated {args.report}" + ("" if plotted else " (no plot: no matplotlib)"))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    failed = [s for s in result["stages"] if s["status"] == "failed"]
    failed += [r for r in result["ratios"] if r["status"] == "failed"]
    if failed:
        first = failed[0]
        name = first.get("stage") or first.get("ratio")
        print(f"tandem bench: {name} failed: {first['note'].splitlines()[0]}", file=sys.stderr)
        return 1
    return 0
