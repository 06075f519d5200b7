"""Finance facts and marts and the order-to-cash silo alert against the extracts and the truth.

One tiny dataset (seed 42) is generated and landed once per module, plus a repaired copy of the
receipts file the simulator truncates on purpose, so receivables are built from real receipts.
Then one ``dbt build`` of the finance and order-to-cash marts and everything they read (models,
data tests, unit tests, the reconciliation tests) runs with the as-of date set to a day inside
the period, so documents dated after it must be ignored. Every expected figure is computed
here with polars from the extract files or the truth, never from the models.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.landing import land_directory
from orchestration.settings import TandemSettings
from simulator import generate
from tests.warehouse.dbt_cli import dbt_env, run_dbt

SEED = 42
AS_OF = dt.date(2026, 6, 30)
GAP_DAYS = 7  # the documented default of the dbt var order_to_cash_gap_days
RECEIPTS = "erp/receipts.csv"
MARTS = [
    "rpt_revenue_monthly",
    "rpt_revenue_by_product_monthly",
    "rpt_revenue_by_region_monthly",
    "rpt_revenue_by_customer_monthly",
    "rpt_open_receivables",
    "rpt_receivables_aging",
    "rpt_invoice_payment_delay",
    "rpt_dso_monthly",
    "rpt_pnl_monthly",
    "rpt_contract_order_reconciliation",
    "rpt_silo_alerts",
    "dim_date",
    "dim_product",
]
BUCKETS = ["not_due", "0-30", "31-60", "61-90", "90+"]


@dataclass
class Warehouse:
    db: Path
    extracts: Path
    run_results: dict
    settings: TandemSettings
    target: Path

    def rows(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def value(self, sql: str):
        return self.rows(sql)[0][0]

    def frame(self, sql: str) -> pl.DataFrame:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.sql(sql).pl()
        finally:
            con.close()


def repair_truncated(source: Path, target: Path) -> None:
    """Copy a file without its unfinished last line (what a re-export would deliver)."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data[: data.rfind(b"\n") + 1])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    tmp = tmp_path_factory.mktemp("finance")
    extracts = tmp / "extracts"
    generate(extracts, scale="tiny", seed=SEED)
    settings = TandemSettings(home=tmp / "home")
    settings.ensure_dirs()
    quarantine = tmp / "quarantine"
    first = land_directory(settings.build_db, extracts, quarantine_dir=quarantine)
    if RECEIPTS in {f.file for f in first.files if f.status == "quarantined"}:
        # the simulator truncates the receipts file on purpose: land what a re-export would
        # deliver, and read that copy below
        resend = tmp / "resend"
        repair_truncated(extracts / RECEIPTS, resend / RECEIPTS)
        time.sleep(1.1)
        second = land_directory(settings.build_db, resend, quarantine_dir=quarantine)
        assert [f.status for f in second.files] == ["landed"]
        (extracts / RECEIPTS).write_bytes((resend / RECEIPTS).read_bytes())

    target = tmp / "dbt_target"
    # + dim_customer: the marts' customer_key relationship tests point at it
    selection = [f"+{name}" for name in [*MARTS, "dim_customer", "fct_order_lines"]]
    env = {"TANDEM_AS_OF_DATE": AS_OF.isoformat()}
    # staging and identity are tested in their own modules; cautious selection leaves out the
    # tests that also read a model outside the selection
    run_dbt(
        dbt_env(settings, **env),
        target,
        "build",
        "--indirect-selection",
        "cautious",
        "--select",
        *selection,
        "--exclude",
        "resource_type:test,path:models/staging",
        "resource_type:unit_test,path:models/staging",
        "resource_type:test,path:models/intermediate/identity",
        "resource_type:unit_test,path:models/intermediate/identity",
        timeout=300,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return Warehouse(settings.build_db, extracts, results, settings, target)


# --- the extracts, read independently of landing and dbt ------------------------------------


def read_erp(path: Path) -> pl.DataFrame:
    """A GB18030 ERP extract as text columns (typed by the caller)."""
    text = path.read_bytes().decode("gb18030")
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def parse_receipt_date(value: str) -> dt.date:
    """收款日期 in any of the planted styles: ISO, YYYY/M/D, YYYY年M月D日, Excel serial days."""
    value = value.strip()
    if value.isdigit():
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    match = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})\D?", value)
    assert match, f"unexpected receipt date {value!r}"
    return dt.date(*(int(part) for part in match.groups()))


