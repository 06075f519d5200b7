"""Land extract files into append-only ``raw_<source>.<entity>`` tables of the build file.

The parts: ``ingestion.readers`` (reading), ``ingestion.headers`` (header mapping),
``ingestion.staging`` (typing, checks, inserts), ``ingestion.ledger`` (``raw_meta`` bookkeeping)
and ``ingestion.quarantine``; this module runs them file by file.

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

import contextlib
import csv
import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl

from ingestion import ledger, quarantine, staging
from ingestion.contracts import Contract, drop_date_of, load_contracts
from ingestion.encodings import Transcoded, transcode_ahead
from ingestion.ledger import FileContext
from ingestion.problems import WARNING, FileProblem, QuarantineError
from ingestion.readers import read_extract

DROP_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")


# tables landed side by side (see land_directory); files of one table always land in order.
# 1 by default: on the shared 2-core machine two workers took 52 s for the medium extract
# against 42 s for one (DuckDB already uses both cores for the big files, and two big files
# staged at once press on the memory limit); more may pay on an idle or larger machine.
LANDING_WORKERS = 1


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
    # quarantined files (this batch's and earlier ones) that no good version has replaced yet
    open_quarantines: dict[str, list[str]] = field(default_factory=dict)

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


def _land_one(con: duckdb.DuckDBPyConnection, ctx: FileContext) -> FileOutcome:
    """Read, check and insert one file in one transaction; raise QuarantineError if it breaks."""
    started = time.perf_counter()
    try:
        table = read_extract(
            con,
            ctx.path,
            ctx.contract,
            lambda from_sql, row_number, headers, malformed: staging.stage_rows(
                con, ctx, from_sql, row_number, headers, malformed
            )[0],
            ctx.relative,
            ctx.transcoded,
        )
        bad_rows = staging.find_bad_rows(con, ctx, table.rows)
        staging.check_duplicate_keys(con, ctx, bad_rows)
        problems = ctx.plan.warnings + staging.enum_warnings(con, ctx)
        if bad_rows:
            problems.append(staging.rejected_warning(con, ctx, bad_rows))
        con.execute("begin transaction")
        try:
            staging.create_raw_table(con, ctx.contract, list(ctx.plan.extras))
            rows = staging.insert_rows(con, ctx, bad_rows)
            if bad_rows:
                staging.insert_rejects(con, ctx)
            ledger.insert_problems(con, ctx, problems)
            seconds = time.perf_counter() - started
            ledger.record_ledger(
                con, ctx, "landed", rows, bad_rows, problems, table.encoding, seconds
            )
            con.execute("commit")
        except BaseException:
            # a commit that failed (a full disk) has rolled back already: keep its own error
            with contextlib.suppress(duckdb.TransactionException):
                con.execute("rollback")
            raise
    finally:
        staging.drop_staged(con)
    return FileOutcome(
        ctx.relative,
        ctx.contract.name,
        "landed",
        rows=rows,
        rejected_rows=bad_rows,
        problems=[str(p) for p in problems],
        seconds=round(seconds, 3),
    )


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
        digest = ledger.file_sha256(path)
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
                ctx = FileContext(
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
        ledger.ensure_meta(con)
        done = ledger.already_done(con)
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
        report.open_quarantines = ledger.open_quarantines(con)
    finally:
        con.close()
    report.files = [outcomes[index] for index in sorted(outcomes)]
    report.seconds = time.perf_counter() - started
    return report


# errors of the machine, not of the file: the file is recorded as failed and retried next time
MACHINE_ERRORS = (OSError, MemoryError, duckdb.IOException, duckdb.OutOfMemoryException)


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    ctx: FileContext,
    problems: list[FileProblem],
    quarantine_dir: Path,
    seconds: float,
) -> FileOutcome:
    target = quarantine.quarantine_file(con, ctx, problems, quarantine_dir, seconds)
    return FileOutcome(
        ctx.relative,
        ctx.contract.name,
        "quarantined",
        problems=[str(p) for p in problems[:20]],
        quarantine_path=str(target),
        seconds=round(seconds, 3),
    )


def land_file(
    con: duckdb.DuckDBPyConnection, ctx: FileContext, quarantine_dir: Path
) -> FileOutcome:
    """Land one file (see :func:`_land_or_quarantine`); a machine error records it as failed."""
    started = time.perf_counter()
    try:
        return _land_or_quarantine(con, ctx, quarantine_dir)
    except MACHINE_ERRORS as error:
        # nothing of the file is kept (the transaction rolled back); a later landing retries it
        problem = FileProblem("load_failed", f"{ctx.relative}: {type(error).__name__}: {error}")
        con.execute("begin transaction")
        ledger.insert_problems(con, ctx, [problem])
        ledger.record_ledger(
            con, ctx, "failed", 0, 0, [problem], None, time.perf_counter() - started
        )
        con.execute("commit")
        return FileOutcome(ctx.relative, ctx.contract.name, "failed", problems=[str(problem)])


def _land_or_quarantine(
    con: duckdb.DuckDBPyConnection, ctx: FileContext, quarantine_dir: Path
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
