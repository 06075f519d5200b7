"""Land extract files into append-only ``raw_<source>.<entity>`` tables of the build file.

For every file under ``landing/`` that a contract claims and the ledger has not seen:

1. read it as text (``ingestion.readers``): empty, binary, wrongly encoded, truncated or malformed
   files are quarantined whole;
2. match its headers to the contract (aliases for renamed headers; an extra column is kept, a
   missing optional one is filled with nulls, both with a warning; a missing required column
   quarantines the file and names the closest header);
3. type every value with the contract's SQL (``ingestion.parsing``); rows with unparseable or
   missing values go to ``raw_meta.rejects`` when they stay within the contract's tolerance, else
   the file is quarantined; duplicate primary keys within the file quarantine it;
4. insert the rows, the rejects, the problems and the ledger entry in ONE transaction: a crash
   part-way leaves nothing of the file, and what landed before stays intact.

The ledger (``raw_meta.file_ledger``) is keyed by the file's SHA-256: the same bytes never land
twice; a changed file under the same name lands as a new version.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl

from ingestion.contracts import (
    Contract,
    drop_date_of,
    load_contracts,
    normalise_header,
)
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
from ingestion.readers import Transcoded, read_extract, transcode_ahead

META_SCHEMA = "raw_meta"
DROP_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")
LEDGER_TABLE = f"{META_SCHEMA}.file_ledger"
REJECTS_TABLE = f"{META_SCHEMA}.rejects"
PROBLEMS_TABLE = f"{META_SCHEMA}.file_problems"
# how many example cells a quarantine report lists per problem kind
REPORT_EXAMPLES = 200
# tables landed side by side (see land_directory); files of one table always land in order.
# 1 by default: on the shared 2-core machine two workers took 52 s for the medium extract
# against 42 s for one (DuckDB already uses both cores for the big files, and two big files
# staged at once press on the memory limit); more may pay on an idle or larger machine.
LANDING_WORKERS = 1

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
class FileOutcome:
    """What happened to one file in one landing."""

    file: str
    entity: str
    status: str  # landed | skipped (already in ledger) | quarantined | failed | unmatched
    rows: int = 0
    rejected_rows: int = 0
    problems: list[str] = field(default_factory=list)
    quarantine_path: str | None = None
    seconds: float = 0.0


@dataclass
class LandingReport:
    """The outcome of one landing pass (one batch)."""

    batch_id: str
    seconds: float = 0.0
    files: list[FileOutcome] = field(default_factory=list)
    # what DuckDB ran with (its own words, e.g. "1.3 GiB"), from the connection itself
    duckdb_memory_limit: str = ""

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def rows_by_entity(self) -> dict[str, int]:
        """Rows landed per ``source.entity`` in this batch."""
        totals: dict[str, int] = {}
        for outcome in self.files:
            if outcome.status == "landed":
                totals[outcome.entity] = totals.get(outcome.entity, 0) + outcome.rows
        return totals


@dataclass
class _FileContext:
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


def unmatched_problem(relative: str) -> FileProblem:
    """The warning for a file no contract claims (it stays in landing/, untouched)."""
    return FileProblem(
        "unmatched_file",
        f"{relative}: no contract's file_pattern matches it, so it was not landed; it stays "
        "where it is",
        WARNING,
    )


def match_contract(relative: PurePosixPath | str, contracts: Iterable[Contract]) -> Contract | None:
    """The first contract whose pattern claims ``relative`` (drop prefixes are ignored)."""
    return next((c for c in contracts if c.matches(relative)), None)


# ------------------------------------------------------------------------------ header mapping


@dataclass
class HeaderPlan:
    """Which file header feeds which contract column, and what else the file holds."""

    headers: dict[str, str | None]  # contract column name -> header in the file (None: missing)
    extras: dict[str, str]  # raw column name -> header in the file (kept as text)
    warnings: list[FileProblem]
    malformed: bool = False  # the rows carry MALFORMED columns (read row by row)


def closest_header(wanted: str, headers: list[str]) -> str | None:
    """The header a person most likely meant (compared after NFKC normalisation)."""
    by_norm = {normalise_header(h): h for h in headers}
    match = difflib.get_close_matches(normalise_header(wanted), list(by_norm), n=1, cutoff=0.3)
    return by_norm[match[0]] if match else None


def plan_headers(contract: Contract, file_headers: list[str], name: str) -> HeaderPlan:
    """Map a file's headers to the contract; raise QuarantineError for missing required ones."""
    by_norm = {normalise_header(h): h for h in file_headers}
    # headers some contract column claims: never offered as "the closest header" of another
    claimed = {
        by_norm[n] for column in contract.columns for n in map(normalise_header, column.headers)
        if n in by_norm
    }  # fmt: skip
    used: set[str] = set()
    headers: dict[str, str | None] = {}
    warnings: list[FileProblem] = []
    errors: list[FileProblem] = []
    for column in contract.columns:
        found = next(
            (by_norm[n] for n in map(normalise_header, column.headers) if n in by_norm), None
        )
        headers[column.name] = found
        if found is not None:
            used.add(found)
            if normalise_header(found) != normalise_header(column.source):
                warnings.append(
                    FileProblem(
                        "renamed_header",
                        f"{name}: header {found!r} read as {column.source!r} -> {column.name} "
                        "(an alias in the contract)",
                        WARNING,
                        column=found,
                        expected=column.source,
                    )
                )
            continue
        unused = [h for h in file_headers if h not in used and h not in claimed]
        nearest = closest_header(column.source, unused)
        hint = f"; the closest header in the file is {nearest!r}" if nearest else ""
        shown = repr(nearest) if nearest else "the new header"
        if column.required:
            errors.append(
                FileProblem(
                    "missing_required_column",
                    f"{name} lacks the required column {column.source!r} ({column.name}){hint}. "
                    f"If the system renamed it, add {shown} to its aliases in {contract.path.name}",
                    column=column.source,
                    value=nearest,
                    expected=column.source,
                )
            )
        elif column.warn_missing:
            warnings.append(
                FileProblem(
                    "missing_optional_column",
                    f"{name} lacks the optional column {column.source!r}; {column.name} is "
                    f"filled with nulls{hint}",
                    WARNING,
                    column=column.source,
                    expected=column.source,
                )
            )
    if errors:
        raise QuarantineError(errors)
    taken = {name for name, _ in raw_table_ddl(contract)}
    extras: dict[str, str] = {}
    for header in file_headers:
        if header in used:
            continue
        column_name = header if header not in taken else f"extra_{header}"
        extras[column_name] = header
        warnings.append(
            FileProblem(
                "extra_column",
                f"{name} has a column {header!r} the contract does not know; kept as text "
                f"column {column_name!r}",
                WARNING,
                column=header,
            )
        )
    return HeaderPlan(headers, extras, warnings)