def money(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Decimal(18, 2))


@pytest.fixture(scope="module")
def invoices(warehouse: Warehouse) -> pl.DataFrame:
    return read_erp(warehouse.extracts / "erp" / "sales_invoices.csv").select(
        pl.col("发票号码").alias("invoice_id"),
        pl.col("开票日期").str.to_date().alias("invoice_date"),
        pl.col("到期日期").str.to_date().alias("due_date"),
        (pl.col("红字发票") == "是").alias("is_credit_note"),
        pl.col("原发票号码").alias("original_invoice_id"),
        pl.col("客户编码").alias("customer_code"),
        pl.col("税率(%)").cast(pl.Int32).alias("tax_rate_pct"),
        money("金额").alias("net"),
        money("税额").alias("tax"),
        money("价税合计").alias("gross"),
        money("销售成本").alias("cost"),
    )


@pytest.fixture(scope="module")
def receipts(warehouse: Warehouse) -> pl.DataFrame:
    raw = read_erp(warehouse.extracts / RECEIPTS)
    return raw.select(
        pl.col("收款单号").alias("receipt_id"),
        pl.col("收款日期")
        .map_elements(parse_receipt_date, return_dtype=pl.Date)
        .alias("receipt_date"),
        pl.col("核销发票号码").alias("invoice_id"),
        money("实收金额").alias("received"),
    )


@pytest.fixture(scope="module")
def orders(warehouse: Warehouse) -> pl.DataFrame:
    return read_erp(warehouse.extracts / "erp" / "sales_orders.csv").select(
        pl.col("单据编号").alias("order_id"),
        pl.col("行号").alias("line_no"),
        pl.col("单据日期").str.to_date().alias("order_date"),
        pl.col("作废状态").alias("cancel_status"),
        pl.when(pl.col("合同编号") != "").then(pl.col("合同编号")).alias("contract_no"),
        money("价税合计").alias("gross"),
    )


