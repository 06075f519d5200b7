"""Every page on the tiny company, in both languages: no exception, figures equal SQL.

The pages run in-process through Streamlit's AppTest, each drawing the shared sidebar (language
switch, filter bar) as it does under the app's navigation; the expected figures are computed
here with plain SQL on the serving file, not with the pages' own queries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dashboards.formatting import format_cny, format_count
from dashboards.i18n import t
from dashboards.navigation import DASHBOARD_PAGES
from tests.dashboards.conftest import open_page, open_tab
from tests.warehouse.conftest import TinyWarehouse

PAGES = DASHBOARD_PAGES
LANGS = ["en", "zh"]


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def last_twelve_months(tiny: TinyWarehouse) -> tuple[dt.date, dt.date]:
    months = [
        row[0]
        for row in tiny.rows("select revenue_month from finance.rpt_revenue_monthly order by 1")
    ]
    return months[max(0, len(months) - 12)], months[-1]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_draws_in_both_languages(tiny: TinyWarehouse, page: str, lang: str) -> None:
    app = open_page(page, lang)
    assert [title.value for title in app.title] == [t(f"page.{page}", lang=lang)]
    assert not app.error, [error.value for error in app.error]
    assert not app.exception


@pytest.mark.parametrize("lang", LANGS)
def test_overview_kpis_equal_sql(tiny: TinyWarehouse, lang: str) -> None:
    start, end = last_twelve_months(tiny)
    app = open_page("overview", lang)
    shown = metrics(app)
    net = tiny.scalar(
        "select sum(net_revenue) from finance.rpt_revenue_monthly "
        "where revenue_month between ? and ?",
        [start, end],
    )
    overdue = tiny.scalar("select sum(past_due_amount) from finance.rpt_receivables_aging")
    alerts = tiny.scalar(
        "select count(*) from order_to_cash.rpt_silo_alerts "
        "where alert_type = 'crm_contract_without_erp_order'"
    )
    pipeline = tiny.scalar("select sum(weighted_amount_gross) from sales.rpt_weighted_pipeline")
    assert net > 0 and overdue is not None
    assert shown[t("kpi.net_revenue", lang=lang)] == format_cny(net, lang)
    assert shown[t("kpi.ar_overdue", lang=lang)] == format_cny(overdue, lang)
    assert shown[t("kpi.silo_alerts", lang=lang)] == format_count(alerts)
    assert shown[t("kpi.weighted_pipeline", lang=lang)] == format_cny(pipeline, lang)
    # the churn model ran on the tiny company: its top risks are listed, not guidance
    assert not any(t("model_missing", lang=lang).split("{")[0] in i.value for i in app.info)


def test_overview_honours_the_region_filter(tiny: TinyWarehouse) -> None:
    start, end = last_twelve_months(tiny)
    region = tiny.scalar(
        "select region from finance.rpt_revenue_by_customer_monthly where region is not null "
        "group by region order by sum(net_revenue) desc limit 1"
    )
    net = tiny.scalar(
        "select sum(revenue.net_revenue) from finance.rpt_revenue_by_customer_monthly as revenue "
        "join core.dim_customer as customers using (customer_key) "
        "where customers.region = ? and revenue.revenue_month between ? and ?",
        [region, start, end],
    )
    app = open_page("overview", "zh", filter_regions=[region])
    assert metrics(app)[t("kpi.net_revenue", lang="zh")] == format_cny(net, "zh")


def test_a_filter_that_matches_nothing_says_so(tiny: TinyWarehouse) -> None:
    region, rep = tiny.rows(
        """
        select regions.region, reps.sales_rep_id
        from (select distinct region from core.dim_customer where region is not null) as regions
        cross join core.dim_sales_rep as reps
        where not exists (
            select 1 from core.dim_customer as customers
            where customers.region = regions.region
                and customers.owner_user_id = reps.sales_rep_id
        )
        limit 1
        """
    )[0]
    for lang in LANGS:
        app = open_page("overview", lang, filter_regions=[region], filter_reps=[rep])
        assert [info.value for info in app.info] == [t("no_rows_filter", lang=lang)]
        assert not app.metric and not app.error


@pytest.mark.parametrize("lang", LANGS)
def test_finance_figures_equal_sql(tiny: TinyWarehouse, lang: str) -> None:
    app = open_page("finance", lang)
    # the first tab: revenue by month, every table downloadable; the other tabs do not run
    start, end = last_twelve_months(tiny)
    months = tiny.scalar(
        "select count(*) from finance.rpt_revenue_monthly where revenue_month between ? and ?",
        [start, end],
    )
    assert len(app.dataframe[0].value) == months
    assert len(app.get("download_button")) == len(app.dataframe)
    assert not app.metric
    # one breakdown at a time, by region first: its revenue adds up to the period's by customer
    by_region = tiny.scalar(
        "select sum(net_revenue) from finance.rpt_revenue_by_customer_monthly "
        "where revenue_month between ? and ?",
        [start, end],
    )
    assert app.radio(key="finance_breakdown").value == "region"
    shown = app.dataframe[1].value
    assert float(shown[t("net_revenue", lang=lang)].sum()) == pytest.approx(
        float(by_region), rel=1e-9
    )
    products = tiny.scalar(
        "select count(*) from (select distinct product_group, product_code "
        "from finance.rpt_revenue_by_product_monthly where revenue_month between ? and ?)",
        [start, end],
    )
    app.radio(key="finance_breakdown").set_value("product").run()
    assert len(app.dataframe[1].value) == products > 0
    open_tab(app, "finance_tab", "finance.tab_receivables", lang)
    over_90 = tiny.scalar("select sum(past_due_over_90_amount) from finance.rpt_receivables_aging")
    not_due = tiny.scalar("select sum(not_due_amount) from finance.rpt_receivables_aging")
    shown = metrics(app)
    assert shown[t("aging.over_90", lang=lang)] == format_cny(over_90, lang)
    assert shown[t("aging.not_due", lang=lang)] == format_cny(not_due, lang)
    open_tab(app, "finance_tab", "finance.tab_ledger", lang)
    unreconciled = tiny.scalar(
        "select count(*) from finance.rpt_pnl_monthly "
        "where not is_reconciled and period_month between ? and ?",
        [start, end],
    )
    if unreconciled:
        assert t("finance.pnl_unreconciled", lang=lang, count=unreconciled) in [
            w.value for w in app.warning
        ]
    else:
        assert t("finance.pnl_reconciled", lang=lang) in [s.value for s in app.success]


@pytest.mark.parametrize("lang", LANGS)
def test_sales_silo_alerts_and_pipeline_equal_sql(tiny: TinyWarehouse, lang: str) -> None:
    app = open_page("sales", lang)
    assert t("sales.funnel", lang=lang) in [s.value for s in app.subheader]
    open_tab(app, "sales_tab", "sales.tab_silo", lang)
    count, amount = tiny.rows(
        "select count(*), sum(amount_gross) from order_to_cash.rpt_silo_alerts "
        "where alert_type = 'crm_contract_without_erp_order'"
    )[0]
    expected = t(
        "sales.silo_crm", lang=lang, count=format_count(count), amount=format_cny(amount or 0, lang)
    )
    assert f"**{expected}**" in [m.value for m in app.markdown]
    open_tab(app, "sales_tab", "sales.tab_pipeline", lang)
    pipeline = tiny.scalar("select sum(weighted_amount_gross) from sales.rpt_weighted_pipeline")
    assert metrics(app)[t("kpi.weighted_pipeline", lang=lang)] == format_cny(pipeline, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_customer_360_finds_a_customer_as_people_type_it(tiny: TinyWarehouse, lang: str) -> None:
    key, name, revenue = tiny.rows(
        "select customer_key, customer_name, lifetime_net_revenue from customer.rpt_customer_360 "
        "where not is_deleted order by lifetime_net_revenue desc limit 1"
    )[0]
    app = open_page("customer_360", lang)
    typed = " ".join(name.removesuffix("有限公司"))  # spaces between characters, no legal form
    app.text_input(key="c360_query").set_value(typed).run()
    assert not app.exception
    assert app.selectbox(key="c360_customer").value == key
    assert metrics(app)[t("c360.lifetime_revenue", lang=lang)] == format_cny(revenue, lang)
    events = tiny.scalar(
        """
        select
            (select count(distinct order_id) from core.fct_order_lines where customer_key = $1)
            + (
                select count(distinct invoice_id) from core.fct_invoice_lines
                where customer_key = $1
            )
            + (select count(*) from core.fct_tickets where customer_key = $1)
        """,
        [key],
    )
    timeline = app.dataframe[0].value
    assert len(timeline) >= min(events, 500)
    kinds = set(timeline[t("event", lang=lang)])
    assert {t("event.order", lang=lang), t("event.invoice", lang=lang)} <= kinds


def test_customer_360_says_when_nothing_matches(tiny: TinyWarehouse) -> None:
    app = open_page("customer_360", "zh")
    app.text_input(key="c360_query").set_value("不存在的公司名称XYZ").run()
    assert [info.value for info in app.info] == [
        t("c360.no_match", lang="zh", text="不存在的公司名称XYZ")
    ]


@pytest.fixture
def without_models(
    tiny: TinyWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TinyWarehouse:
    """A copy of the tiny company's home whose serving file lost the model outputs."""
    settings = tiny.copy_home(tmp_path / "home")
    serving = settings.serving_db
    serving.chmod(0o644)  # published read-only
    con = duckdb.connect(str(serving))
    try:
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ml'"
            " and (table_name like 'churn%' or table_name like 'channel%')"
        ).fetchall():
            con.execute(f"drop table ml.{name}")
    finally:
        con.close()
    monkeypatch.setenv("TANDEM_HOME", str(settings.root))
    return TinyWarehouse(settings, {**tiny.env, "TANDEM_HOME": str(settings.root)}, tiny.summary)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_without_model_output_say_why_and_what_to_do(
    without_models: TinyWarehouse, lang: str
) -> None:
    tiny = without_models
    churn = open_page("churn", lang)
    infos = [info.value for info in churn.info]
    assert infos[0] == t(
        "model_missing", lang=lang, model=t("model.churn", lang=lang), tables="ml.churn_scores"
    )
    assert any("tandem run" in m.value for m in churn.markdown)
    roi = open_page("channel_roi", lang)
    spend = tiny.scalar(
        "select sum(spend_yuan) from core.fct_marketing_spend where spend_date >= ?",
        [last_twelve_months(tiny)[0]],
    )
    shown = roi.dataframe[0].value
    assert float(shown[t("spend", lang=lang)].sum()) == pytest.approx(float(spend), abs=0.01)
    assert any(t("model.channel_roi", lang=lang) in info.value for info in roi.info)


