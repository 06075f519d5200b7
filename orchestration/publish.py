"""Publishing: make the newest build visible to readers in one atomic step.

DuckDB allows one writer per file, and a writer blocks even read-only opens from other processes.
So readers never open the build file. Publishing checkpoints and closes the build, copies it next
to the serving file and ``os.replace``-s the copy onto the serving path: a reader that already had
the old file open keeps its inode (old data, consistent), the next open sees the new build, and no
process ever holds a write lock on the serving file.

The serving file is published read-only on disk (mode 0444): a reader that forgets
``read_only=True`` gets a permission error instead of a write lock that would block the
dashboards (a process running as root is not stopped by file modes). A publish killed part-way
leaves a ``.<name>.<pid>.publishing`` copy; the next publish removes those whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

# the serving file's mode: readable by all, writable by none
SERVING_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class PublishResult:
    serving_path: Path
    bytes: int
    seconds: float
    stale_removed: tuple[str, ...] = ()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_copies(serving_path: Path) -> list[Path]:
    """Delete publish copies left by killed publishes (their process no longer runs)."""
    pattern = re.compile(rf"\.{re.escape(serving_path.name)}\.(\d+)\.publishing")
    removed = []
    if not serving_path.parent.is_dir():
        return removed
    for path in serving_path.parent.iterdir():
        found = pattern.fullmatch(path.name)
        if found and int(found.group(1)) != os.getpid() and not _pid_alive(int(found.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the database file and release the file."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish(build_path: Path, serving_path: Path) -> PublishResult:
    """Atomically replace ``serving_path`` with a consistent copy of ``build_path``."""
    started = time.perf_counter()
    if not build_path.exists():
        raise FileNotFoundError(f"no build to publish at {build_path}: run `tandem build` first")
    checkpoint(build_path)
    wal = build_path.with_name(build_path.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after checkpoint: another process holds the build")
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    stale = remove_stale_copies(serving_path)
    staging = serving_path.with_name(f".{serving_path.name}.{os.getpid()}.publishing")
    try:
        staging.unlink(missing_ok=True)  # a read-only copy of an earlier attempt in this process
        shutil.copyfile(build_path, staging)
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(staging, SERVING_MODE)
        os.replace(staging, serving_path)
    finally:
        staging.unlink(missing_ok=True)
    dir_fd = os.open(serving_path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)
    return PublishResult(
        serving_path,
        serving_path.stat().st_size,
        time.perf_counter() - started,
        tuple(p.name for p in stale),
    )
