"""Is the published warehouse up to date? Then `tandem run` says so instead of rebuilding.

After every successful publish the build file records a fingerprint of what the build used
(:func:`record_publish`): the file ledger (every landed or quarantined file's hash), the contracts,
the dbt manifest and the as-of date setting. Before a run, :func:`why_rebuild` compares that with
now and looks for files in ``landing/`` that no landing has seen; when nothing differs, the run
is skipped in seconds (``tandem run --full-refresh`` rebuilds anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import duckdb

from ingestion.contracts import load_contracts
from ingestion.landing import list_extract_files, match_contract
from ingestion.ledger import LEDGER_TABLE, META_SCHEMA, file_sha256
from orchestration.settings import DBT_PROJECT_DIR, TandemSettings

PUBLISHES_TABLE = f"{META_SCHEMA}.publishes"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def _ledger_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        f"select file_hash, status, contract_fingerprint from {LEDGER_TABLE} "
        "where status in ('landed', 'quarantined') order by all"
    ).fetchall()


def build_inputs_digest(con: duckdb.DuckDBPyConnection, settings: TandemSettings) -> str:
    """A digest of everything a build reads: ledger, contracts, dbt manifest, as-of date."""
    digest = hashlib.sha256()
    for row in _ledger_rows(con):
        digest.update(repr(row).encode())
    for contract in load_contracts():
        digest.update(f"{contract.name}:{contract.fingerprint}".encode())
    digest.update(file_sha256(MANIFEST).encode() if MANIFEST.exists() else b"no manifest")
    digest.update(str(settings.as_of_date).encode())
    return digest.hexdigest()


def record_publish(settings: TandemSettings) -> str:
    """Note in the build file what the build just published was made from."""
    # no config, like the publish checkpoint: no other connection to the build is open now
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(f"create schema if not exists {META_SCHEMA}")
        con.execute(
            f"create table if not exists {PUBLISHES_TABLE} "
            "(published_at timestamp not null, inputs_digest varchar not null)"
        )
        digest = build_inputs_digest(con, settings)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        con.execute(f"insert into {PUBLISHES_TABLE} values (?, ?)", [now, digest])
    return digest


def _new_files(con: duckdb.DuckDBPyConnection, settings: TandemSettings) -> list[str]:
    """Files under landing/ a contract claims whose bytes no landing has seen."""
    contracts = load_contracts()
    done = {(digest, status, fingerprint) for digest, status, fingerprint in _ledger_rows(con)}
    landed = {d for d, status, _ in done if status == "landed"}
    quarantined = {(d, f) for d, status, f in done if status == "quarantined"}
    new = []
    for path, relative in list_extract_files(settings.landing_dir):
        contract = match_contract(relative, contracts)
        if contract is None:
            continue
        digest = file_sha256(path)
        if digest not in landed and (digest, contract.fingerprint) not in quarantined:
            new.append(relative)
    return new


def why_rebuild(settings: TandemSettings) -> str | None:
    """Why a run must build (a sentence), or None when the last publish is up to date."""
    if not settings.serving_db.exists() or not settings.build_db.exists():
        return "nothing is published yet"
    try:
        con = duckdb.connect(str(settings.build_db), read_only=True)
    except duckdb.Error as error:
        return f"the build file cannot be read ({str(error).splitlines()[0]})"
    try:
        try:
            last = con.execute(
                f"select published_at, inputs_digest from {PUBLISHES_TABLE} "
                "order by published_at desc limit 1"
            ).fetchall()
        except duckdb.CatalogException:
            return "no publish is recorded in the build file"
        if not last:
            return "no publish is recorded in the build file"
        new = _new_files(con, settings)
        if new:
            more = f" and {len(new) - 3} more" if len(new) > 3 else ""
            return f"{len(new)} new file(s) to land: {', '.join(new[:3])}{more}"
        if build_inputs_digest(con, settings) != last[0][1]:
            return "the ledger, a contract, the dbt project or the as-of date changed"
    finally:
        con.close()
    return None


def last_publish(settings: TandemSettings) -> dt.datetime | None:
    """When the last recorded publish happened (UTC), if any."""
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        rows = con.execute(f"select max(published_at) from {PUBLISHES_TABLE}").fetchall()
    return rows[0][0] if rows else None


# A build that passed its quality gate but was not published (the run was killed or failed in
# publish, or `tandem build` gated it): the next `tandem run` publishes it instead of rebuilding.
# The record lives beside the build file, not in it, so writing it leaves the file untouched; it
# names the file's size and modification time, which any later write changes.
GATED_RECORD = "gated.json"


def _gated_path(settings: TandemSettings) -> Path:
    return settings.build_db.with_name(GATED_RECORD)


def _file_identity(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _write_gated(settings: TandemSettings, record: dict) -> None:
    path = _gated_path(settings)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(partial, path)


def record_gated_build(settings: TandemSettings, run_id: str) -> None:
    """Note that the build file as it is now passed the quality gate of run ``run_id``
    (called by the gate after its last write)."""
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        digest = build_inputs_digest(con, settings)
    gated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")
    _write_gated(
        settings,
        {
            "run_id": run_id,
            "gated_at": gated_at,
            "inputs_digest": digest,
            "build_file": _file_identity(settings.build_db),
        },
    )


def _read_gated(settings: TandemSettings) -> dict | None:
    try:
        record = json.loads(_gated_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def gated_build_unchanged(settings: TandemSettings) -> bool:
    """Whether the build file is still the one the last passed gate recorded."""
    record = _read_gated(settings)
    return (
        record is not None
        and settings.build_db.exists()
        and record.get("build_file") == _file_identity(settings.build_db)
    )


def refresh_gated_identity(settings: TandemSettings) -> None:
    """After publish compacted the build file (same tables, a new file), point the record at
    it; call only when :func:`gated_build_unchanged` held before the compaction."""
    record = _read_gated(settings)
    if record is not None:
        _write_gated(settings, {**record, "build_file": _file_identity(settings.build_db)})


def clear_gated_build(settings: TandemSettings) -> None:
    """Forget the gated build (it was published)."""
    _gated_path(settings).unlink(missing_ok=True)


def gated_build_waiting(settings: TandemSettings) -> dict | None:
    """The record of a gated, unpublished build that the next run can publish as it is: the
    build file has not changed since its gate passed, nothing new waits in landing/, and the
    ledger, contracts, dbt project and as-of date are what it was built from. Else None."""
    record = _read_gated(settings)
    if record is None or not gated_build_unchanged(settings):
        return None
    try:
        con = duckdb.connect(str(settings.build_db), read_only=True)
    except duckdb.Error:
        return None
    try:
        if _new_files(con, settings):
            return None
        if build_inputs_digest(con, settings) != record.get("inputs_digest"):
            return None
    except duckdb.CatalogException:
        return None  # no ledger: nothing was landed into this file
    finally:
        con.close()
    return record
