"""Overview: the numbers a manager reads first, against the previous period."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboards.components import cached_figure, guarded, kpi, model_guidance, require_rows, table
from dashboards.data import overview as data
from dashboards.formatting import format_cny, format_count, format_days, format_pct
from dashboards.i18n import t
from dashboards.page import sources, start_page


def _trend_figure(trend: pl.DataFrame) -> go.Figure:
    """Net revenue (bars) and gross margin (line) per month (built once per build, filters
    and language: components.cached_figure)."""
    figure = go.Figure()
    figure.add_bar(x=trend["revenue_month"], y=trend["net_revenue"], name=t("net_revenue"))
    figure.add_scatter(
        x=trend["revenue_month"], y=trend["gross_margin_amount"], name=t("gross_margin")
    )
    return figure.update_layout(xaxis_title=t("month"), yaxis_title=t("amount"), height=360)


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.overview")
    trend = data.monthly_trend(filters)
    require_rows(trend, filtered=filters.narrows_customers)
    now, before = data.period_figures(filters), data.period_figures(filters.previous())
    snapshot = data.snapshot_figures(filters)

    def cny(value: float | None) -> str:
        return format_cny(value, lang)

    row = st.columns(4)
    kpi(row[0], t("kpi.net_revenue"), now.net_revenue, before.net_revenue, cny)
    kpi(
        row[1],
        t("kpi.gross_margin_pct"),
        now.gross_margin_pct,
        before.gross_margin_pct,
        format_pct,
    )
    kpi(row[2], t("kpi.new_customers"), now.new_customers, before.new_customers, format_count)
    kpi(
        row[3],
        t("kpi.lost_customers"),
        now.lost_customers,
        before.lost_customers,
        format_count,
        inverse=True,
    )
    row = st.columns(4)
    row[0].metric(t("kpi.ar_overdue"), cny(snapshot["ar_overdue"]))
    kpi(
        row[1],
        t("kpi.dso"),
        now.dso_days,
        before.dso_days,
        lambda days: format_days(days, lang),
        inverse=True,
    )
    row[2].metric(t("kpi.weighted_pipeline"), cny(snapshot["weighted_pipeline"]))
    row[3].metric(t("kpi.silo_alerts"), format_count(snapshot["silo_alerts"]))
    st.caption(t("overview.lost_rule"))

    st.subheader(t("overview.trend"))
    figure = cached_figure("overview.trend", lambda: _trend_figure(trend), filters, lang)
    st.plotly_chart(figure, width="stretch")
    sources(
        data.REVENUE,
        "finance.rpt_dso_monthly",
        "finance.rpt_receivables_aging",
        "sales.rpt_weighted_pipeline",
        "order_to_cash.rpt_silo_alerts",
    )

    st.subheader(t("overview.top_churn"))
    risks = data.top_churn_risks(filters)
    if risks is None:
        model_guidance("churn", ["ml.churn_scores"])
        return
    table(
        risks,
        "top_churn_risks",
        {
            "customer_name": t("customer"),
            "customer_key": t("customer_code"),
            "churn_probability": t("churn.probability"),
            "value_at_risk": t("churn.value_at_risk"),
        },
    )


with guarded():
    main()
