"""The application store: what users write (history, segments, export log, login failures).

It is a SQLite file under ``TANDEM_HOME/app/``, apart from the warehouse: every publish replaces
the serving file and a rebuild replaces the build file, but neither ever touches this one. SQLite
rather than DuckDB because the dashboards and the command line write to it at the same time,
and SQLite serialises small writers from several processes safely.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from orchestration.settings import get_settings

SCHEMA = """
create table if not exists query_history (
    id integer primary key autoincrement,
    username text not null,
    role text not null,
    ran_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    sql text not null,
    status text not null,
    row_count integer,
    seconds real,
    message text
);
create table if not exists segments (
    name text not null,
    version integer not null,
    definition text not null,
    created_by text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    primary key (name, version)
);
create table if not exists export_log (
    id integer primary key autoincrement,
    username text not null,
    exported_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    segment_name text not null,
    segment_version integer not null,
    format text not null,
    row_count integer not null,
    file_sha256 text not null,
    file_name text not null
);
create table if not exists login_failures (
    username text primary key,
    failures integer not null,
    locked_until real
);
"""


def app_dir() -> Path:
    """``TANDEM_HOME/app``: the application store and the users' credentials file."""
    return get_settings().root / "app"


def store_path() -> Path:
    return app_dir() / "app.sqlite"


@contextlib.contextmanager
def connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A short-lived connection to the application store, created on first use; commits on exit."""
    db = path or store_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        con.executescript(SCHEMA)
        yield con
        con.commit()
    finally:
        con.close()
