"""Benchmark landing: a full extract into an empty warehouse, then one daily drop on top of it.

Usage:
    python bench/bench_land.py --scale medium [--data DIR] [--drops DIR] [--work DIR] [--keep]

``--data`` is a full extract made by ``tandem generate`` (generated into ``--work`` when absent);
``--drops`` is the ``--daily-drops`` output of the same scale: its drop folder in the middle of the
period is landed on top of the full landing, as a day's drop arrives into a populated warehouse.
Each landing runs in its own child process so its wall time, CPU time (user + system, iconv
included) and peak resident memory (``RUSAGE_CHILDREN`` ``ru_maxrss``) are measured alone.
Results go to ``bench/results/land-<scale>-<timestamp>.json``; Markdown rows are printed for the
"Landing" section of docs/BENCHMARKS.md. Benchmarks report; they do not fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
GOALS = {"full_seconds": 30.0, "drop_seconds": 5.0, "peak_rss_mb": 2048.0}

CHILD = """
import json, sys
from pathlib import Path
from ingestion.landing import land_directory
report = land_directory(Path(sys.argv[1]), Path(sys.argv[2]), quarantine_dir=Path(sys.argv[3]),
                        subdir=sys.argv[4] or None)
Path(sys.argv[5]).write_text(json.dumps({
    "seconds": report.seconds, "rows": report.rows,
    "files": {s: report.count(s) for s in ("landed", "skipped", "quarantined", "failed")},
    "slowest": sorted(([f.file, f.rows, f.seconds] for f in report.files if f.status == "landed"),
                      key=lambda x: -x[2])[:5],
}))
"""


def land_in_child(db: Path, landing: Path, quarantine: Path, subdir: str = "") -> dict:
    """Land once in a child process; return its report plus wall, CPU and peak memory."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(landing), str(quarantine), subdir, str(out)],
        cwd=REPO,
    )
    # wait4 gives this child's own rusage (with the iconv processes it waited for)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"landing failed with exit code {child.returncode}")
    report = json.loads(out.read_text())
    out.unlink()
    cpu = usage.ru_utime + usage.ru_stime
    return {
        **report,
        "wall_seconds": round(wall, 2),
        "landing_seconds": round(report["seconds"], 2),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # KiB on Linux
        "rows_per_second": round(report["rows"] / report["seconds"]) if report["seconds"] else 0,
    }


def middle_drop(drops_dir: Path) -> str:
    folders = sorted(p.name for p in (drops_dir / "drops").iterdir() if p.is_dir())
    return folders[len(folders) // 2]


def main() -> None:
    """Parse arguments, run the two landings, save JSON, print Markdown rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--data", type=Path, help="full extract (default: generate one)")
    parser.add_argument("--drops", type=Path, help="a --daily-drops extract of the same scale")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new one in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tandem-bench-land-"))
    work.mkdir(parents=True, exist_ok=True)
    data = args.data
    if data is None:
        from simulator import generate

        data = work / "extract"
        generate(data, scale=args.scale, seed=42)
    db = work / "build.duckdb"
    db.unlink(missing_ok=True)
    results: dict = {
        "scale": args.scale,
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg()[0],
            "python": platform.python_version(),
        },
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "goals": GOALS,
    }
    results["full"] = land_in_child(db, data, work / "quarantine")
    if args.drops:
        drop = middle_drop(args.drops)
        results["drop"] = {
            "date": drop,
            **land_in_child(db, args.drops, work / "q2", f"drops/{drop}"),
        }
    results["machine"]["load_after"] = os.getloadavg()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"land-{args.scale}-{stamp}.json").write_text(json.dumps(results, indent=2))
    print("| landing | files | rows | wall s | in-landing s | CPU s | peak RSS MB | rows/s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("full", "drop"):
        if name in results:
            r = results[name]
            files = r["files"]["landed"] + r["files"]["quarantined"]
            print(
                f"| {name} | {files} | {r['rows']:,} | {r['wall_seconds']} | "
                f"{r['landing_seconds']} | {r['cpu_seconds']} | {r['peak_rss_mb']} | "
                f"{r['rows_per_second']:,} |"
            )
    if not args.keep and args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
