"""Quality gates with real runs: results recorded every run, error-level failures block publishing.

The good run is the session's first run of the pipeline slice's hand-written ERP extract
(``slice_run``, tests/foundation/conftest.py), read from a copy; each failure scenario copies it
again, breaks something in the build file and runs `tandem run --full-refresh` in a child process,
with a real local SMTP server and a real webhook receiving the alerts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.quality_gate import blocked_message
from orchestration.settings import TandemSettings
from orchestration.source_freshness import (
    freshness_results,
    landed_sources,
    run_source_freshness,
)
from tests.conftest import copy_home, run_tandem
from tests.foundation.alert_servers import smtp_server, webhook_server

# a tiny run takes 2-3 min on an idle machine; a loaded one needs far longer
RUN_TIMEOUT = 1800


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def good_home(slice_run, tmp_path_factory: pytest.TempPathFactory):
    home, summary = slice_run
    return copy_home(home, tmp_path_factory.mktemp("gate") / "home"), summary


def _copy(settings: TandemSettings, to: Path) -> TandemSettings:
    return copy_home(settings.root, to)


def test_a_good_run_records_every_check_and_publishes(good_home) -> None:
    settings, summary = good_home
    assert summary["quality"]["blocked"] is False
    stages = {s["stage"] for s in summary["stages"]}
    assert {"quality_gate", "serving_warehouse"} <= stages
    # the serving file carries the history: this run's results, by layer and status
    found = dict(
        _rows(
            settings.serving_db,
            "select layer, count(*) from quality.check_results "
            f"where run_id = '{summary['run_id']}' group by layer",
        )
    )
    assert {"raw", "staging", "marts", "reconciliation", "freshness"} <= set(found)
    statuses = _rows(
        settings.serving_db,
        "select status, count(*) from quality.check_results group by status",
    )
    assert "fail" not in dict(statuses)
    # the extract landed minutes ago: every landed source is fresh
    fresh = _rows(
        settings.serving_db,
        "select asset, status from quality.check_results where layer = 'freshness'",
    )
    assert ("raw_erp.sales_invoices", "pass") in fresh
    # every mart row is validated by GX, and the reconciliations ran on the tiny extract
    marts = _rows(
        settings.serving_db,
        "select rows_checked from quality.check_results where asset = 'finance.rpt_revenue_monthly'"
        " and check_name like 'gx:%unique%'",
    )
    assert marts == [(3,)]  # Jan, Feb, Mar 2026


def test_a_broken_raw_key_blocks_publishing_and_alerts(
    good_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _copy(good_home[0], tmp_path / "duplicate")
    before = _digest(settings.serving_db)
    # a document twice in one file: what landing promises, broken behind its back
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(
            "insert into raw_erp.sales_invoices select * from raw_erp.sales_invoices "
            "where invoice_no = 'FP0003'"
        )
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        completed = run_tandem(
            "run",
            "--full-refresh",
            "--json",
            env={
                "TANDEM_HOME": str(settings.root),
                "TANDEM_ALERT_SMTP_HOST": "127.0.0.1",
                "TANDEM_ALERT_SMTP_PORT": str(port),
                "TANDEM_ALERT_SMTP_TO": "ops@example.com",
                "TANDEM_ALERT_WEBHOOK_URL": url,
            },
            timeout=RUN_TIMEOUT,
        )
    assert completed.returncode == 1, completed.stderr[-3000:]
    last = completed.stderr.strip().splitlines()[-1]
    # which check, where, on which rows, what to do: in the last line
    assert last.startswith("tandem run: publishing blocked by 1 error-level check(s)"), last
    assert "gx_raw_suite on raw_erp/sales_invoices" in last
    assert "expect_compound_columns_to_be_unique" in last
    assert "on column _file_hash, invoice_no" in last
    assert "2 unexpected" in last  # the two copies of FP0003's line
    assert "land a corrected file" in last
    # the serving file is the last good build, untouched
    assert _digest(settings.serving_db) == before
    summary = json.loads(completed.stdout)
    failed = summary["quality"]["failed_checks"]
    assert [(c["check_name"], c["asset"], c["layer"]) for c in failed] == [
        ("gx_raw_suite", "raw_erp/sales_invoices", "raw")
    ]
    assert summary["quality"]["alerts"] == ["email", "webhook"]
    assert len(inbox) == 1
    assert inbox[0]["Subject"].endswith("blocked: gx_raw_suite on raw_erp/sales_invoices")
    assert "expect_compound_columns_to_be_unique" in inbox[0].get_content()
    assert posts[0]["run_id"] == summary["run_id"]
    assert posts[0]["failed_checks"][0]["asset"] == "raw_erp/sales_invoices"
    # the blocked run's results stay in the build file for the history
    recorded = _rows(
        settings.build_db,
        "select status, count(*) from quality.check_results "
        f"where run_id = '{summary['run_id']}' group by status",
    )
    assert dict(recorded)["fail"] == 1
    # readers learn it at once, before any good publish: the Data quality page says the newest
    # run was blocked and by which check, beside the last good build's figures
    report = json.loads((settings.warehouse_dir / "last_run.json").read_text("utf-8"))
    assert (report["run_id"], report["status"]) == (summary["run_id"], "blocked")
    from dashboards.i18n import t
    from tests.dashboards.conftest import open_page

    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    app = open_page("data_quality")
    banner = app.error[0].value
    assert banner.startswith(t("dq.last_run_blocked", when="", failed="1", message="")[:16])
    assert "blocked by 1 error-level checks" in banner and "gx_raw_suite" in banner
    unpublished = next(d.value for d in app.dataframe if "check_name" in d.value.columns)
    assert list(unpublished["check_name"]) == ["gx_raw_suite"]
    assert list(unpublished["asset"]) == ["raw_erp/sales_invoices"]


def test_stale_sources_fail_freshness_at_error_level(good_home, tmp_path: Path) -> None:
    settings = _copy(good_home[0], tmp_path / "stale")
    # the ERP extracts landed ten days ago: past error_after (7 days) in the sources YAML
    with duckdb.connect(str(settings.build_db)) as con:
        for (table,) in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema = 'raw_erp'"
        ).fetchall():
            con.execute(f"update {table} set _loaded_at = _loaded_at - interval 10 days")
        selection = landed_sources(con)
    results = freshness_results(run_source_freshness(settings, selection), "stale-run")
    by_table = {r.asset: r for r in results}
    assert set(by_table) == {"raw_erp.customers", "raw_erp.sales_invoices"}
    invoices = by_table["raw_erp.sales_invoices"]
    assert (invoices.severity, invoices.status) == ("error", "fail")
    message = blocked_message(results)
    assert message is not None
    assert "freshness check source_freshness on raw_erp.sales_invoices" in message
    assert "landed 10 d" in message and "error after 7 days" in message
    assert "land a new extract" in message


def test_the_data_quality_page_shows_checks_and_runs(good_home, monkeypatch) -> None:
    from dashboards.i18n import t
    from tests.dashboards.conftest import open_page

    settings, summary = good_home
    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    app = open_page("data_quality")
    assert not app.exception
    # the newest run published: no "did not publish" notice
    assert (
        json.loads((settings.warehouse_dir / "last_run.json").read_text("utf-8"))["status"]
        == "success"
    )
    assert not [e.value for e in app.error if "did not publish" in e.value]
    headers = [h.value for h in app.subheader]
    assert t("dq.checks") in headers and t("dq.pipeline_runs") in headers
    checks = _rows(
        settings.serving_db,
        f"select count(*) from quality.check_results where run_id = '{summary['run_id']}'",
    )[0][0]
    frames = {tuple(d.value.columns): d.value for d in app.dataframe}
    latest = next(v for k, v in frames.items() if "check_name" in k)
    assert len(latest) == checks
    runs = next(v for k, v in frames.items() if "steps" in k)
    assert summary["run_id"][:8] in list(runs["run_id"])
    assert "quality_gate" in runs["steps"].iloc[0]