# ----------------------------------------------------------------------------------- landing


STAGED = "_staged"  # temp view: one file's rows, typed, checked, with their row number
STAGED_DATA = "_staged_data"  # the temp table under it


def _stage(
    con: duckdb.DuckDBPyConnection,
    ctx: _FileContext,
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


def _find_bad_rows(con: duckdb.DuckDBPyConnection, ctx: _FileContext, total: int) -> int:
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


def _good_rows(bad_rows: int) -> str:
    """The FROM clause of the rows that land (all staged rows unless some were rejected)."""
    if not bad_rows:
        return STAGED
    return f"(select * from {STAGED} where {FAILED_CHECKS} = 0)"


def _check_duplicate_keys(con: duckdb.DuckDBPyConnection, ctx: _FileContext, bad_rows: int) -> None:
    """A primary key twice in one file quarantines it (re-sent documents come in later files)."""
    contract = ctx.contract
    if not contract.primary_key:
        return
    key_names = ", ".join(quote(k) for k in contract.primary_key)
    rows = con.execute(
        f"""
        with doubled as (
            select {key_names}, count(*) as n, list(_row_number order by _row_number) as rows
            from {_good_rows(bad_rows)} group by all having count(*) > 1
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


def _enum_warnings(con: duckdb.DuckDBPyConnection, ctx: _FileContext) -> list[FileProblem]:
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


def _create_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract, extras: list[str]):
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


def _insert_rows(con: duckdb.DuckDBPyConnection, ctx: _FileContext, bad_rows: int) -> int:
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
        from {_good_rows(bad_rows)}
        """
    )
    return fetch_row(con, f"select count(*) from {STAGED_DATA}")[0] - bad_rows


def _insert_rejects(con: duckdb.DuckDBPyConnection, ctx: _FileContext) -> None:
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


def _insert_problems(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, problems: list[FileProblem]
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


def _record_ledger(
    con: duckdb.DuckDBPyConnection,
    ctx: _FileContext,
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


def _rejected_warning(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, bad_rows: int
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


def _land_one(con: duckdb.DuckDBPyConnection, ctx: _FileContext) -> FileOutcome:
    """Read, check and insert one file in one transaction; raise QuarantineError if it breaks."""
    started = time.perf_counter()
    try:
        table = read_extract(
            con,
            ctx.path,
            ctx.contract,
            lambda from_sql, row_number, headers, malformed: _stage(
                con, ctx, from_sql, row_number, headers, malformed
            )[0],
            ctx.relative,
            ctx.transcoded,
        )
        bad_rows = _find_bad_rows(con, ctx, table.rows)
        _check_duplicate_keys(con, ctx, bad_rows)
        problems = ctx.plan.warnings + _enum_warnings(con, ctx)
        if bad_rows:
            problems.append(_rejected_warning(con, ctx, bad_rows))
        con.execute("begin transaction")
        try:
            _create_raw_table(con, ctx.contract, list(ctx.plan.extras))
            rows = _insert_rows(con, ctx, bad_rows)
            if bad_rows:
                _insert_rejects(con, ctx)
            _insert_problems(con, ctx, problems)
            seconds = time.perf_counter() - started
            _record_ledger(con, ctx, "landed", rows, bad_rows, problems, table.encoding, seconds)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"drop view if exists {STAGED}")
        con.execute(f"drop table if exists {STAGED_DATA}")
        con.execute("drop table if exists _bad")
    return FileOutcome(
        ctx.relative,
        ctx.contract.name,
        "landed",
        rows=rows,
        rejected_rows=bad_rows,
        problems=[str(p) for p in problems],
        seconds=round(seconds, 3),
    )


def write_quarantine(quarantine_dir: Path, ctx: _FileContext, problems: list[FileProblem]) -> Path:
    """Copy the file to ``quarantine/`` next to a CSV report and a readable summary."""
    relative = PurePosixPath(ctx.relative)
    folder = quarantine_dir / relative.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{relative.stem}.{ctx.digest[:8]}{relative.suffix}"
    shutil.copy2(ctx.path, target)
    with open(
        target.with_name(target.name + ".report.csv"), "w", encoding="utf-8", newline=""
    ) as f:
        writer = csv.writer(f)
        writer.writerow(["file", "row", "column", "value", "expected", "problem", "what_to_do"])
        for p in problems:
            writer.writerow(
                [ctx.relative, p.row, p.column, p.value, p.expected, p.message, p.action]
            )
    lines = [
        f"Quarantined: {ctx.relative}",
        f"Contract:    {ctx.contract.path.name} -> {ctx.contract.raw_table}",
        f"SHA-256:     {ctx.digest}",
        f"Batch:       {ctx.batch_id} at {ctx.loaded_at:%Y-%m-%d %H:%M:%S}",
        "",
        "Nothing of this file was loaded; everything landed before is intact.",
        "",
    ]
    kinds = dict.fromkeys(p.kind for p in problems)
    for kind in kinds:
        first = next(p for p in problems if p.kind == kind)
        lines += [f"- {first.message}", f"  What to do: {first.action}"]
    lines += ["", f"Row-level details: {target.name}.report.csv", ""]
    target.with_name(target.name + ".report.txt").write_text("\n".join(lines), encoding="utf-8")
    return target


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    ctx: _FileContext,
    problems: list[FileProblem],
    quarantine_dir: Path,
    seconds: float,
) -> FileOutcome:
    target = write_quarantine(quarantine_dir, ctx, problems)
    con.execute("begin transaction")
    try:
        _insert_problems(con, ctx, problems)
        _record_ledger(con, ctx, "quarantined", 0, 0, problems, None, seconds, str(target))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return FileOutcome(
        ctx.relative,
        ctx.contract.name,
        "quarantined",
        problems=[str(p) for p in problems[:20]],
        quarantine_path=str(target),
        seconds=round(seconds, 3),
    )


def _already_done(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Hashes that need no work: landed, or quarantined under the same contract version."""
    done: dict[str, set[str]] = {}
    for digest, status, fingerprint in con.execute(
        f"select file_hash, status, contract_fingerprint from {LEDGER_TABLE} "
        "where status in ('landed', 'quarantined')"
    ).fetchall():
        done.setdefault(digest, set()).add("landed" if status == "landed" else fingerprint)
    return done


def drop_folders(landing_dir: Path) -> dict[str, str]:
    """Daily-drop folders under ``landing_dir``: drop date -> path relative to it.

    The simulator writes ``drops/YYYY-MM-DD/``; a bare ``YYYY-MM-DD/`` folder counts too.
    """
    found: dict[str, str] = {}
    for parent in (landing_dir / "drops", landing_dir):
        if not parent.is_dir():
            continue
        for child in parent.iterdir():
            if child.is_dir() and DROP_FOLDER.fullmatch(child.name):
                found.setdefault(child.name, child.relative_to(landing_dir).as_posix())
    return dict(sorted(found.items()))


def list_extract_files(landing_dir: Path, subdir: str | None = None) -> list[tuple[Path, str]]:
    """(path, relative path) of every file, full extracts first, then drops in date order."""
    root = landing_dir / subdir if subdir else landing_dir
    if not root.exists():
        return []
    files = [
        (path, path.relative_to(landing_dir).as_posix())
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    ]
    return sorted(files, key=lambda item: (drop_date_of(item[1]) or "", item[1]))


def land_directory(
    db_path: Path,
    landing_dir: Path,
    contracts: list[Contract] | None = None,
    progress: Callable[[str], None] | None = None,
    quarantine_dir: Path | None = None,
    subdir: str | None = None,
    workers: int = LANDING_WORKERS,
    duckdb_config: dict[str, str] | None = None,
) -> LandingReport:
    """Land every extract under ``landing_dir`` (or its ``subdir``) that the ledger lacks.

    ``quarantine_dir`` defaults to ``quarantine/`` next to ``landing_dir`` (TANDEM_HOME layout).
    Files of one raw table land one after the other in path order (full extracts, then drops by
    date); with ``workers`` > 1, different tables land side by side on their own DuckDB cursors,
    largest first, because much of one file's work is serial.
    """
    started = time.perf_counter()
    contracts = load_contracts() if contracts is None else contracts
    quarantine_dir = quarantine_dir or landing_dir.parent / "quarantine"
    report = LandingReport(batch_id=uuid.uuid4().hex[:12])
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    files = list_extract_files(landing_dir, subdir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if duckdb_config is None:
        from orchestration.settings import get_settings  # the one settings object

        duckdb_config = get_settings().duckdb_config("landing")
    con = duckdb.connect(str(db_path), config=duckdb_config)
    outcomes: dict[int, FileOutcome] = {}
    groups: dict[str, list[tuple[int, Path, str, Contract]]] = {}
    for index, (path, relative) in enumerate(files, start=1):
        contract = match_contract(relative, contracts)
        if contract is None:
            # left where it is: a contract added later (or a renamed file) lands it then
            outcomes[index] = FileOutcome(
                relative,
                "",
                "unmatched",
                problems=[str(unmatched_problem(relative))],
            )
        else:
            groups.setdefault(contract.name, []).append((index, path, relative, contract))

    def is_done(digest: str, contract: Contract) -> bool:
        seen = done.get(digest, set())
        return "landed" in seen or contract.fingerprint in seen

    def prepare(path: Path, contract: Contract) -> tuple[str, Transcoded | None]:
        """Hash a file and, when it is new, convert it to UTF-8 (runs one file ahead)."""
        digest = file_sha256(path)
        return digest, None if is_done(digest, contract) else transcode_ahead(path, contract)

    def land_group(items: list[tuple[int, Path, str, Contract]]) -> None:
        cursor = con.cursor() if workers > 1 else con
        ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tandem-prepare")
        pending = [ahead.submit(prepare, items[0][1], items[0][3])] if items else []
        try:
            cursor.execute("set enable_progress_bar = false")  # Dagster and the CLI report it
            for k, (index, path, relative, contract) in enumerate(items):
                digest, transcoded = pending.pop().result()
                if k + 1 < len(items):
                    # the next file's hash and GB18030 -> UTF-8 conversion overlap this landing
                    pending.append(ahead.submit(prepare, items[k + 1][1], items[k + 1][3]))
                if is_done(digest, contract):
                    if transcoded is not None:
                        transcoded.discard()
                    outcomes[index] = FileOutcome(relative, contract.name, "skipped")
                    continue
                ctx = _FileContext(
                    path, relative, contract, digest, path.stat().st_size, report.batch_id,
                    loaded_at, transcoded=transcoded,
                )  # fmt: skip
                try:
                    outcome = land_file(cursor, ctx, quarantine_dir)
                finally:
                    if transcoded is not None:
                        transcoded.discard()
                done.setdefault(digest, set()).add(
                    "landed" if outcome.status == "landed" else contract.fingerprint
                )
                outcomes[index] = outcome
                if progress:
                    rows = (
                        f"{outcome.rows:,} rows" if outcome.status == "landed" else outcome.status
                    )
                    extra = f" ({outcome.problems[0]})" if outcome.problems else ""
                    progress(
                        f"[{index}/{len(files)}] {relative}: {rows} -> {contract.raw_table}{extra}"
                    )
        finally:
            for future in pending:  # an error stopped the group: clean up the file prepared
                if not future.cancel() and future.exception() is None:
                    prepared = future.result()[1]
                    if prepared is not None:
                        prepared.discard()
            ahead.shutdown()
            if cursor is not con:
                cursor.close()

    try:
        # the limit comes with duckdb_config (TandemSettings.landing_memory_limit); record it
        report.duckdb_memory_limit = con.execute(
            "select current_setting('memory_limit')"
        ).fetchall()[0][0]
        # staged CSV rows are numbered by rowid, which needs the file's order kept (the default)
        con.execute("set preserve_insertion_order = true")
        ensure_meta(con)
        done = _already_done(con)
        if workers > 1 and len(groups) > 1:
            # schemas up front: two transactions creating the same schema would conflict
            for source in sorted({items[0][3].raw_schema for items in groups.values()}):
                con.execute(f"create schema if not exists {source}")
            largest_first = sorted(
                groups.values(), key=lambda items: -sum(p.stat().st_size for _, p, _, _ in items)
            )
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for future in [pool.submit(land_group, items) for items in largest_first]:
                    future.result()
        else:
            # one sequence, so the file prepared ahead may belong to the next table
            land_group([item for items in groups.values() for item in items])
    finally:
        con.close()
    report.files = [outcomes[index] for index in sorted(outcomes)]
    report.seconds = time.perf_counter() - started
    return report


# errors of the machine, not of the file: the file is recorded as failed and retried next time
MACHINE_ERRORS = (OSError, MemoryError, duckdb.IOException, duckdb.OutOfMemoryException)


def land_file(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, quarantine_dir: Path
) -> FileOutcome:
    """Land one file (see :func:`_land_or_quarantine`); a machine error records it as failed."""
    started = time.perf_counter()
    try:
        return _land_or_quarantine(con, ctx, quarantine_dir)
    except MACHINE_ERRORS as error:
        # nothing of the file is kept (the transaction rolled back); a later landing retries it
        problem = FileProblem("load_failed", f"{ctx.relative}: {type(error).__name__}: {error}")
        con.execute("begin transaction")
        _insert_problems(con, ctx, [problem])
        _record_ledger(con, ctx, "failed", 0, 0, [problem], None, time.perf_counter() - started)
        con.execute("commit")
        return FileOutcome(ctx.relative, ctx.contract.name, "failed", problems=[str(problem)])


def _land_or_quarantine(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, quarantine_dir: Path
) -> FileOutcome:
    """Land one file, or quarantine it when it is broken in any way.

    Every file ends landed, quarantined or (only when the machine failed: disk, memory) failed
    and retried by the next landing. An error no reader check foresaw while reading the file's
    content quarantines it with the error's text, so it is never retried silently every run.
    """
    started = time.perf_counter()
    try:
        return _land_one(con, ctx)
    except QuarantineError as broken:
        return _quarantine(con, ctx, broken.problems, quarantine_dir, time.perf_counter() - started)
    except MACHINE_ERRORS:
        raise
    except (duckdb.Error, pl.exceptions.PolarsError, ValueError, csv.Error) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if ctx.transcoded is not None:
            message = message.replace(str(ctx.transcoded.path), ctx.relative)
        problem = FileProblem(
            "unreadable_file",
            f"{ctx.relative} could not be read: {type(error).__name__}: {message}",
        )
        return _quarantine(con, ctx, [problem], quarantine_dir, time.perf_counter() - started)


def ledger_frame(db_path: Path) -> pl.DataFrame:
    """The whole ledger, newest first (for reports and tests)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(f"select * from {LEDGER_TABLE} order by loaded_at desc, file").pl()
