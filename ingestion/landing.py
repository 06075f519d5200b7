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
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
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
    enum_violation_expr,
    error_items,
    literal,
    quote,
    raw_table_ddl,
    select_exprs,
    text_expr,
    value_expr,
)
from ingestion.problems import WARNING, FileProblem, QuarantineError
from ingestion.readers import read_extract

META_SCHEMA = "raw_meta"
LEDGER_TABLE = f"{META_SCHEMA}.file_ledger"
REJECTS_TABLE = f"{META_SCHEMA}.rejects"
PROBLEMS_TABLE = f"{META_SCHEMA}.file_problems"
# how many example cells a quarantine report lists per problem kind
REPORT_EXAMPLES = 200
# DuckDB memory cap for landing: medium files are typed well inside it, and it keeps the
# process under the 2 GB budget next to the polars frame
DUCKDB_MEMORY_LIMIT = "1GB"

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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def closest_header(wanted: str, headers: list[str]) -> str | None:
    """The header a person most likely meant (compared after NFKC normalisation)."""
    by_norm = {normalise_header(h): h for h in headers}
    match = difflib.get_close_matches(normalise_header(wanted), list(by_norm), n=1, cutoff=0.3)
    return by_norm[match[0]] if match else None


def plan_headers(contract: Contract, file_headers: list[str], name: str) -> HeaderPlan:
    """Map a file's headers to the contract; raise QuarantineError for missing required ones."""
    by_norm = {normalise_header(h): h for h in file_headers}
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
        unused = [h for h in file_headers if h not in used]
        nearest = closest_header(column.source, unused)
        hint = f"; the closest header in the file is {nearest!r}" if nearest else ""
        if column.required:
            errors.append(
                FileProblem(
                    "missing_required_column",
                    f"{name} lacks the required column {column.source!r} ({column.name}){hint}. "
                    f"If the system renamed it, add {nearest or 'the new header'!r} to its aliases "
                    f"in {contract.path.name}",
                    column=column.source,
                    value=nearest,
                    expected=column.source,
                )
            )
        else:
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


def _bad_cells_sql(contract: Contract, plan: HeaderPlan) -> str:
    items = error_items(contract, plan.headers)
    if not items:
        return (
            "select cast(null as bigint) as _row_number, cast(null as varchar) as column_name, "
            "cast(null as varchar) as source_column, cast(null as varchar) as value, "
            "cast(null as varchar) as reason, cast(null as varchar) as expected limit 0"
        )
    return f"""
        select _row_number, e.column_name, e.source_column, e.value, e.reason, e.expected
        from (
            select _row_number,
                   unnest(list_filter([{", ".join(items)}], lambda x: x is not null)) as e
            from incoming
        )
    """


def _find_bad_rows(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, plan: HeaderPlan, total: int
) -> int:
    """Fill temp table ``_bad`` with every bad cell; quarantine when over the tolerance."""
    con.execute(f"create or replace temp table _bad as {_bad_cells_sql(ctx.contract, plan)}")
    bad_rows = con.execute("select count(distinct _row_number) from _bad").fetchone()[0]
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


