"""`tandem run` with nothing new to land says so and skips the build (issue #18).

The home is made by the real parts a run uses around the build (landing, publish, the publish
record), not by a whole run: the check runs before Dagster and dbt, and a whole tiny run takes
minutes on a busy machine. The CLI is the real one, in a child process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pytest

from ingestion.landing import land_directory
from orchestration.publish import compact, publish
from orchestration.settings import TandemSettings
from orchestration.uptodate import (
    gated_build_unchanged,
    gated_build_waiting,
    record_gated_build,
    record_publish,
    refresh_gated_identity,
    why_rebuild,
)
from tests.conftest import run_tandem
from tests.ingestion.conftest import INVOICE_HEADER, invoice_row, write_csv

INVOICES = "erp/sales_invoices.csv"


@pytest.fixture
def published_home(tmp_path: Path) -> TandemSettings:
    """A home whose landing folder has landed and whose build was published and recorded."""
    settings = TandemSettings(home=tmp_path / "home")
    settings.ensure_dirs()
    write_csv(settings.landing_dir / INVOICES, INVOICE_HEADER, [invoice_row(n) for n in (1, 2, 3)])
    report = land_directory(
        settings.build_db, settings.landing_dir, quarantine_dir=settings.quarantine_dir
    )
    assert report.count("landed") == 1
    publish(settings.build_db, settings.serving_db)
    record_publish(settings)
    return settings


def test_second_run_with_nothing_new_skips_the_build(published_home: TandemSettings) -> None:
    settings = published_home
    build_mtime = settings.build_db.stat().st_mtime_ns
    serving_mtime = settings.serving_db.stat().st_mtime_ns
    env = {**os.environ, "TANDEM_HOME": str(settings.root)}
    completed = run_tandem("run", "--json", env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    summary = json.loads(completed.stdout)
    assert summary["status"] == "success"
    assert [(s["stage"], s["status"]) for s in summary["stages"]] == [("up_to_date", "skipped")]
    reason = summary["stages"][0]["problems"][0]
    assert reason.startswith("nothing new to land and nothing changed since the last publish (")
    assert reason.endswith("`tandem run --full-refresh` rebuilds anyway")
    # nothing was landed, rebuilt or republished
    assert settings.build_db.stat().st_mtime_ns == build_mtime
    assert settings.serving_db.stat().st_mtime_ns == serving_mtime


def test_a_new_file_or_a_changed_setting_means_a_rebuild(published_home: TandemSettings) -> None:
    settings = published_home
    assert why_rebuild(settings) is None
    (settings.landing_dir / "notes.txt").write_text("not an extract", "utf-8")
    assert why_rebuild(settings) is None  # a file no contract claims changes nothing
    as_of = TandemSettings(home=settings.root, as_of_date=dt.date(2020, 1, 1))
    assert why_rebuild(as_of) == "the ledger, a contract, the dbt project or the as-of date changed"
    drop = settings.landing_dir / "drops/2099-01-02" / INVOICES
    write_csv(drop, INVOICE_HEADER, [invoice_row(4)])
    assert why_rebuild(settings) == "1 new file(s) to land: drops/2099-01-02/erp/sales_invoices.csv"
    drop.unlink()
    assert why_rebuild(settings) is None
    settings.serving_db.unlink()
    assert why_rebuild(settings) == "nothing is published yet"


@pytest.fixture
def gated_home(tmp_path: Path) -> TandemSettings:
    """A home whose landed build passed its gate (recorded as the gate does) and was never
    published: the state a run killed or failed in publish leaves."""
    settings = TandemSettings(home=tmp_path / "home")
    settings.ensure_dirs()
    write_csv(settings.landing_dir / INVOICES, INVOICE_HEADER, [invoice_row(n) for n in (1, 2, 3)])
    land_directory(settings.build_db, settings.landing_dir, quarantine_dir=settings.quarantine_dir)
    record_gated_build(settings, "run-that-was-killed")
    return settings


def test_a_gated_build_is_waiting_until_anything_changes(gated_home: TandemSettings) -> None:
    settings = gated_home
    assert why_rebuild(settings) == "nothing is published yet"
    assert gated_build_waiting(settings)["run_id"] == "run-that-was-killed"
    # another as-of date, a new file in landing/, or any write to the build file: rebuild
    as_of = TandemSettings(home=settings.root, as_of_date=dt.date(2020, 1, 1))
    assert gated_build_waiting(as_of) is None
    drop = settings.landing_dir / "drops/2099-01-02" / INVOICES
    write_csv(drop, INVOICE_HEADER, [invoice_row(4)])
    assert gated_build_waiting(settings) is None
    drop.unlink()
    assert gated_build_waiting(settings) is not None
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create table half_built as select 1 as x")
    assert not gated_build_unchanged(settings)
    assert gated_build_waiting(settings) is None


def test_a_compacted_build_stays_gated_through_publish(gated_home: TandemSettings) -> None:
    settings = gated_home
    with duckdb.connect(str(settings.build_db)) as con:  # leave most of the file free
        con.execute("create table big as select range as n from range(3000000)")
        con.execute("drop table big")
    record_gated_build(settings, "run-2")
    assert compact(settings.build_db, min_free_share=0.01)
    assert not gated_build_unchanged(settings)  # a new file: the record no longer names it
    record = gated_build_waiting(settings)
    assert record is None
    record_gated_build(settings, "run-2")  # as the gate would have, before the compaction
    size_before = settings.build_db.stat().st_size
    refresh_gated_identity(settings)
    assert gated_build_waiting(settings)["run_id"] == "run-2"
    assert settings.build_db.stat().st_size == size_before


def test_a_run_publishes_a_gated_build_without_building(gated_home: TandemSettings) -> None:
    settings = gated_home
    env = {**os.environ, "TANDEM_HOME": str(settings.root)}
    completed = run_tandem("run", "--json", env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    summary = json.loads(completed.stdout)
    assert [(s["stage"], s["status"]) for s in summary["stages"]] == [
        ("gated_build", "reused"),
        ("quality_gate", "success"),  # checked again: freshness may have run out meanwhile
        ("serving_warehouse", "success"),
    ]
    assert "run run-that" in summary["stages"][0]["problems"][0]
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        landed = con.execute(
            "select rows from raw_meta.file_ledger where status = 'landed'"
        ).fetchall()
        checked = con.execute(
            "select count(distinct run_id) from quality.check_results where run_id = ?",
            [summary["run_id"]],
        ).fetchone()[0]
    assert landed == [(3,)]  # the gated build's landing, published as it was
    assert checked == 1  # with the checks this run's gate made
    # published: the record is gone and the next run has nothing to do
    assert gated_build_waiting(settings) is None
    assert why_rebuild(settings) is None