@pytest.mark.parametrize("lang", LANGS)
def test_segments_count_every_scored_customer(tiny: TinyWarehouse, lang: str) -> None:
    app = open_page("segments", lang)
    scored = tiny.scalar("select count(*) from ml.rfm")
    segments = app.dataframe[0].value
    assert int(segments[t("customers", lang=lang)].sum()) == scored > 0
    # the cluster model ran too: its profiles follow the RFM table
    profiles = tiny.scalar("select count(*) from ml.cluster_profiles")
    assert any(len(frame.value) == profiles for frame in app.dataframe[1:])


@pytest.mark.parametrize("lang", LANGS)
def test_data_quality_lists_quarantine_and_rejects(tiny: TinyWarehouse, lang: str) -> None:
    app = open_page("data_quality", lang)
    landed, quarantined = tiny.rows(
        "select count(*) filter (where status = 'landed'), "
        "count(*) filter (where status in ('quarantined', 'failed')) from raw_meta.file_ledger"
    )[0]
    summary = t(
        "dq.summary", lang=lang, files=format_count(landed), quarantined=format_count(quarantined)
    )
    assert summary in [m.value for m in app.markdown]
    assert quarantined >= 1  # the tiny company ships one truncated file on purpose
    raw_tables = tiny.build_scalar(
        "select count(*) from information_schema.columns "
        "where table_schema like 'raw\\_%' escape '\\' and column_name = '_loaded_at'"
    )
    assert len(app.dataframe[1].value) == raw_tables
