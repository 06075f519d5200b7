"""Read-only access to the published warehouse for dashboards and analysts.

Connections are opened per query and closed at once, so a reader never holds the serving file
across a publish and always sees one consistent build. A failed open or query (a lock held by a
process that opened the file read-write, a file replaced mid-open) is retried briefly; what
still fails is raised as :class:`WarehouseUnavailable` with a message a dashboard can show.
Dashboard queries are cached per published build: the cache key carries the serving file's
identity (inode, size, mtime), and a publish replaces the file (``os.replace``), so the next
query after a publish misses the cache.

Opening the file costs more than most dashboard queries (DuckDB reads the catalogue: 0.1-0.3 s
for the 1 GB medium file), so a page run may share one connection: ``page_run()`` (entered by
``components.guarded`` around every page) opens it at the first cache miss and closes it when
the run ends, a second at most. Every query of the run then reads the same build, and the
cache key is that build's, even if a publish lands mid-run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from orchestration.settings import get_settings

# how often and how long a read is retried before the dashboard shows a message
RETRY_DELAYS_SECONDS = (0.1, 0.3, 0.6, 1.0)


class WarehouseNotPublished(RuntimeError):
    """The serving file does not exist yet."""


class WarehouseUnavailable(RuntimeError):
    """The serving file exists but cannot be read right now; the message says what to do."""


def serving_path() -> Path:
    """Where the published warehouse lives (from the one settings object).

    Read once per page run: building the settings object costs ~15 ms and a page asks 15-20
    times (a third of a warm Finance run)."""
    if not _run.active:
        return get_settings().serving_db
    if _run.path is None:
        _run.path = get_settings().serving_db
    return _run.path


def friendly_message(db: Path, error: Exception) -> str:
    """What a reader of a dashboard is told when the warehouse cannot be read."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "lock" in text.lower():
        return (
            f"The warehouse {db} is locked by another program that opened it for writing "
            "(a notebook or tool without read_only=True?). Close that connection, or open it "
            f"with duckdb.connect(path, read_only=True); then reload this page. ({text})"
        )
    return f"The warehouse {db} cannot be read right now; reload this page in a moment. ({text})"


def build_id(path: Path | None = None) -> str:
    """The identity of the published build: changes with every publish (a new inode and mtime)."""
    db = path or serving_path()
    try:
        stat = db.stat()
    except FileNotFoundError as missing:
        raise WarehouseNotPublished(
            f"no published warehouse at {db}: run `tandem run` (or `make demo`) first"
        ) from missing
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def query(sql: str, params: Sequence[Any] | None = None, path: Path | None = None) -> pl.DataFrame:
    """Run one read-only query on the serving file and return the result as a polars frame.

    Raises :class:`WarehouseNotPublished` before the first publish and
    :class:`WarehouseUnavailable` when the file cannot be read even after brief retries. An error
    in the SQL itself (a missing table or column) is raised at once, as DuckDB says it.
    """
    db = path or serving_path()
    if not db.exists():
        raise WarehouseNotPublished(
            f"no published warehouse at {db}: run `tandem run` (or `make demo`) first"
        )
    for delay in (*RETRY_DELAYS_SECONDS, None):
        try:
            return _read(db, sql, params)
        except (duckdb.IOException, duckdb.ConnectionException, OSError) as error:
            if delay is None:
                raise WarehouseUnavailable(friendly_message(db, error)) from error
            time.sleep(delay)
    raise AssertionError("not reached")  # the last attempt returns or raises


class _Run(threading.local):
    """The current page run's shared connection (one per script thread, none outside a run)."""

    active: bool = False
    path: Path | None = None
    db: Path | None = None
    build: str | None = None
    con: duckdb.DuckDBPyConnection | None = None


_run = _Run()


@contextlib.contextmanager
def page_run() -> Iterator[None]:
    """Share one read-only connection among the queries of one page run; close it at the end."""
    if _run.active:  # nested: the outer run owns the connection
        yield
        return
    _run.active = True
    try:
        yield
    finally:
        if _run.con is not None:
            with contextlib.suppress(duckdb.Error):
                _run.con.close()
        _run.active, _run.path, _run.db, _run.build, _run.con = False, None, None, None, None


def _run_build(db: Path) -> str:
    """The build this run reads: fixed at its first query, so one run sees one build."""
    if not _run.active:
        return build_id(db)
    if _run.db != db or _run.build is None:
        _run.db, _run.build, _run.con = db, build_id(db), None
    return _run.build


def _read(db: Path, sql: str, params: Sequence[Any] | None) -> pl.DataFrame:
    if _run.active and _run.db == db:
        if _run.con is None:
            _run.con = duckdb.connect(str(db), read_only=True)
        try:
            return _run.con.sql(sql, params=params).pl() if params else _run.con.sql(sql).pl()
        except (duckdb.IOException, duckdb.ConnectionException, OSError):
            # a broken connection is not reused: the retry opens a new one
            with contextlib.suppress(duckdb.Error):
                _run.con.close()
            _run.con = None
            raise
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(sql: str, params: tuple[Any, ...], path: str, build: str) -> pl.DataFrame:
    # ``build`` is only part of the key: a new publish gives a new key, so old results age out
    del build
    return query(sql, list(params) or None, Path(path))


def cached_query(sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """``query`` cached per published build (same SQL on the same build = one DuckDB round)."""
    db = serving_path()
    return _cached(sql, tuple(params or ()), str(db), _run_build(db))


def current_build() -> str:
    """The identity of the build this page run reads (fixed at its first query)."""
    return _run_build(serving_path())


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(path: str, build: str) -> frozenset[str]:
    del build
    frame = query(
        "select table_schema || '.' || table_name as name from information_schema.tables",
        path=Path(path),
    )
    return frozenset(frame["name"].to_list())


def has_table(name: str) -> bool:
    """Whether the published build holds ``schema.table`` (model outputs may not exist yet)."""
    db = serving_path()
    return name in _tables(str(db), _run_build(db))
