"""Measure one child process: wall time, CPU time and peak resident memory.

Every stage runs in its own child so the figures belong to that stage alone: CPU time and the
largest single-process RSS come from ``os.wait4`` (the child's own rusage, including the
grandchildren it waited for, such as the dbt subprocess under Dagster), and the RSS of the whole
process tree is polled with psutil because ``ru_maxrss`` reports one process, not a sum.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

# Poll often enough to catch short peaks of sub-second stages without costing a core.
POLL_SECONDS = 0.05


class ChildFailed(RuntimeError):
    """A measured child process exited non-zero; the message carries its last log lines."""


@dataclass(frozen=True)
class Measurement:
    """Resources one child process used."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        total += process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue  # a grandchild that just exited
    except psutil.Error:
        return 0
    return total


def measure_child(
    command: Sequence[str], env: dict[str, str], cwd: Path, log_path: Path
) -> Measurement:
    """Run ``command`` to completion and measure it; raise :class:`ChildFailed` if it fails."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=log, stderr=log)
        watched = psutil.Process(proc.pid)
        peak_tree = 0
        while True:
            # wait4 instead of Popen.wait: it returns this child's own resource usage
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            peak_tree = max(peak_tree, _tree_rss(watched))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        raise ChildFailed(
            f"{' '.join(command[:4])} ... exited with {proc.returncode}; log {log_path}:\n"
            + "\n".join(tail)
        )
    # ru_maxrss is KiB on Linux
    peak_mb = max(peak_tree / 2**20, usage.ru_maxrss / 1024)
    return Measurement(
        wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(peak_mb, 1),
    )


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max of repeated measurements (and how many there were)."""
    if not values:
        raise ValueError("no values to summarise")
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "n": len(values),
    }
