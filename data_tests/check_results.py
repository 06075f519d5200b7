"""The quality results table: every check of every run, with its history.

``quality.check_results`` lives in the build file and is written every run, also by a run whose
quality gate blocked publishing; since the serving file is a copy of the build file, the next
publish carries the whole history (blocked runs included) to the readers of the Data quality page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass, fields
from typing import Literal

import duckdb

CHECK_RESULTS = "quality.check_results"
Severity = Literal["error", "warn"]
Status = Literal["pass", "warn", "fail"]
_DDL = f"""
    create table if not exists {CHECK_RESULTS} (
        run_id varchar not null,
        checked_at timestamp not null,
        check_name varchar not null,
        layer varchar not null,
        asset varchar,
        severity varchar not null,
        status varchar not null,
        failing_rows bigint,
        rows_checked bigint,
        example varchar,
        message varchar
    )
"""


@dataclass
class CheckResult:
    """One check's outcome in one run.

    ``severity`` is what the check's own configuration says a failure means (dbt's ``severity``
    / ``warn_if`` / ``error_if``, a source's ``warn_after`` / ``error_after``, a suite's
    ``severity``); ``status`` is what happened: ``pass``, ``warn`` (failed, publishes) or
    ``fail`` (failed at error level: blocks publishing).
    """

    run_id: str
    checked_at: dt.datetime
    check_name: str
    layer: str  # raw, staging, intermediate, marts, reconciliation, freshness
    asset: str | None
    severity: Severity
    status: Status
    failing_rows: int | None = None
    rows_checked: int | None = None
    example: str | None = None
    message: str | None = None

    @property
    def blocks(self) -> bool:
        return self.status == "fail"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def status_for(passed: bool, severity: Severity) -> Status:
    """A failed check blocks at error level and only warns at warn level."""
    if passed:
        return "pass"
    return "fail" if severity == "error" else "warn"


def store(con: duckdb.DuckDBPyConnection, results: list[CheckResult]) -> int:
    """Append ``results`` to the quality table (created on first use); returns rows written."""
    con.execute("create schema if not exists quality")
    con.execute(_DDL)
    if results:
        marks = ", ".join("?" for _ in fields(CheckResult))
        con.executemany(
            f"insert into {CHECK_RESULTS} values ({marks})", [list(astuple(r)) for r in results]
        )
    return len(results)


def has_run(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """True when the quality table already holds results of ``run_id``."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'quality' and table_name = 'check_results'"
    ).fetchall()
    if not found[0][0]:
        return False
    rows = con.execute(
        f"select count(*) from {CHECK_RESULTS} where run_id = ?", [run_id]
    ).fetchall()
    return bool(rows[0][0])


def load(con: duckdb.DuckDBPyConnection, run_id: str) -> list[CheckResult]:
    """The results stored for ``run_id`` (none when the table does not exist yet)."""
    if not has_run(con, run_id):
        return []
    names = ", ".join(f.name for f in fields(CheckResult))
    rows = con.execute(
        f"select {names} from {CHECK_RESULTS} where run_id = ? order by checked_at", [run_id]
    ).fetchall()
    return [CheckResult(*row) for row in rows]
