"""The landing's bookkeeping in ``raw_meta``: the file ledger, rejected rows and file problems.

The ledger (``raw_meta.file_ledger``) is keyed by a file's SHA-256: the same bytes never land
twice; a changed file under the same name lands as a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import Contract, drop_date_of
from ingestion.encodings import Transcoded
from ingestion.headers import HeaderPlan
from ingestion.problems import WARNING, FileProblem

META_SCHEMA = "raw_meta"


LEDGER_TABLE = f"{META_SCHEMA}.file_ledger"


REJECTS_TABLE = f"{META_SCHEMA}.rejects"


PROBLEMS_TABLE = f"{META_SCHEMA}.file_problems"


_META_DDL = {
    LEDGER_TABLE: """
        file_hash varchar not null, file varchar not null, drop_date date, source varchar,
        entity varchar not null, contract_fingerprint varchar, version integer,
        size_bytes bigint not null, encoding varchar, status varchar not null,
        rows bigint not null, rejected_rows bigint, warnings integer, problems varchar,
        quarantine_path varchar, batch_id varchar not null, loaded_at timestamp not null,
        seconds double
    """,
    REJECTS_TABLE: """
        file_hash varchar not null, file varchar not null, source varchar not null,
        entity varchar not null, row_number bigint not null, column_name varchar,
        source_column varchar, value varchar, reason varchar not null, expected varchar,
        record varchar, batch_id varchar not null, rejected_at timestamp not null
    """,
    PROBLEMS_TABLE: """
        file_hash varchar not null, file varchar not null, entity varchar,
        severity varchar not null, kind varchar not null, row_number bigint,
        column_name varchar, value varchar, expected varchar, message varchar not null,
        action varchar, batch_id varchar not null, logged_at timestamp not null
    """,
}


@dataclass
class FileContext:
    path: Path
    relative: str
    contract: Contract
    digest: str
    size: int
    batch_id: str
    loaded_at: dt.datetime
    plan: HeaderPlan | None = None  # set once the headers are mapped
    transcoded: Transcoded | None = None  # converted to UTF-8 ahead of its turn


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple:
    """The first row of a query, with the result fully consumed.

    DuckDB 2.0 refuses register/unregister while a result is only partly fetched, so never
    leave a ``fetchone()`` result open.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else ()


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger, rejects and problems tables (and add columns newer versions need)."""
    con.execute(f"create schema if not exists {META_SCHEMA}")
    for table, ddl in _META_DDL.items():
        con.execute(f"create table if not exists {table} ({ddl})")
        for line in ddl.split(","):
            name, type_ = line.split()[:2]
            con.execute(f"alter table {table} add column if not exists {name} {type_}")


# kept for callers of the first version
ensure_ledger = ensure_meta


def insert_problems(
    con: duckdb.DuckDBPyConnection, ctx: FileContext, problems: list[FileProblem]
) -> None:
    if not problems:
        return
    con.executemany(
        f"insert into {PROBLEMS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                ctx.digest,
                ctx.relative,
                ctx.contract.name,
                p.severity,
                p.kind,
                p.row,
                p.column,
                p.value,
                p.expected,
                p.message,
                p.action,
                ctx.batch_id,
                ctx.loaded_at,
            ]
            for p in problems
        ],
    )


def record_ledger(
    con: duckdb.DuckDBPyConnection,
    ctx: FileContext,
    status: str,
    rows: int,
    rejected: int,
    problems: list[FileProblem],
    encoding: str | None,
    seconds: float,
    quarantine_path: str | None = None,
) -> None:
    version = fetch_row(
        con,
        f"select count(distinct file_hash) + 1 from {LEDGER_TABLE} "
        "where file = ? and status = 'landed'",
        [ctx.relative],
    )[0]
    drop = drop_date_of(ctx.relative)
    con.execute(
        f"insert into {LEDGER_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ctx.digest,
            ctx.relative,
            drop,
            ctx.contract.source,
            ctx.contract.entity,
            ctx.contract.fingerprint,
            version if status == "landed" else None,
            ctx.size,
            encoding,
            status,
            rows,
            rejected,
            sum(1 for p in problems if p.severity == WARNING),
            json.dumps([str(p) for p in problems[:50]], ensure_ascii=False) if problems else None,
            quarantine_path,
            ctx.batch_id,
            ctx.loaded_at,
            round(seconds, 3),
        ],
    )


def already_done(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Hashes that need no work: landed, or quarantined under the same contract version."""
    done: dict[str, set[str]] = {}
    for digest, status, fingerprint in con.execute(
        f"select file_hash, status, contract_fingerprint from {LEDGER_TABLE} "
        "where status in ('landed', 'quarantined')"
    ).fetchall():
        done.setdefault(digest, set()).add("landed" if status == "landed" else fingerprint)
    return done


def ledger_frame(db_path: Path) -> pl.DataFrame:
    """The whole ledger, newest first (for reports and tests)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(f"select * from {LEDGER_TABLE} order by loaded_at desc, file").pl()


def open_quarantines(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Quarantined files not yet replaced, per contract name (``source.entity``).

    A quarantine stays open until a later version of the same file (same path under landing/)
    lands, or someone deletes its copy from quarantine/ (the way to dismiss it); each entry
    says the file, when it was quarantined and the first problem, so the raw asset keeps
    showing it run after run instead of only in the run that found it.
    """
    rows = con.execute(
        f"""
        select q.source || '.' || q.entity, q.file, q.loaded_at, q.problems, q.quarantine_path
        from {LEDGER_TABLE} as q
        where q.status = 'quarantined'
            and not exists (
                select 1 from {LEDGER_TABLE} as good
                where good.file = q.file and good.status = 'landed'
                    and good.loaded_at >= q.loaded_at
            )
        order by 1, 3, 2
        """
    ).fetchall()
    found: dict[str, list[str]] = {}
    for name, file, when, problems, kept in rows:
        if kept and not Path(kept).exists():
            continue  # dismissed: its copy was removed from quarantine/
        first = json.loads(problems)[0] if problems else "see quarantine/"
        found.setdefault(name, []).append(f"{file} (quarantined {when:%Y-%m-%d %H:%M}): {first}")
    return found
