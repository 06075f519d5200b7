"""Read-only access to the published warehouse for dashboards and analysts.

Connections are opened per query and closed at once, so a reader never holds the serving file
across a publish and always sees one consistent build. Dashboard queries are cached per published
build: the cache key carries the serving file's identity (inode, size, mtime), and a publish
replaces the file (``os.replace``), so the next query after a publish misses the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from orchestration.settings import get_settings


class WarehouseNotPublished(RuntimeError):
    """The serving file does not exist yet."""


def serving_path() -> Path:
    """Where the published warehouse lives (from the one settings object)."""
    return get_settings().serving_db


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
    """Run one read-only query on the serving file and return the result as a polars frame."""
    db = path or serving_path()
    if not db.exists():
        raise WarehouseNotPublished(
            f"no published warehouse at {db}: run `tandem run` (or `make demo`) first"
        )
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
    return _cached(sql, tuple(params or ()), str(db), build_id(db))


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
    return name in _tables(str(db), build_id(db))
