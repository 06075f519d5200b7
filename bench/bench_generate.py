"""Benchmark sample-data generation: wall time, CPU time and peak memory of one run.

Usage: python bench/bench_generate.py --scale medium [--seed 42] [--out /tmp/x] [--keep]

Generation runs in a child process so its peak RSS (RUSAGE_CHILDREN ru_maxrss) and CPU time are
measured alone. Results go to bench/results/generate-<scale>-<timestamp>.json and one Markdown
table row is printed for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"

CHILD = """
import json, sys
from pathlib import Path
from simulator import generate
summary = generate(Path(sys.argv[1]), scale=sys.argv[2], seed=int(sys.argv[3]),
                   progress=lambda m: print(m, file=sys.stderr, flush=True))
Path(sys.argv[4]).write_text(json.dumps(summary))
"""


def run(scale: str, seed: int, out: Path) -> dict:
    """Generate once in a child process and return the measurements."""
    summary_file = Path(tempfile.mkstemp(suffix=".json")[1])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), scale, str(seed), str(summary_file)],
        cwd=REPO,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"generation failed with exit code {proc.returncode}")
    summary = json.loads(summary_file.read_text())
    summary_file.unlink()
    files = summary["files"]
    return {
        "scale": scale,
        "seed": seed,
        "customers": summary["customers"],
        "order_lines": files["erp/sales_orders.csv"]["rows"],
        "files": len(files),
        "rows": sum(f["rows"] for f in files.values()),
        "megabytes": round(sum(f["bytes"] for f in files.values()) / 1e6, 1),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1
        ),
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": round(after.ru_maxrss / 1024, 0),
        "generator_seconds": summary["seconds"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    """Parse arguments, run, save JSON, print a Markdown row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix=f"tandem-bench-{args.scale}-")) / "data"
    try:
        result = run(args.scale, args.seed, out)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"generate-{args.scale}-{stamp}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {path.relative_to(REPO)}")
    print(
        f"| {result['scale']} | {result['customers']:,} | {result['order_lines']:,} | "
        f"{result['rows']:,} | {result['megabytes']:,} | {result['wall_seconds']} | "
        f"{result['cpu_seconds']} | {result['peak_rss_mb']:.0f} |"
    )


if __name__ == "__main__":
    main()
