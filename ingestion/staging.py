"""One file's rows staged in DuckDB, typed and checked, then inserted into its raw table.

Rows with unparseable or missing values go to ``raw_meta.rejects`` when they stay within the
contract's tolerance, else the file is quarantined; duplicate primary keys within the file
quarantine it; codes a contract does not list land with a warning.
"""

from __future__ import annotations

import duckdb

from ingestion.contracts import Contract
from ingestion.headers import HeaderPlan, plan_headers
from ingestion.ledger import REJECTS_TABLE, FileContext, fetch_row
from ingestion.parsing import (
    FAILED_CHECKS,
    enum_violation,
    literal,
    output_columns,
    quote,
    raw_table_ddl,
    row_checks,
    source_column,
    staged_select,
)
from ingestion.problems import WARNING, FileProblem, QuarantineError

# how many example cells a quarantine report lists per problem kind
REPORT_EXAMPLES = 200


STAGED = "_staged"  # temp view: one file's rows, typed, checked, with their row number


STAGED_DATA = "_staged_data"  # the temp table under it


def stage_rows(
    con: duckdb.DuckDBPyConnection,
    ctx: FileContext,
    from_sql: str,
    row_number: str | None,
    headers: list[str],
    malformed: bool = False,
) -> tuple[int, HeaderPlan]:
    """Map headers, then type and check every row in the same pass that reads the file.

    A CSV's row number is the staged table's ``rowid`` + 1: DuckDB keeps the file's order when
    it fills a table (insertion order is preserved), so the read stays parallel; numbering the
    rows in the query (``row_number() over ()``) would run the whole read on one thread.
    """
    plan = plan_headers(ctx.contract, headers, ctx.relative)
    plan.malformed = malformed
    query = staged_select(ctx.contract, plan.headers, plan.extras, from_sql, row_number, malformed)
    con.execute(f"create or replace temp table {STAGED_DATA} as {query}")
    numbered = "rowid + 1 as _row_number, " if row_number is None else ""
    con.execute(f"create or replace temp view {STAGED} as select {numbered}* from {STAGED_DATA}")
    ctx.plan = plan
    return fetch_row(con, f"select count(*) from {STAGED_DATA}")[0], plan


def find_bad_rows(con: duckdb.DuckDBPyConnection, ctx: FileContext, total: int) -> int:
    """Count rows with bad values; detail them in temp table ``_bad``; quarantine over tolerance.

    Staging counted each row's failed checks (a sum of 0/1 flags; DuckDB runs a long OR chain
    several times slower); the per-cell detail is computed only for the rows that failed.
    """
    checks = row_checks(ctx.contract, ctx.plan.headers, ctx.plan.malformed)
    if not checks:
        return 0
    bad_rows = fetch_row(con, f"select count(*) from {STAGED_DATA} where {FAILED_CHECKS} > 0")[0]
    if not bad_rows:
        return 0
    cells = " union all ".join(
        f"select _row_number, {literal(c.column)} as column_name, "
        f"{literal(c.header)} as source_column, cast({c.value_sql} as varchar) as value, "
        f"{c.reason_sql or literal(c.reason)} as reason, {literal(c.expected)} as expected "
        f"from {STAGED} where {FAILED_CHECKS} > 0 and {c.condition}"
        for c in checks
    )
    con.execute(f"create or replace temp table _bad as {cells}")
    allowed = ctx.contract.allowed_rejects(total)
    if bad_rows <= allowed:
        return bad_rows
    summary = con.execute(
        "select column_name, reason, count(*) from _bad group by all order by 3 desc"
    ).fetchall()
    problems = [
        FileProblem(
            "too_many_rejected_rows",
            f"{ctx.relative}: {bad_rows} of {total} rows ({bad_rows / total:.1%}) have bad values, "
            f"more than the contract's tolerance allows ({allowed} rows); by column: "
            + ", ".join(f"{c} {r} x{n}" for c, r, n in summary),
        )
    ]
    examples = con.execute(
        f"select _row_number, source_column, value, reason, expected from _bad "
        f"order by _row_number, source_column limit {REPORT_EXAMPLES}"
    ).fetchall()
    problems += [
        FileProblem(
            "bad_value",
            f"row {row}, column {col!r}: {reason} {value!r}",
            row=row,
            column=col,
            value=value,
            expected=expected,
        )
        for row, col, value, reason, expected in examples
    ]
    raise QuarantineError(problems)


def good_rows(bad_rows: int) -> str:
    """The FROM clause of the rows that land (all staged rows unless some were rejected)."""
    if not bad_rows:
        return STAGED
    return f"(select * from {STAGED} where {FAILED_CHECKS} = 0)"


def check_duplicate_keys(con: duckdb.DuckDBPyConnection, ctx: FileContext, bad_rows: int) -> None:
    """A primary key twice in one file quarantines it (re-sent documents come in later files)."""
    contract = ctx.contract
    if not contract.primary_key:
        return
    key_names = ", ".join(quote(k) for k in contract.primary_key)
    rows = con.execute(
        f"""
        with doubled as (
            select {key_names}, count(*) as n, list(_row_number order by _row_number) as rows
            from {good_rows(bad_rows)} group by all having count(*) > 1
        )
        select count(*) over () as keys, sum(n) over () as rows_involved, *
        from doubled order by rows[1] limit {REPORT_EXAMPLES}
        """
    ).fetchall()
    if not rows:
        return
    n_keys, n_rows = rows[0][0], rows[0][1]
    width = len(contract.primary_key)
    problems = [
        FileProblem(
            "duplicate_keys",
            f"{ctx.relative}: {n_keys} value(s) of the primary key "
            f"({', '.join(contract.primary_key)}) occur more than once, in {n_rows} rows",
        )
    ]
    for row in rows:
        key = ", ".join(str(v) for v in row[2 : 2 + width])
        where = row[3 + width]
        problems.append(
            FileProblem(
                "duplicate_keys",
                f"key ({key}) is on rows {', '.join(map(str, where[:10]))}",
                row=where[1],
                column=", ".join(contract.primary_key),
                value=key,
                expected="each key once per file",
            )
        )
    raise QuarantineError(problems)


