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

import pytest

from ingestion.landing import land_directory
from orchestration.publish import publish
from orchestration.settings import TandemSettings
from orchestration.uptodate import record_publish, why_rebuild
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
