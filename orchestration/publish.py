"""Publishing: make the newest build visible to readers in one atomic step.

DuckDB allows one writer per file, and a writer blocks even read-only opens from other processes.
So readers never open the build file. Publishing checkpoints and closes the build, writes what
readers need into a new file next to the serving file (orchestration/serving_content.py) and
``os.replace``-s it onto the serving path: a reader that already had
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
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.serving_content import EVERYTHING, ServingPlan, write_serving_copy

# the serving file's mode: readable by all, writable by none
SERVING_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class PublishResult:
    serving_path: Path
    bytes: int
    seconds: float
    stale_removed: tuple[str, ...] = ()
    tables: int = 0
    build_compacted: bool = False


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
    # the copy and the write-ahead log DuckDB may have left beside it
    pattern = re.compile(rf"\.{re.escape(serving_path.name)}\.(\d+)\.publishing(\.wal)?")
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


# rewrite the build file once a tenth of its blocks is free (left by replaced tables)
COMPACT_FREE_SHARE = 0.1


def free_share(db_path: Path) -> float:
    """The share of ``db_path``'s blocks that are free: space dropped tables left behind."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        total, free = con.execute(
            "select total_blocks, free_blocks from pragma_database_size()"
            " where database_name = current_database()"
        ).fetchone()
    finally:
        con.close()
    return free / total if total else 0.0


def compact(db_path: Path, min_free_share: float = COMPACT_FREE_SHARE) -> bool:
    """Rewrite ``db_path`` into a fresh file when too much of it is free; True when it did.

    dbt replaces every table on each build and DuckDB keeps the freed blocks in the file (it
    reuses some, never returns them), so without this the build file grows run after run. The
    fresh file holds the same catalog and data (``copy from database``) and replaces the old one
    atomically; a copy left by a killed run is overwritten by the next.
    """
    fresh = db_path.with_name(f".{db_path.name}.compacting")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)  # from a compaction that was killed
    if not db_path.exists() or free_share(db_path) < min_free_share:
        return False
    con = duckdb.connect(":memory:")
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{_sql_text(db_path)}' as src (read_only)")
        con.execute(f"attach '{_sql_text(fresh)}' as fresh")
        con.execute("copy from database src to fresh")
        con.execute("detach fresh")
        con.execute("detach src")
    finally:
        con.close()
    with open(fresh, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(fresh, db_path)
    return True


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def publish(
    build_path: Path,
    serving_path: Path,
    plan: ServingPlan = EVERYTHING,
    manifest: Path | None = None,
    before_swap: Callable[[Path], object] | None = None,
) -> PublishResult:
    """Atomically replace ``serving_path`` with a fresh copy of what ``plan`` keeps of
    ``build_path`` (every table by default), documented from the dbt ``manifest``.

    ``before_swap`` gets the finished read-only copy just before it replaces the serving file
    (what readers need beside it is made then, so it is ready when they see the new file); if it
    raises, the serving file stays as it was."""
    started = time.perf_counter()
    if not build_path.exists():
        raise FileNotFoundError(f"no build to publish at {build_path}: run `tandem build` first")
    checkpoint(build_path)
    wal = build_path.with_name(build_path.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after checkpoint: another process holds the build")
    compacted = compact(build_path)
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    stale = remove_stale_copies(serving_path)
    staging = serving_path.with_name(f".{serving_path.name}.{os.getpid()}.publishing")
    try:
        staging.unlink(missing_ok=True)  # a read-only copy of an earlier attempt in this process
        copied = write_serving_copy(build_path, staging, plan, manifest)
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(staging, SERVING_MODE)
        if before_swap is not None:
            before_swap(staging)
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
        len(copied),
        compacted,
    )