def _check_duplicate_keys(con: duckdb.DuckDBPyConnection, ctx: _FileContext, plan: HeaderPlan):
    contract = ctx.contract
    if not contract.primary_key:
        return
    keys = [
        f"{value_expr(contract.column(k), plan.headers[k])} as {quote(k)}"  # type: ignore[arg-type]
        for k in contract.primary_key
    ]
    key_names = ", ".join(quote(k) for k in contract.primary_key)
    rows = con.execute(
        f"""
        with keyed as (
            select {", ".join(keys)}, _row_number
            from incoming anti join (select distinct _row_number from _bad) using (_row_number)
        ),
        doubled as (
            select {key_names}, count(*) as n, list(_row_number order by _row_number) as rows
            from keyed group by all having count(*) > 1
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


def _enum_warnings(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, plan: HeaderPlan
) -> list[FileProblem]:
    checked = [
        (c, plan.headers[c.name]) for c in ctx.contract.columns if c.enum and plan.headers[c.name]
    ]
    if not checked:
        return []
    selects = []
    for column, header in checked:
        condition = enum_violation_expr(column, header)  # type: ignore[arg-type]
        selects.append(f"count(*) filter (where {condition})")
        selects.append(
            f"(list(distinct {text_expr(header)}) filter (where {condition}))[1:5]"  # type: ignore[arg-type]
        )
    found = con.execute(f"select {', '.join(selects)} from incoming").fetchone()
    warnings = []
    for index, (column, header) in enumerate(checked):
        count, codes = found[2 * index], found[2 * index + 1]
        if count:
            warnings.append(
                FileProblem(
                    "unknown_enum_code",
                    f"{ctx.relative}: {count} value(s) of {header!r} are not known codes "
                    f"(e.g. {', '.join(map(str, codes or []))}); landed as sent",
                    WARNING,
                    column=header,
                    value=", ".join(map(str, codes or [])),
                    expected=column.expected(),
                )
            )
    return warnings


def _create_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract, extras: list[str]):
    con.execute(f"create schema if not exists {contract.raw_schema}")
    columns = raw_table_ddl(contract)
    ddl = ", ".join(f"{quote(name)} {type_}" for name, type_ in columns)
    con.execute(f"create table if not exists {contract.raw_table} ({ddl})")
    # a contract that gained a column, or a file with an extra one: widen, never rewrite
    for name, type_ in columns + [(e, "varchar") for e in extras]:
        con.execute(
            f"alter table {contract.raw_table} add column if not exists {quote(name)} {type_}"
        )


def _insert_rows(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, plan: HeaderPlan, bad_rows: int
) -> int:
    contract = ctx.contract
    selects = [item for c in contract.columns for item in select_exprs(c, plan.headers[c.name])]
    selects += [f"{text_expr(header)} as {quote(name)}" for name, header in plan.extras.items()]
    source = "incoming"
    if bad_rows:
        source = "incoming anti join (select distinct _row_number from _bad) using (_row_number)"
    con.execute(
        f"""
        insert into {contract.raw_table} by name
        select {", ".join(selects)},
               {literal(ctx.relative)} as _file, {literal(ctx.digest)} as _file_hash,
               cast(_row_number as bigint) as _row_number,
               cast({literal(ctx.loaded_at.isoformat(sep=" "))} as timestamp) as _loaded_at,
               {literal(ctx.batch_id)} as _batch_id
        from {source}
        """
    )
    return con.execute("select count(*) from incoming").fetchone()[0] - bad_rows


def _insert_rejects(con: duckdb.DuckDBPyConnection, ctx: _FileContext) -> None:
    con.execute(
        f"""
        insert into {REJECTS_TABLE}
        select {literal(ctx.digest)}, {literal(ctx.relative)}, {literal(ctx.contract.source)},
               {literal(ctx.contract.entity)}, b._row_number, b.column_name, b.source_column,
               b.value, b.reason, b.expected, to_json(i), {literal(ctx.batch_id)},
               cast({literal(ctx.loaded_at.isoformat(sep=" "))} as timestamp)
        from _bad b join incoming i using (_row_number)
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
    version = con.execute(
        f"select count(distinct file_hash) + 1 from {LEDGER_TABLE} "
        "where file = ? and status = 'landed'",
        [ctx.relative],
    ).fetchone()[0]
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


def _land_one(con: duckdb.DuckDBPyConnection, ctx: _FileContext) -> FileOutcome:
    """Read, check and insert one file in one transaction; raise QuarantineError if it breaks."""
    started = time.perf_counter()
    table = read_extract(ctx.path, ctx.contract, ctx.relative)
    plan = plan_headers(ctx.contract, table.frame.columns, ctx.relative)
    frame = table.frame.with_row_index("_row_number", offset=1)
    total = frame.height
    con.register("incoming", frame)
    try:
        bad_rows = _find_bad_rows(con, ctx, plan, total)
        _check_duplicate_keys(con, ctx, plan)
        problems = plan.warnings + _enum_warnings(con, ctx, plan)
        if bad_rows:
            problems.append(
                FileProblem(
                    "rejected_row",
                    f"{ctx.relative}: {bad_rows} row(s) rejected (within the tolerance of "
                    f"{ctx.contract.max_rejected_fraction:.1%}); see {REJECTS_TABLE}",
                    WARNING,
                )
            )
        con.execute("begin transaction")
        try:
            _create_raw_table(con, ctx.contract, list(plan.extras))
            rows = _insert_rows(con, ctx, plan, bad_rows)
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
        con.unregister("incoming")
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
) -> LandingReport:
    """Land every extract under ``landing_dir`` (or its ``subdir``) that the ledger lacks.

    ``quarantine_dir`` defaults to ``quarantine/`` next to ``landing_dir`` (TANDEM_HOME layout).
    """
    started = time.perf_counter()
    contracts = load_contracts() if contracts is None else contracts
    quarantine_dir = quarantine_dir or landing_dir.parent / "quarantine"
    report = LandingReport(batch_id=uuid.uuid4().hex[:12])
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    files = list_extract_files(landing_dir, subdir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        ensure_meta(con)
        done = _already_done(con)
        for index, (path, relative) in enumerate(files, start=1):
            contract = match_contract(relative, contracts)
            if contract is None:
                report.files.append(FileOutcome(relative, "", "unmatched"))
                continue
            digest = file_sha256(path)
            seen = done.get(digest, set())
            if "landed" in seen or contract.fingerprint in seen:
                report.files.append(FileOutcome(relative, contract.name, "skipped"))
                continue
            ctx = _FileContext(
                path, relative, contract, digest, path.stat().st_size, report.batch_id, loaded_at
            )
            outcome = land_file(con, ctx, quarantine_dir)
            done.setdefault(digest, set()).add(
                "landed" if outcome.status == "landed" else contract.fingerprint
            )
            report.files.append(outcome)
            if progress:
                detail = f"{outcome.rows:,} rows" if outcome.status == "landed" else outcome.status
                extra = f" ({outcome.problems[0]})" if outcome.problems else ""
                progress(
                    f"[{index}/{len(files)}] {relative}: {detail} -> {contract.raw_table}{extra}"
                )
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def land_file(
    con: duckdb.DuckDBPyConnection, ctx: _FileContext, quarantine_dir: Path
) -> FileOutcome:
    """Land one file; a broken file is quarantined, an unexpected error is recorded as failed."""
    started = time.perf_counter()
    try:
        return _land_one(con, ctx)
    except QuarantineError as broken:
        return _quarantine(con, ctx, broken.problems, quarantine_dir, time.perf_counter() - started)
    except (duckdb.Error, pl.exceptions.PolarsError, OSError, ValueError) as error:
        # nothing of the file is kept (the transaction rolled back); a later landing retries it
        problem = FileProblem("load_failed", f"{ctx.relative}: {type(error).__name__}: {error}")
        con.execute("begin transaction")
        _insert_problems(con, ctx, [problem])
        _record_ledger(con, ctx, "failed", 0, 0, [problem], None, time.perf_counter() - started)
        con.execute("commit")
        return FileOutcome(ctx.relative, ctx.contract.name, "failed", problems=[str(problem)])


def ledger_frame(db_path: Path) -> pl.DataFrame:
    """The whole ledger, newest first (for reports and tests)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(f"select * from {LEDGER_TABLE} order by loaded_at desc, file").pl()
