"""The workbench's security suite: hostile statements are refused, each with its reason.

Every statement runs the whole way a user's does (guard, then the hardened read-only connection
to a real published file), and the test asserts the message the user reads, which always ends
with what is allowed.
"""

from __future__ import annotations

import duckdb
import pytest

from dashboards.workbench.connection import hardened_connect
from dashboards.workbench.guard import ALLOWED, RefusedStatement, check_statement
from dashboards.workbench.runner import execute
from orchestration.settings import TandemSettings

FILES = "Reading or writing files"
ATTACH = "Attaching or switching databases is not allowed."
EXTENSIONS = "Installing or loading extensions is not allowed."
SETTINGS = "Changing settings (SET, RESET, PRAGMA) is not allowed."
DDL = "Creating, changing or dropping tables, views or other objects is not allowed."
DML = "Changing data (INSERT, UPDATE, DELETE, MERGE) is not allowed."
MANY = "Only one statement at a time"
TRANSACTION = "Transactions are not allowed"
STRING_SQL = "Running SQL held in a string"

HOSTILE: list[tuple[str, str]] = [
    # files
    ("select * from read_csv('/etc/passwd')", FILES),
    ("select * from read_csv_auto('/etc/passwd')", FILES),
    ("select * from read_text('/etc/passwd')", FILES),
    ("select * from read_blob('/etc/shadow')", FILES),
    ("select * from read_parquet('/tmp/x.parquet')", FILES),
    ("select * from read_json('/tmp/x.json')", FILES),
    ("select * from glob('/etc/*')", FILES),
    ("select * from sniff_csv('/etc/passwd')", FILES),
    ("select * from '/etc/passwd'", FILES),
    ("select * from 'data.csv'", FILES),
    ('select * from "/etc/hosts"', FILES),
    ("copy core.dim_customer to '/tmp/leak.csv'", FILES),
    ("copy (select * from core.dim_customer) to '/tmp/leak.parquet' (format parquet)", FILES),
    ("copy core.dim_customer from '/tmp/evil.csv'", FILES),
    ("export database '/tmp/everything'", FILES),
    ("import database '/tmp/everything'", FILES),
    # network
    ("select * from read_csv('https://example.com/x.csv')", FILES),
    ("select * from 'https://example.com/x.parquet'", FILES),
    ("select * from 's3://bucket/x.parquet'", FILES),
    # attach
    ("attach '/tmp/other.duckdb' as other", ATTACH),
    ("attach ':memory:' as scratch", ATTACH),
    ("detach memory", ATTACH),
    ("use core", ATTACH),
    # extensions
    ("install httpfs", EXTENSIONS),
    ("load httpfs", EXTENSIONS),
    ("force install httpfs", EXTENSIONS),
    ("install shellfs from community", EXTENSIONS),
    # settings
    ("set enable_external_access = true", SETTINGS),
    ("set lock_configuration = false", SETTINGS),
    ("set threads = 64", SETTINGS),
    ("reset memory_limit", SETTINGS),
    ("pragma enable_profiling", SETTINGS),
    ("pragma memory_limit='100GB'", SETTINGS),
    ("set global access_mode = 'read_write'", SETTINGS),
    # DDL
    ("create table core.x as select 1 as a", DDL),
    ("create temp table scratch as select 1 as a", DDL),
    ("create view v as select * from core.dim_customer", DDL),
    ("create macro leak(x) as x", DDL),
    ("drop table core.dim_customer", DDL),
    ("alter table core.dim_customer add column x int", DDL),
    ("create secret s (type s3, key_id 'k', secret 'v')", DDL),
    ("truncate core.dim_customer", DDL),
    ("comment on table core.dim_customer is 'x'", DDL),
    # DML
    ("insert into core.dim_customer (customer_key) values ('X')", DML),
    ("update core.dim_customer set email = null", DML),
    ("delete from core.dim_customer", DML),
    ("with t as (select 1) insert into core.numbers select * from t", DML),
    # several statements, and comments that hide one
    ("select 1; drop table core.dim_customer", MANY),
    ("select 1; select 2", MANY),
    ("select 1 -- harmless\n; copy core.dim_customer to '/tmp/x.csv'", MANY),
    ("select 1 /* comment */; attach '/tmp/x.duckdb'", MANY),
    ("/* select 1 */ delete from core.dim_customer", DML),
    ("select 1;\n-- a comment\ninstall httpfs", MANY),
    # transactions, maintenance, string-held SQL
    ("begin transaction", TRANSACTION),
    ("rollback", TRANSACTION),
    ("checkpoint", "Maintenance statements (VACUUM, CHECKPOINT) are not allowed."),
    ("vacuum", "Maintenance statements (VACUUM, CHECKPOINT) are not allowed."),
    ("call pragma_version()", "Calling table functions with CALL is not allowed"),
    ("select * from query('select * from core.dim_customer')", STRING_SQL),
    ("select * from query_table('core.dim_customer')", STRING_SQL),
    ("", "There is nothing to run."),
    ("-- only a comment", "There is nothing to run (only comments)."),
]


