"""Exporting a segment's consented contacts to CSV, XLSX or a hashed audience file, logged.

Only rows of ``customer.dim_contact`` whose own consent allows marketing ever reach a file (see
``query.contacts_sql``); every export writes one entry in the application store's export log:
who, when, which segment version, the format, the row count and the file's SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from dashboards.appstore import connect as store
from dashboards.downloads import csv_bytes, xlsx_bytes
from dashboards.segments.query import available_sources, contacts_sql
from dashboards.segments.store import SavedSegment
from dashboards.workbench.connection import hardened_connect
from ingestion.ledger import file_sha256
from orchestration.settings import get_settings

Format = Literal["csv", "xlsx", "hashed"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "hashed")
EXPORT_COLUMNS = [
    "customer_key",
    "customer_name",
    "contact_name",
    "job_title",
    "mobile_e164",
    "email",
    "consent_recorded_at",
]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    segment: str
    version: int
    format: Format
    row_count: int
    sha256: str


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed_audience(contacts: pl.DataFrame) -> pl.DataFrame:
    """SHA-256 of the E.164 mobile and of the lower-cased, trimmed e-mail, one row per contact."""

    def digest(column: str, normalise: Callable[[str], str]) -> list[str | None]:
        return [sha256_hex(normalise(v)) if v else None for v in contacts[column].to_list()]

    return pl.DataFrame(
        {
            "mobile_sha256": digest("mobile_e164", str.strip),
            "email_sha256": digest("email", lambda v: v.strip().lower()),
        },
        schema={"mobile_sha256": pl.String, "email_sha256": pl.String},
    )


def segment_contacts(saved: SavedSegment, serving: Path | None = None) -> pl.DataFrame:
    """The contacts an export of ``saved`` sends, read from the serving file."""
    con = hardened_connect(serving or get_settings().serving_db)
    try:
        sql = contacts_sql(saved.definition, available_sources(con))
        return con.sql(sql).pl()
    finally:
        con.close()


def render(contacts: pl.DataFrame, fmt: Format) -> pl.DataFrame:
    if fmt == "hashed":
        return hashed_audience(contacts)
    return contacts.select(EXPORT_COLUMNS).with_columns(
        pl.col("consent_recorded_at").cast(pl.String)
    )


def export_segment(
    saved: SavedSegment,
    fmt: Format,
    out: Path,
    username: str,
    progress: Callable[[str], None] = lambda _: None,
) -> ExportResult:
    """Write ``saved``'s consented contacts to ``out`` in ``fmt`` and log the export."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    name = saved.definition.name
    progress(f"selecting the consented contacts of {name} v{saved.version}")
    contacts = segment_contacts(saved)
    frame = render(contacts, fmt)
    progress(f"writing {frame.height:,} contacts as {fmt} to {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    # the one writer of files for people: UTF-8 with BOM, formulas neutralised, text cells only
    out.write_bytes(xlsx_bytes(frame, "contacts") if fmt == "xlsx" else csv_bytes(frame))
    result = ExportResult(out, name, saved.version, fmt, frame.height, file_sha256(out))
    with store() as con:
        con.execute(
            "insert into export_log (username, segment_name, segment_version, format, row_count,"
            " file_sha256, file_name) values (?, ?, ?, ?, ?, ?, ?)",
            [username, name, saved.version, fmt, result.row_count, result.sha256, out.name],
        )
    progress(f"logged: {result.row_count:,} rows, sha256 {result.sha256[:12]}...")
    return result


def export_log(limit: int = 100) -> list[dict]:
    """The latest exports, newest first."""
    with store() as con:
        rows = con.execute("select * from export_log order by id desc limit ?", [limit])
        return [dict(r) for r in rows.fetchall()]