def enum_warnings(con: duckdb.DuckDBPyConnection, ctx: FileContext) -> list[FileProblem]:
    """Codes the contract does not list: landed as sent (staging decodes), with a warning."""
    checked = [
        (column, header)
        for column in ctx.contract.columns
        if column.enum and (header := ctx.plan.headers[column.name]) is not None
    ]
    if not checked:
        return []
    conditions = [enum_violation(column) for column, _ in checked]
    counts = fetch_row(
        con, "select " + ", ".join(f"sum(({c})::int)" for c in conditions) + f" from {STAGED}"
    )
    warnings = []
    for (column, header), condition, count in zip(checked, conditions, counts, strict=True):
        if not count:
            continue
        codes = [
            str(row[0])
            for row in con.execute(
                f"select distinct {quote(source_column(column))} from {STAGED} "
                f"where {condition} limit 5"
            ).fetchall()
        ]
        warnings.append(
            FileProblem(
                "unknown_enum_code",
                f"{ctx.relative}: {count} value(s) of {header!r} are not known codes "
                f"(e.g. {', '.join(codes)}); landed as sent",
                WARNING,
                column=header,
                value=", ".join(codes),
                expected=column.expected(),
            )
        )
    return warnings


def create_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract, extras: list[str]):
    con.execute(f"create schema if not exists {contract.raw_schema}")
    columns = raw_table_ddl(contract)
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
            [contract.raw_schema, contract.entity],
        ).fetchall()
    }
    if not existing:
        ddl = ", ".join(f"{quote(name)} {type_}" for name, type_ in columns)
        con.execute(f"create table {contract.raw_table} ({ddl})")
        existing = {name for name, _ in columns}
    # a contract that gained a column, or a file with an extra one: widen, never rewrite
    for name, type_ in columns + [(e, "varchar") for e in extras]:
        if name not in existing:
            con.execute(f"alter table {contract.raw_table} add column {quote(name)} {type_}")


def insert_rows(con: duckdb.DuckDBPyConnection, ctx: FileContext, bad_rows: int) -> int:
    contract = ctx.contract
    columns = [name for column in contract.columns for name, _ in output_columns(column)]
    columns += list(ctx.plan.extras)
    loaded_at = literal(ctx.loaded_at.isoformat(sep=" "))
    con.execute(
        f"""
        insert into {contract.raw_table} by name
        select {", ".join(quote(c) for c in columns)},
               {literal(ctx.relative)} as _file, {literal(ctx.digest)} as _file_hash,
               _row_number, cast({loaded_at} as timestamp) as _loaded_at,
               {literal(ctx.batch_id)} as _batch_id
        from {good_rows(bad_rows)}
        """
    )
    return fetch_row(con, f"select count(*) from {STAGED_DATA}")[0] - bad_rows


def insert_rejects(con: duckdb.DuckDBPyConnection, ctx: FileContext) -> None:
    # the record as sent: the text of every column the file had
    sent = [
        f"{literal(header)}: {quote(source_column(column))}"
        for column in ctx.contract.columns
        if (header := ctx.plan.headers[column.name]) is not None
    ] + [f"{literal(header)}: {quote(name)}" for name, header in ctx.plan.extras.items()]
    con.execute(
        f"""
        insert into {REJECTS_TABLE}
        select {literal(ctx.digest)}, {literal(ctx.relative)}, {literal(ctx.contract.source)},
               {literal(ctx.contract.entity)}, b._row_number, b.column_name, b.source_column,
               b.value, b.reason, b.expected, to_json({{{", ".join(sent)}}}),
               {literal(ctx.batch_id)},
               cast({literal(ctx.loaded_at.isoformat(sep=" "))} as timestamp)
        from _bad b join {STAGED} s using (_row_number)
        order by b._row_number, b.column_name
        """
    )


def rejected_warning(
    con: duckdb.DuckDBPyConnection, ctx: FileContext, bad_rows: int
) -> FileProblem:
    """The warning of a file that landed without a few rows: which, and why the first one."""
    row, column, value, reason = fetch_row(
        con,
        "select _row_number, source_column, value, reason from _bad "
        "order by _row_number, source_column limit 1",
    )
    shown = "" if value is None else f" {value[:80]!r}"
    return FileProblem(
        "rejected_row",
        f"{ctx.relative}: {bad_rows} row(s) rejected (within the contract's tolerance), the "
        f"first is row {row}, column {column!r}: {reason}{shown}; see {REJECTS_TABLE}",
        WARNING,
        row=row,
        column=column,
        value=value,
    )


def drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staged rows and their bad-value details (after a file landed or broke)."""
    con.execute(f"drop view if exists {STAGED}")
    con.execute(f"drop table if exists {STAGED_DATA}")
    con.execute("drop table if exists _bad")
