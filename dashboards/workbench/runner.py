"""Run one checked query: row limit, a timeout that interrupts DuckDB, readable refusals."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import duckdb
import polars as pl

from dashboards.appstore import connect as store
from dashboards.i18n import t
from dashboards.workbench.connection import connect_for_role
from dashboards.workbench.guard import RefusedStatement, check_statement

DEFAULT_ROW_LIMIT = 1_000
DEFAULT_TIMEOUT_SECONDS = 30.0


class QueryTimedOut(RuntimeError):
    """The query ran past its time limit and DuckDB interrupted it (``str``: in English)."""

    def __init__(self, timeout_seconds: float) -> None:
        self.label_key = "wb.timed_out"
        self.label_values = {"seconds": f"{timeout_seconds:g}"}
        super().__init__(t(self.label_key, "en", **self.label_values))


@dataclass(frozen=True)
class QueryResult:
    frame: pl.DataFrame
    truncated: bool
    seconds: float
    sql: str


def _translate(error: duckdb.Error) -> RefusedStatement | None:
    """The hardened connection's own refusals, said in the workbench's words."""
    text = str(error)
    if isinstance(error, duckdb.PermissionException) or "disabled by configuration" in text:
        return RefusedStatement("guard.files")
    if "configuration has been locked" in text:
        return RefusedStatement("guard.settings")
    if "read-only mode" in text or "read-only" in text.lower():
        return RefusedStatement("guard.read_only")
    return None


def execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    row_limit: int = DEFAULT_ROW_LIMIT,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Check ``sql`` and run it on ``con``: at most ``row_limit`` rows, interrupted after
    ``timeout_seconds`` (a timer thread calls ``con.interrupt()``, which stops DuckDB's work)."""
    checked = check_statement(sql)
    timer = threading.Timer(timeout_seconds, con.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        frame = con.sql(checked.sql).limit(row_limit + 1).pl()
    except duckdb.InterruptException as error:
        raise QueryTimedOut(timeout_seconds) from error
    except duckdb.Error as error:
        refusal = _translate(error)
        if refusal:
            raise refusal from error
        raise
    finally:
        timer.cancel()
    seconds = time.perf_counter() - started
    truncated = frame.height > row_limit
    return QueryResult(frame.head(row_limit), truncated, seconds, checked.sql)


def record_history(
    username: str,
    role: str,
    sql: str,
    status: str,
    rows: int | None,
    seconds: float | None,
    message: str | None = None,
) -> None:
    """Append one run to the user's query history in the application store."""
    with store() as con:
        con.execute(
            "insert into query_history (username, role, sql, status, row_count, seconds, message)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [username, role, sql, status, rows, seconds, message],
        )


def history(username: str, limit: int = 50) -> list[dict]:
    """The user's latest queries, newest first."""
    with store() as con:
        rows = con.execute(
            "select ran_at, sql, status, row_count, seconds, message from query_history"
            " where username = ? order by id desc limit ?",
            [username, limit],
        ).fetchall()
    return [dict(row) for row in rows]


def run_for_user(
    username: str,
    role: str,
    sql: str,
    row_limit: int = DEFAULT_ROW_LIMIT,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Run ``sql`` as ``username`` on what ``role`` may read, and record it in the history."""
    try:
        con = connect_for_role(role)
    except FileNotFoundError as missing:
        record_history(username, role, sql, "error", None, None, str(missing))
        raise
    try:
        result = execute(con, sql, row_limit, timeout_seconds)
    except (RefusedStatement, QueryTimedOut, duckdb.Error) as error:
        status = "refused" if isinstance(error, RefusedStatement) else "error"
        record_history(username, role, sql, status, None, None, str(error))
        raise
    finally:
        con.close()
    record_history(username, role, sql, "ok", result.frame.height, result.seconds)
    return result
