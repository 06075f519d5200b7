"""Hardened DuckDB connections for the workbench, and the masked copy analysts query.

Every workbench connection is read-only, with external access off (no files, no network, no
ATTACH), extension auto-install and auto-load off, and its configuration locked so no statement
can turn any of that back on. Roles that may not see personal data never open the serving file
at all: they query a masked copy of it, built by each publish, in which phone,
mobile and e-mail columns hold masked values only. Whatever SQL such a user writes, the
unmasked values are not in the file their connection reads.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from dashboards.access.roles import is_personal_column, mask_value_sql, sees_personal_data
from dashboards.appstore import app_dir
from orchestration.publish import SERVING_MODE
from orchestration.serving_content import DOCS_SCHEMA, MART, MODEL
from orchestration.settings import get_settings

HARDENED_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    # the dashboards share the machine with the pipeline: one query may not take all of it
    "memory_limit": "1GB",
    "threads": 2,
    # last: from here on no SET can change any option above
    "lock_configuration": True,
}

SKIPPED_SCHEMAS = frozenset({"information_schema", "pg_catalog"})
# a stable name for the current masked copy, for analysts' own tools (DuckDB CLI, Python, BI)
MASKED_LINK = "tandem.duckdb"
# a serving file published without docs (an older home): leave out what is not marts or models
WORKING_SCHEMAS = frozenset({"staging", "intermediate", "identity", "seeds", "snapshots"})


def hardened_connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only with external access disabled and the configuration locked."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `tandem run` (or `make demo`) first")
    return duckdb.connect(str(path), read_only=True, config=dict(HARDENED_CONFIG))


def _fingerprint(path: Path) -> str:
    """Identifies one published file: a publish replaces the inode, so this changes with it."""
    stat = path.stat()
    return f"{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}"


def masked_dir() -> Path:
    return app_dir() / "masked"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _masked_schemas(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The schemas of ``src`` the masked copy holds: marts, models and their docs, as the
    serving file's ``docs.tables`` says (None: the file has no docs, judge by name)."""
    has_docs = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'src'"
        " and schema_name = ? and table_name = 'tables'",
        [DOCS_SCHEMA],
    ).fetchone()[0]
    if not has_docs:
        return None
    rows = con.execute(
        f"select distinct schema_name from src.{DOCS_SCHEMA}.tables where layer in (?, ?)",
        [MART, MODEL],
    ).fetchall()
    return {schema for (schema,) in rows} | {DOCS_SCHEMA}


def _is_copied(schema: str, wanted: set[str] | None) -> bool:
    if wanted is not None:
        return schema in wanted
    return schema not in SKIPPED_SCHEMAS | WORKING_SCHEMAS and not schema.startswith("raw_")


def _copy_masked(source: Path, target: Path) -> None:
    """Write the marts, models and docs of ``source`` into ``target``, personal columns masked
    (the landing record, raw_meta, stays out: its rejects hold raw values)."""
    con = duckdb.connect(str(target))
    try:
        # a session option: as connect() config it fails once the process holds another database
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {_sql_string(str(source))} as src (read_only)")
        columns = con.execute(
            "select schema_name, table_name, column_name"
            " from duckdb_columns() where database_name = 'src'"
            " order by schema_name, table_name, column_index"
        ).fetchall()
        wanted = _masked_schemas(con)
        tables: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            if not _is_copied(schema, wanted):
                continue
            quoted = _quote(column)
            if is_personal_column(column):
                value = mask_value_sql(f"cast({quoted} as varchar)", column)
                expression = f"{value} as {quoted}"
            else:
                expression = quoted
            tables.setdefault((schema, table), []).append(expression)
        for (schema, table), expressions in tables.items():
            con.execute(f"create schema if not exists {_quote(schema)}")
            con.execute(
                f"create table {_quote(schema)}.{_quote(table)} as select"
                f" {', '.join(expressions)} from src.{_quote(schema)}.{_quote(table)}"
            )
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_masked_copy(source: Path) -> Path:
    """Build the masked copy of ``source`` if it is not there yet and return its path, leaving
    the link and the other copies alone.

    The publish calls this on its staged file before the swap: the copy is named by the file's
    inode, size and mtime, which the rename keeps, so a workbench query that arrives just after
    the swap finds its copy ready instead of waiting for it.
    """
    directory = masked_dir()
    target = directory / f"masked-{_fingerprint(source)}.duckdb"
    if target.exists():
        return target
    with _build_lock(directory):
        if target.exists():  # another session built it while this one waited
            return target
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _copy_masked(source, partial)
        # read-only on disk like the serving file: a tool that forgets read_only gets an error,
        # not a write lock that would block every workbench query
        os.chmod(partial, SERVING_MODE)
        os.replace(partial, target)
    return target


def adopt_masked_copy(target: Path) -> None:
    """Point the stable link at ``target`` and delete every other copy (the ones of earlier
    publishes, or of a publish killed before its swap) and any half-built one (a build holds
    the lock, so a ``.partial`` seen under it belongs to a killed process)."""
    directory = target.parent
    with _build_lock(directory):
        _point_link(directory / MASKED_LINK, target)
        for old in [*directory.glob("masked-*.duckdb"), *directory.glob("masked-*.partial")]:
            if old != target:
                old.unlink(missing_ok=True)


def masked_copy(serving: Path | None = None) -> Path:
    """The masked copy of the current serving file: the publish builds it before its swap; a
    file published without it (an older home) gets it on first use."""
    source = serving or get_settings().serving_db
    if not source.exists():
        raise FileNotFoundError(
            f"no published warehouse at {source}: run `tandem run` (or `make demo`) first"
        )
    target = build_masked_copy(source)
    if (masked_dir() / MASKED_LINK).resolve() != target.resolve():
        adopt_masked_copy(target)
    return target


def _point_link(link: Path, target: Path) -> None:
    """Swap ``link`` onto ``target`` in one step (a reader opening the link meanwhile gets the
    old copy or the new one, never nothing)."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target.name)
    os.replace(temporary, link)


def workbench_database(role: str) -> Path:
    """The file ``role``'s workbench reads: the serving file, or its masked copy."""
    if sees_personal_data(role):
        return get_settings().serving_db
    return masked_copy()


def connect_for_role(role: str) -> duckdb.DuckDBPyConnection:
    """A hardened connection to what ``role`` may query."""
    return hardened_connect(workbench_database(role))
