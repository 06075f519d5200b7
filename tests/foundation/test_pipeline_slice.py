"""The thin slice end to end: extract -> raw -> dbt staging -> mart -> Python model -> publish.

Runs the real CLI (real Dagster run, real dbt build, real DuckDB files) in a child process. The
first run is the session's ``slice_run`` (tests/foundation/conftest.py, shared with the quality
gate tests); this module lands and builds again in its own copy of that home.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import TandemSettings
from tests.conftest import copy_home, run_tandem
from tests.foundation.invoices import INVOICES, monthly_net, write_erp_extract


@pytest.fixture(scope="module")
def first_run(slice_run, tmp_path_factory: pytest.TempPathFactory):
    first_home, summary = slice_run
    # the later tests land and build again in this copy; the failure test starts from another
    # copy of the first published state instead of paying for a pipeline run of its own
    settings = copy_home(first_home, tmp_path_factory.mktemp("slice") / "home")
    return settings, {"TANDEM_HOME": str(settings.root)}, summary


def serving_rows(settings: TandemSettings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_run_reports_every_stage_with_rows(first_run) -> None:
    _, _, summary = first_run
    assert summary["command"] == "run"
    assert summary["status"] == "success"
    stages = {s["stage"]: s for s in summary["stages"]}
    assert set(stages) == {
        "land_extracts",
        "raw_quality_gx",
        "warehouse_staging",
        "identity__match_pairs",
        "warehouse_models",
        "ml_revenue_trend",
        "ml_rfm",
        "ml_clv",
        "ml_segments",
        "ml_channel_attribution",
        "ml_channel_mmm",
        "ml_churn",
        "quality_gate",
        "serving_warehouse",
    }
    assert all(s["status"] == "success" for s in stages.values())
    assert stages["land_extracts"]["rows"] == len(INVOICES) + 3  # + the 3 customers
    # the as-of date is the latest invoice day, 2026-03-15: March is not complete yet
    assert stages["ml_revenue_trend"]["rows"] == 2  # Jan, Feb 2026
    # three ERP customers and no CRM record: nothing to compare, an empty pairs table
    assert stages["identity__match_pairs"]["rows"] == 0
    assert stages["ml_rfm"]["rows"] == 0  # invoices but no sales order: nobody to score
    # too little data for CLV and clusters is a recorded skip, and the pipeline still publishes
    assert stages["ml_clv"]["rows"] == stages["ml_segments"]["rows"] == 0
    # no leads and no spend: both channel ROI steps skip, and the run still publishes
    assert stages["ml_channel_attribution"]["rows"] == 0
    assert stages["ml_channel_mmm"]["rows"] == 0
    assert stages["ml_churn"]["rows"] == 0  # no orders: a recorded skip
    assert all(s["seconds"] >= 0 for s in stages.values())


def test_mart_in_serving_file_matches_the_extract(first_run) -> None:
    settings, _, _ = first_run
    rows = serving_rows(
        settings,
        "select strftime(revenue_month, '%Y-%m'), invoice_count, customer_count, net_revenue "
        "from finance.rpt_revenue_monthly order by 1",
    )
    assert {month: net for month, _, _, net in rows} == monthly_net()
    # FP0002 has two VAT rates but is one invoice; Feb has an invoice and its credit note
    assert [(m, n, c) for m, n, c, _ in rows] == [
        ("2026-01", 2, 2),
        ("2026-02", 2, 1),
        ("2026-03", 1, 1),
    ]
    gross = serving_rows(settings, "select sum(gross_revenue) from finance.rpt_revenue_monthly")
    assert gross[0][0] == Decimal("8476.00")  # 1130 + 2825 + 424 + 3390 - 565 + 1272


def test_python_model_fits_the_mart(first_run) -> None:
    settings, _, _ = first_run
    rows = serving_rows(
        settings,
        "select net_revenue, fitted_net_revenue, slope_per_month, model_version "
        "from ml.revenue_trend order by revenue_month",
    )
    net = [r[0] for r in rows]
    # the warehouse's as-of date is the last invoice day, 2026-03-15: March is not complete
    assert net == [3900.0, 2500.0]
    assert rows[0][2] == pytest.approx(-1400.0)  # the line through 3900 and 2500
    assert rows[1][1] == pytest.approx(2500.0, rel=1e-6)
    assert rows[0][3] == "revenue_trend-1"


def test_models_without_orders_are_skipped_with_their_reason(first_run) -> None:
    settings, _, _ = first_run
    runs = serving_rows(
        settings,
        "select model, status, reason from ml.model_runs"
        " where model in ('clv', 'segments') order by model",
    )
    assert runs == [
        (
            "clv",
            "skipped",
            "only 0 customers bought on or before 2026-03-15; CLV needs at least 50",
        ),
        ("segments", "skipped", "no approved order on or before 2026-03-15: nobody to segment"),
    ]
    assert serving_rows(settings, "select count(*) from ml.clv") == [(0,)]


def test_raw_rows_carry_lineage(first_run) -> None:
    settings, _, _ = first_run
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        lineage = con.execute(
            "select _file, count(*), min(_row_number), max(_row_number), count(distinct _batch_id)"
            " from raw_erp.sales_invoices group by 1"
        ).fetchall()
    finally:
        con.close()
    # _row_number is the 1-based data row (header excluded), as in the quarantine reports
    assert lineage == [("erp/sales_invoices.csv", 6, 1, 6, 1)]


def test_second_run_lands_nothing_and_publishes_the_same_numbers(first_run) -> None:
    settings, env, _ = first_run
    before = serving_rows(settings, "select * from finance.rpt_revenue_monthly order by 1")
    completed = run_tandem("run", "--json", env=env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    stages = {s["stage"]: s for s in json.loads(completed.stdout)["stages"]}
    # nothing new: the run says the warehouse is up to date and builds nothing
    assert "warehouse_models" not in stages
    assert stages.get("land_extracts", {"rows": 0})["rows"] == 0
    after = serving_rows(settings, "select * from finance.rpt_revenue_monthly order by 1")
    assert after == before


def test_new_extract_reaches_the_serving_file(first_run) -> None:
    settings, env, _ = first_run
    april = [("FP0100", "2026-04-02", "CUST000004", 13, Decimal("777.00"))]
    write_erp_extract(settings.landing_dir, april, suffix="_2026-04")
    completed = run_tandem("run", env=env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "run: success" in completed.stderr
    rows = serving_rows(
        settings,
        "select net_revenue from finance.rpt_revenue_monthly where revenue_month = '2026-04-01'",
    )
    assert rows == [(Decimal("777.00"),)]


def test_models_see_only_months_before_the_as_of_date(first_run) -> None:
    settings, env, _ = first_run
    completed = run_tandem("build", env={**env, "TANDEM_AS_OF_DATE": "2026-03-10"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        rows = con.execute(
            "select strftime(revenue_month, '%Y-%m'), as_of_date::varchar, slope_per_month "
            "from ml.revenue_trend order by revenue_month"
        ).fetchall()
    finally:
        con.close()
    # March is not complete on 2026-03-10: the fit uses January and February only
    assert rows == [
        ("2026-01", "2026-03-01", pytest.approx(-1400.0)),
        ("2026-02", "2026-03-01", pytest.approx(-1400.0)),
    ]


def test_failed_build_exits_non_zero_and_keeps_the_published_warehouse(
    slice_run, tmp_path: Path
) -> None:
    settings = copy_home(slice_run[0], tmp_path / "home")
    env = {"TANDEM_HOME": str(settings.root)}
    published = serving_rows(settings, "select * from finance.rpt_revenue_monthly order by 1")

    # Landing rejects a row without a customer, so corrupt the raw table behind its back: the
    # staging not-null test must stop the build, and publish must not run.
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute(
            "insert into raw_erp.sales_invoices by name select 'FP0999' as invoice_no, "
            "date '2026-01-06' as invoice_date, null as customer_code, 13 as tax_rate_pct, "
            "5 as net_amount, 'manual' as _file, now()::timestamp as _loaded_at, "
            "1 as _row_number"
        )
    finally:
        con.close()
    # the ledger did not change behind the corruption, so the build must be asked for
    completed = run_tandem("run", "--full-refresh", env=env)
    assert completed.returncode == 1
    last = completed.stderr.strip().splitlines()[-1]
    # the staging test fails in dbt phase 1, and the quality gate names it in the last line
    assert last.startswith("tandem run: publishing blocked by 1 error-level check(s)"), last
    assert "not_null_stg_erp__sales_invoices_erp_customer_code" in last
    after = serving_rows(settings, "select * from finance.rpt_revenue_monthly order by 1")
    assert after == published  # readers keep the last good warehouse
