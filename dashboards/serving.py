"""Read-only access to the published warehouse for dashboards and analysts.

Connections are opened per query and closed at once, so a reader never holds the serving file
across a publish and always sees one consistent build.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from orchestration.settings import get_settings


class WarehouseNotPublished(RuntimeError):
    """The serving file does not exist yet."""


def serving_path() -> Path:
    return get_settings().serving_db


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