def month(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo")


# --- the build -------------------------------------------------------------------------------


def test_build_passes_every_model_test_unit_test_and_reconciliation(
    warehouse: Warehouse,
) -> None:
    statuses = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    failed = {k: v for k, v in statuses.items() if v not in ("success", "pass", "warn")}
    assert not failed
    models = {k.split(".")[-1] for k in statuses if k.startswith("model.")}
    assert set(MARTS) | {"fct_order_lines", "fct_invoice_lines", "fct_receipt_allocations"} <= (
        models
    )
    singular = {k.split(".")[-1] for k in statuses if ".assert_" in k}
    assert {
        "assert_gl_revenue_equals_invoice_revenue",
        "assert_receipts_within_invoiced_per_customer",
        "assert_finance_product_revenue_adds_up_to_invoices",
        "assert_finance_aging_buckets_add_up_to_open_balance",
    } <= singular
    # the finance logic is unit-tested where it lives now: intermediate finance models
    assert sum(1 for k in statuses if k.startswith("unit_test.tandem.int_finance__")) >= 2
    assert {k.split(".")[-1] for k in statuses if k.startswith("unit_test.")} >= {
        "test_aging_buckets_at_the_as_of_date",
        "test_invoice_lines_vat_check",
        "test_invoice_lines_credit_notes_are_negative",
    }


def test_as_of_date_comes_from_the_environment(warehouse: Warehouse) -> None:
    assert warehouse.rows(
        "select as_of_date, as_of_source from intermediate.int_core__as_of_date"
    ) == [(AS_OF, "configured")]
    # the default (latest business day) and the var's precedence are unit tests of the model
    statuses = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    names = (
        "test_as_of_date_defaults_to_the_latest_business_day",
        "test_as_of_date_from_the_environment",
        "test_as_of_date_var_wins_over_the_environment",
    )
    unit_tests = {
        name: statuses.get(f"unit_test.tandem.int_core__as_of_date.{name}") for name in names
    }
    assert unit_tests == dict.fromkeys(names, "pass")


# --- facts -----------------------------------------------------------------------------------


def test_fact_rows_equal_distinct_keys_of_the_extracts(
    warehouse: Warehouse, invoices: pl.DataFrame, receipts: pl.DataFrame, orders: pl.DataFrame
) -> None:
    business_orders = orders.filter(pl.col("cancel_status") == "A")
    expected = {
        "fct_order_lines": business_orders.select("order_id", "line_no").unique().height,
        "fct_invoice_lines": invoices.select("invoice_id", "tax_rate_pct").unique().height,
        "fct_receipt_allocations": receipts.select("receipt_id", "invoice_id").unique().height,
        "dim_product": warehouse.value("select count(distinct product_code) from raw_erp.products"),
    }
    assert min(expected.values()) > 0
    actual = {name: warehouse.value(f"select count(*) from core.{name}") for name in expected}
    assert actual == expected
    # every fact row reaches a golden customer
    for name in ("fct_order_lines", "fct_invoice_lines", "fct_receipt_allocations"):
        assert warehouse.value(f"select count(*) from core.{name} where customer_key is null") == 0


def test_credit_notes_are_negative_and_point_at_their_invoice(
    warehouse: Warehouse, invoices: pl.DataFrame
) -> None:
    credit_notes = invoices.filter(pl.col("is_credit_note"))
    assert credit_notes.height > 0
    rows = warehouse.frame(
        "select invoice_line_id, net_amount, gross_amount, cost_amount, receivable_invoice_id, "
        "original_invoice_id from core.fct_invoice_lines where document_type = 'credit_note'"
    )
    assert rows.height == credit_notes.height
    assert rows.filter(
        (pl.col("net_amount") >= 0) | (pl.col("gross_amount") >= 0) | (pl.col("cost_amount") > 0)
    ).is_empty()
    assert (rows["receivable_invoice_id"] == rows["original_invoice_id"]).all()
    assert rows["net_amount"].sum() == credit_notes["net"].sum()


def test_every_invoice_line_has_consistent_vat(warehouse: Warehouse) -> None:
    assert warehouse.value("select count(*) from core.fct_invoice_lines where is_vat_consistent")
    assert (
        warehouse.value("select count(*) from core.fct_invoice_lines where not is_vat_consistent")
        == 0
    )


# --- revenue and margin ----------------------------------------------------------------------


def test_revenue_by_month_equals_the_invoice_extract(
    warehouse: Warehouse, invoices: pl.DataFrame
) -> None:
    expected = (
        invoices.group_by(month("invoice_date").alias("revenue_month"))
        .agg(
            pl.col("invoice_id").n_unique().alias("invoice_count"),
            pl.col("customer_code").n_unique().alias("customer_count"),
            pl.col("net").sum().alias("net_revenue"),
            pl.col("gross").sum().alias("gross_revenue"),
            pl.col("net").filter(pl.col("is_credit_note")).sum().alias("credit_note_net_amount"),
            (pl.col("net") - pl.col("cost")).sum().alias("gross_margin_amount"),
        )
        .sort("revenue_month")
    )
    actual = warehouse.frame(
        "select revenue_month, invoice_count, customer_count, net_revenue, gross_revenue, "
        "credit_note_net_amount, gross_margin_amount from finance.rpt_revenue_monthly "
        "order by revenue_month"
    )
    assert actual.height == expected.height >= 30
    assert actual.to_dicts() == expected.to_dicts()
    assert (actual["credit_note_net_amount"] < 0).sum() > 0


def test_revenue_by_product_region_and_customer_add_up_per_month(
    warehouse: Warehouse, invoices: pl.DataFrame
) -> None:
    per_month = dict(invoices.group_by(month("invoice_date")).agg(pl.col("net").sum()).iter_rows())
    for model in (
        "rpt_revenue_by_product_monthly",
        "rpt_revenue_by_region_monthly",
        "rpt_revenue_by_customer_monthly",
    ):
        sums = dict(
            warehouse.rows(
                f"select revenue_month, sum(net_revenue) from finance.{model} group by 1"
            )
        )
        assert sums == per_month, model
    # every invoice reaches its products: no unallocated row in the sample
    assert (
        warehouse.value(
            "select count(*) from finance.rpt_revenue_by_product_monthly where product_code is null"
        )
        == 0
    )


def test_revenue_by_region_uses_the_erp_customer_region(
    warehouse: Warehouse, invoices: pl.DataFrame
) -> None:
    customers = read_erp(warehouse.extracts / "erp" / "customers.csv").select(
        pl.col("客户编码").alias("customer_code"), pl.col("区域").alias("region")
    )
    expected = dict(
        invoices.join(customers, on="customer_code", how="left")
        .group_by("region")
        .agg(pl.col("net").sum())
        .iter_rows()
    )
    actual = dict(
        warehouse.rows(
            "select region, sum(net_revenue) from finance.rpt_revenue_by_region_monthly group by 1"
        )
    )
    assert actual == expected
    assert len(actual) >= 5


def test_product_revenue_follows_the_order_lines(warehouse: Warehouse) -> None:
    """For orders invoiced once without credit notes, a product's allocated revenue is exactly
    the net of its order lines."""
    orders = read_erp(warehouse.extracts / "erp" / "sales_orders.csv").filter(
        pl.col("作废状态") == "A"
    )
    invoices = read_erp(warehouse.extracts / "erp" / "sales_invoices.csv")
    credited = set(invoices.filter(pl.col("红字发票") == "是")["源单编号"])
    invoiced = set(invoices["源单编号"]) - credited
    expected = dict(
        orders.filter(pl.col("单据编号").is_in(list(invoiced)))
        .group_by("物料编码")
        .agg(money("金额").sum())
        .iter_rows()
    )
    actual = dict(
        warehouse.rows(
            "select shares.product_code, sum(shares.net_amount) "
            "from intermediate.int_finance__invoice_line_products as shares "
            "join core.fct_invoice_lines as lines using (invoice_line_id) "
            "where lines.source_order_id not in (select source_order_id "
            "from core.fct_invoice_lines where is_credit_note) group by 1"
        )
    )
    assert actual == expected


# --- general ledger --------------------------------------------------------------------------


def test_gl_pnl_equals_invoice_revenue_per_month(
    warehouse: Warehouse, invoices: pl.DataFrame
) -> None:
    gl = read_erp(warehouse.extracts / "erp" / "gl_entries.csv").with_columns(
        pl.col("会计期间").str.to_date("%Y-%m").alias("period_month"),
        money("借方金额").fill_null(0).alias("debit"),
        money("贷方金额").fill_null(0).alias("credit"),
    )
    ledger = (
        gl.group_by("period_month")
        .agg(
            (pl.col("credit") - pl.col("debit"))
            .filter(pl.col("科目编码") == "6001")
            .sum()
            .alias("revenue"),
            (pl.col("debit") - pl.col("credit"))
            .filter(pl.col("科目编码") == "6401")
            .sum()
            .alias("cost"),
        )
        .sort("period_month")
    )
    sub_ledger = (
        invoices.group_by(month("invoice_date").alias("period_month"))
        .agg(pl.col("net").sum().alias("revenue"), pl.col("cost").sum().alias("cost"))
        .sort("period_month")
    )
    assert ledger.to_dicts() == sub_ledger.to_dicts()  # the extract itself reconciles
    actual = warehouse.frame(
        "select period_month, gl_revenue as revenue, gl_cost_of_sales as cost "
        "from finance.rpt_pnl_monthly order by 1"
    )
    assert actual.to_dicts() == ledger.to_dicts()
    assert warehouse.value("select bool_and(is_reconciled) from finance.rpt_pnl_monthly") is True
    assert (
        warehouse.value(
            "select sum(abs(revenue_difference) + abs(cost_of_sales_difference) "
            "+ abs(output_vat_difference)) from finance.rpt_pnl_monthly"
        )
        == 0
    )


# --- receivables at the as-of date -----------------------------------------------------------


@pytest.fixture(scope="module")
def open_items(invoices: pl.DataFrame, receipts: pl.DataFrame) -> pl.DataFrame:
    """Open balance per invoice at AS_OF: invoice gross + credit notes - receipts, all dated on
    or before AS_OF, with its bucket."""
    known = invoices.filter(pl.col("invoice_date") <= AS_OF)
    documents = known.with_columns(
        pl.when(pl.col("is_credit_note"))
        .then(pl.col("original_invoice_id"))
        .otherwise(pl.col("invoice_id"))
        .alias("receivable")
    )
    owed = documents.group_by("receivable").agg(pl.col("gross").sum().alias("owed"))
    due = (
        known.filter(~pl.col("is_credit_note"))
        .group_by("invoice_id")
        .agg(pl.col("due_date").min())
        .rename({"invoice_id": "receivable"})
    )
    paid = (
        receipts.filter(pl.col("receipt_date") <= AS_OF)
        .group_by("invoice_id")
        .agg(pl.col("received").sum())
        .rename({"invoice_id": "receivable"})
    )
    days = (pl.lit(AS_OF) - pl.col("due_date")).dt.total_days()
    return (
        due.join(owed, on="receivable", how="left")
        .join(paid, on="receivable", how="left")
        .with_columns(
            (pl.col("owed") - pl.col("received").fill_null(Decimal("0"))).alias("open"),
            pl.when(days < 0)
            .then(pl.lit("not_due"))
            .when(days <= 30)
            .then(pl.lit("0-30"))
            .when(days <= 60)
            .then(pl.lit("31-60"))
            .when(days <= 90)
            .then(pl.lit("61-90"))
            .otherwise(pl.lit("90+"))
            .alias("bucket"),
        )
        .filter(pl.col("open") > 0)
    )


def test_aging_buckets_equal_open_balance_from_invoices_minus_receipts(
    warehouse: Warehouse, open_items: pl.DataFrame
) -> None:
    expected = dict(open_items.group_by("bucket").agg(pl.col("open").sum()).iter_rows())
    assert len(expected) >= 3  # the as-of date inside the period spreads balances over buckets
    aging = warehouse.rows(
        "select sum(not_due_amount), sum(past_due_0_30_amount), sum(past_due_31_60_amount), "
        "sum(past_due_61_90_amount), sum(past_due_over_90_amount), sum(open_amount) "
        "from finance.rpt_receivables_aging"
    )[0]
    assert dict(zip(BUCKETS, aging[:5], strict=True)) == {
        bucket: expected.get(bucket, Decimal("0.00")) for bucket in BUCKETS
    }
    assert aging[5] == open_items["open"].sum()
    invoices_open = dict(
        warehouse.rows("select invoice_id, open_amount from finance.rpt_open_receivables")
    )
    assert invoices_open == dict(open_items.select("receivable", "open").iter_rows())


def test_nothing_after_the_as_of_date_counts(
    warehouse: Warehouse, invoices: pl.DataFrame, receipts: pl.DataFrame
) -> None:
    later_receipts = receipts.filter(pl.col("receipt_date") > AS_OF).height
    assert later_receipts > 0  # the as-of date really cuts receipts off
    assert (
        warehouse.value(
            "select count(*) from finance.rpt_invoice_payment_delay "
            f"where invoice_date > date '{AS_OF}' or settled_date > date '{AS_OF}'"
        )
        == 0
    )
    known = invoices.filter(~pl.col("is_credit_note") & (pl.col("invoice_date") <= AS_OF))
    assert (
        warehouse.value("select count(*) from finance.rpt_invoice_payment_delay")
        == known["invoice_id"].n_unique()
    )


def test_payment_delay_is_the_last_receipt_after_the_due_date(
    warehouse: Warehouse, invoices: pl.DataFrame, receipts: pl.DataFrame
) -> None:
    known = receipts.filter(pl.col("receipt_date") <= AS_OF)
    last_paid = known.group_by("invoice_id").agg(pl.col("receipt_date").max())
    due = (
        invoices.filter(~pl.col("is_credit_note"))
        .group_by("invoice_id")
        .agg(pl.col("due_date").min())
    )
    delays = dict(
        warehouse.rows(
            "select invoice_id, payment_delay_days from finance.rpt_invoice_payment_delay "
            "where settlement_status = 'paid'"
        )
    )
    expected = dict(
        last_paid.join(due, on="invoice_id")
        .filter(pl.col("invoice_id").is_in(list(delays)))
        .select("invoice_id", (pl.col("receipt_date") - pl.col("due_date")).dt.total_days())
        .iter_rows()
    )
    assert len(delays) > 500
    assert delays == expected
    assert sum(1 for d in delays.values() if d > 0) > 0


def test_dso_at_the_as_of_date(
    warehouse: Warehouse, invoices: pl.DataFrame, receipts: pl.DataFrame
) -> None:
    invoiced = invoices.filter(pl.col("invoice_date") <= AS_OF)
    balance = (
        invoiced["gross"].sum() - receipts.filter(pl.col("receipt_date") <= AS_OF)["received"].sum()
    )
    sales = invoiced.filter(pl.col("invoice_date") > AS_OF - dt.timedelta(days=90))["gross"].sum()
    row = warehouse.rows(
        "select receivables_balance, gross_sales_last_90_days, dso_days, period_end_date "
        f"from finance.rpt_dso_monthly where period_month = date '{AS_OF.replace(day=1)}'"
    )[0]
    assert row[:2] == (balance, sales)
    assert float(row[2]) == pytest.approx(float(balance) / float(sales) * 90, abs=0.05)
    assert row[3] == AS_OF
    assert warehouse.value(
        "select max(period_month) from finance.rpt_dso_monthly"
    ) == AS_OF.replace(day=1)


# --- order to cash ---------------------------------------------------------------------------


def test_silo_alert_finds_exactly_the_true_sync_gaps(warehouse: Warehouse) -> None:
    truth = pl.read_parquet(warehouse.extracts / "truth" / "sync_gaps.parquet")
    # a gap is due once its contract is more than GAP_DAYS old at the as-of date
    due = truth.filter(pl.col("order_date") < AS_OF - dt.timedelta(days=GAP_DAYS))
    expected = set(due["contract_id"])
    found = {
        row[0]
        for row in warehouse.rows(
            "select crm_contract_id from order_to_cash.rpt_silo_alerts "
            "where alert_type = 'crm_contract_without_erp_order'"
        )
    }
    assert len(expected) >= 10
    true_positives = len(found & expected)
    precision = true_positives / len(found)
    recall = true_positives / len(expected)
    assert (precision, recall) == (1.0, 1.0)
    # the contracts still inside the window wait; none of them is a true gap yet
    amounts = dict(
        warehouse.rows(
            "select crm_contract_id, amount_gross from order_to_cash.rpt_silo_alerts "
            "where alert_type = 'crm_contract_without_erp_order'"
        )
    )
    assert {k: float(v) for k, v in amounts.items()} == pytest.approx(
        dict(due.select("contract_id", "money").iter_rows())
    )


def test_erp_orders_without_contract_and_gross_to_gross_reconciliation(
    warehouse: Warehouse, orders: pl.DataFrame
) -> None:
    known = orders.filter((pl.col("cancel_status") == "A") & (pl.col("order_date") <= AS_OF))
    # repeat orders placed in the ERP carry no contract number: ordinary, not an alert
    assert known.filter(pl.col("contract_no").is_null())["order_id"].n_unique() > 0
    approved = set(
        row[0]
        for row in warehouse.rows(
            "select contract_no from order_to_cash.rpt_contract_order_reconciliation"
        )
    )
    citing_unknown = known.filter(
        pl.col("contract_no").is_not_null() & ~pl.col("contract_no").is_in(list(approved))
    )["order_id"].n_unique()
    assert (
        warehouse.value(
            "select count(*) from order_to_cash.rpt_silo_alerts "
            "where alert_type = 'erp_order_without_crm_contract'"
        )
        == citing_unknown
    )
    # a matched contract's gross money equals its orders' gross amount, not their net
    statuses = dict(
        warehouse.rows(
            "select is_amount_reconciled, count(*) from order_to_cash."
            "rpt_contract_order_reconciliation where match_status = 'matched' group by 1"
        )
    )
    assert statuses == {True: known["contract_no"].drop_nulls().n_unique()}
    assert (
        warehouse.value(
            "select count(*) from order_to_cash.rpt_contract_order_reconciliation "
            "where match_status = 'matched' and contract_amount_gross = order_amount_net"
        )
        == 0
    )


def test_payment_delay_tracks_the_true_delay_of_each_customer_month(
    warehouse: Warehouse,
) -> None:
    """The simulator pays an invoice at its due date plus the customer's delay drawn for the
    month of the order (truth/churn_monthly); the measured delays must follow it."""
    truth = warehouse.extracts / "truth"
    measured = warehouse.frame(
        "select delay.erp_customer_code, cast(date_trunc('month', orders.order_date) as date) "
        "as month, delay.payment_delay_days from finance.rpt_invoice_payment_delay as delay "
        "join (select distinct invoice_id, source_order_id from core.fct_invoice_lines) "
        "as lines using (invoice_id) join (select distinct order_id, order_date "
        "from core.fct_order_lines) as orders on orders.order_id = lines.source_order_id "
        "where delay.settlement_status = 'paid'"
    )
    erp_records = (
        pl.read_parquet(truth / "identity.parquet")
        .filter(pl.col("system") == "erp")
        .select(pl.col("record_id").alias("erp_customer_code"), "true_customer_id")
    )
    true_delays = pl.read_parquet(truth / "churn_monthly.parquet").select(
        "true_customer_id", "month", pl.col("payment_delay_days").alias("true_delay")
    )
    compared = (
        measured.join(erp_records, on="erp_customer_code")
        .group_by("true_customer_id", "month")
        .agg(pl.col("payment_delay_days").mean())
        .join(true_delays, on=["true_customer_id", "month"])
    )
    assert compared.height >= 500
    assert compared.select(pl.corr("payment_delay_days", "true_delay")).item() > 0.85