def test_suite_is_large_enough() -> None:
    assert len(HOSTILE) >= 40
    assert len({sql for sql, _ in HOSTILE}) == len(HOSTILE)


@pytest.fixture
def hardened(people_warehouse: TandemSettings):
    con = hardened_connect(people_warehouse.serving_db)
    yield con
    con.close()


@pytest.mark.parametrize(("sql", "message"), HOSTILE, ids=[s[:40] for s, _ in HOSTILE])
def test_hostile_statement_is_refused_with_its_reason(
    hardened: duckdb.DuckDBPyConnection, people_warehouse: TandemSettings, sql: str, message: str
) -> None:
    with pytest.raises(RefusedStatement) as refused:
        execute(hardened, sql)
    text = str(refused.value)
    assert message in text
    assert text.endswith(ALLOWED)
    # and the warehouse is unchanged
    assert hardened.execute("select count(*) from core.dim_customer").fetchone()[0] == 3


def test_refused_statements_leave_no_file(people_warehouse: TandemSettings, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    con = hardened_connect(people_warehouse.serving_db)
    try:
        for sql in (
            f"copy core.numbers to '{out}/leak.csv'",
            f"select * from read_csv('{out}/x.csv')",
            "select 1; select 2",
        ):
            with pytest.raises(RefusedStatement):
                execute(con, sql)
    finally:
        con.close()
    assert list(out.iterdir()) == []


def test_the_connection_refuses_what_a_guard_would_miss(people_warehouse: TandemSettings) -> None:
    """Second wall: even a statement that skipped the guard cannot read files or reconfigure."""
    con = hardened_connect(people_warehouse.serving_db)
    try:
        with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
            con.execute("select * from read_csv('/etc/passwd')")
        with pytest.raises(duckdb.Error, match="configuration has been locked"):
            con.execute("set enable_external_access = true")
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table core.x (a int)")
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() where name in"
                " ('enable_external_access', 'lock_configuration', 'autoload_known_extensions',"
                " 'autoinstall_known_extensions', 'access_mode')"
            ).fetchall()
        )
    finally:
        con.close()
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
        "access_mode": "read_only",
    }


@pytest.mark.parametrize(
    "sql",
    [
        "select customer_key from core.dim_customer order by customer_key",
        "with c as (select * from core.dim_customer) select customer_key from c order by 1",
        "from core.dim_customer select customer_key order by customer_key",
        "select 'C1' as customer_key union all select 'C2' union all select 'C3'",
    ],
)
def test_queries_pass_and_run(hardened: duckdb.DuckDBPyConnection, sql: str) -> None:
    result = execute(hardened, sql)
    assert result.frame["customer_key"].to_list() == ["C1", "C2", "C3"]
    assert result.truncated is False


def test_what_runs_is_the_parsed_statement_without_comments() -> None:
    checked = check_statement("select 1 as a /* ; drop table x */ -- ; delete from y")
    assert checked.sql == "SELECT 1 AS a"
