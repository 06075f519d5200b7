"""Land extract files into append-only ``raw_<source>.<entity>`` tables of the build file.

Each file lands whole or not at all (one transaction), is recorded in a ledger keyed by its
SHA-256, and landing the same bytes again changes nothing.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl

from ingestion.contracts import Contract, load_contracts

LEDGER_TABLE = "raw_meta.file_ledger"


@dataclass
class FileOutcome:
    file: str
    entity: str
    status: str  # landed | skipped (already in ledger) | unmatched
    rows: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class LandingReport:
    batch_id: str
    seconds: float = 0.0
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw_meta")
    con.execute(
        f"""
        create table if not exists {LEDGER_TABLE} (
            file_hash varchar primary key,
            file varchar not null,
            entity varchar not null,
            size_bytes bigint not null,
            status varchar not null,
            rows bigint not null,
            problems varchar,
            batch_id varchar not null,
            loaded_at timestamp not null
        )
        """
    )


def read_text_table(path: Path, contract: Contract) -> pl.DataFrame:
    """Read a delimited extract as strings, trying the contract's encodings in order."""
    raw = path.read_bytes()
    for encoding in contract.encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pl.read_csv(text.encode("utf-8"), infer_schema=False)
    raise ValueError(f"{path}: not readable as any of {', '.join(contract.encodings)}")


def _insert(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    contract: Contract,
    lineage: dict[str, str],
) -> int:
    missing = [c.source for c in contract.columns if c.required and c.source not in frame.columns]
    if missing:
        raise ValueError(f"missing required column(s) {missing}; found {frame.columns}")
    selects = [
        f"try_cast(nullif(trim(\"{c.source}\"), '') as {c.type}) as {c.name}"
        if c.source in frame.columns
        else f"cast(null as {c.type}) as {c.name}"
        for c in contract.columns
    ]
    # line number in the file as a user sees it in an editor: the header is line 1
    incoming = frame.with_row_index("_row_number", offset=2)
    con.execute(f"create schema if not exists {contract.raw_schema}")
    con.register("incoming", incoming)
    try:
        select = f"""
            select {", ".join(selects)},
                   $file as _file, $file_hash as _file_hash,
                   cast(_row_number as bigint) as _row_number,
                   cast($loaded_at as timestamp) as _loaded_at, $batch_id as _batch_id
            from incoming
        """
        con.execute(f"create table if not exists {contract.raw_table} as {select} limit 0", lineage)
        con.execute(f"insert into {contract.raw_table} by name {select}", lineage)
    finally:
        con.unregister("incoming")
    return incoming.height


def match_contract(relative: PurePosixPath, contracts: Iterable[Contract]) -> Contract | None:
    return next((c for c in contracts if c.matches(relative)), None)


def land_directory(
    db_path: Path,
    landing_dir: Path,
    contracts: list[Contract] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LandingReport:
    """Land every extract under ``landing_dir`` that a contract claims and the ledger lacks."""
    started = time.perf_counter()
    contracts = load_contracts() if contracts is None else contracts
    report = LandingReport(batch_id=uuid.uuid4().hex[:12])
    files = sorted(p for p in landing_dir.rglob("*") if p.is_file())
    con = duckdb.connect(str(db_path))
    try:
        ensure_ledger(con)
        for index, path in enumerate(files, start=1):
            relative = PurePosixPath(path.relative_to(landing_dir).as_posix())
            contract = match_contract(relative, contracts)
            if contract is None:
                report.files.append(FileOutcome(str(relative), "", "unmatched"))
                continue
            digest = file_sha256(path)
            seen = con.execute(
                f"select 1 from {LEDGER_TABLE} where file_hash = ?", [digest]
            ).fetchone()
            if seen:
                report.files.append(FileOutcome(str(relative), contract.entity, "skipped"))
                continue
            frame = read_text_table(path, contract)
            lineage = {
                "file": str(relative),
                "file_hash": digest,
                "loaded_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "batch_id": report.batch_id,
            }
            con.execute("begin transaction")
            try:
                rows = _insert(con, frame, contract, lineage)
                con.execute(
                    f"insert into {LEDGER_TABLE} values (?, ?, ?, ?, 'landed', ?, null, ?, now())",
                    [
                        digest,
                        str(relative),
                        contract.entity,
                        path.stat().st_size,
                        rows,
                        report.batch_id,
                    ],
                )
                con.execute("commit")
            except Exception:
                con.execute("rollback")
                raise
            report.files.append(FileOutcome(str(relative), contract.entity, "landed", rows))
            if progress:
                progress(f"[{index}/{len(files)}] {relative}: {rows} rows -> {contract.raw_table}")
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report
