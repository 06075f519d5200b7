"""Sales: funnel, stage conversion and durations, stuck deals, win rates, pipeline, silo alerts."""

import functools

import plotly.graph_objects as go
import streamlit as st

from dashboards.components import (
    MAX_SHOWN_ROWS,
    chart_table,
    guarded,
    open_section,
    require_rows,
    table,
)
from dashboards.data import sales as data
from dashboards.filters import Filters
from dashboards.formatting import format_cny, format_count
from dashboards.i18n import t
from dashboards.page import sources, start_page

COLUMN_KEYS = {
    "step_name": "step",
    "reached_count": "reached",
    "conversion_from_previous": "conversion",
    "avg_days_from_previous": "days",
    "stage_name": "stage",
    "entered_count": "reached",
    "won_count": "won",
    "lost_count": "lost",
    "open_count": "open",
    "advance_rate": "conversion",
    "avg_days_in_stage": "days",
    "opportunity_name": "opportunity",
    "customer_key": "customer_code",
    "customer_name": "customer",
    "channel": "channel",
    "sales_rep_id": "sales_rep",
    "sales_rep_name": "sales_rep",
    "win_rate": "win_rate",
    "won_amount_gross": "amount",
    "amount_gross": "amount",
    "weighted_amount_gross": "weighted_amount",
    "days_since_last_change": "days_since_change",
    "document_no": "document",
    "document_date": "date",
    "age_days": "age_days",
    "alert_detail": "detail",
}


# stuck opportunities shown (biggest weighted amount first); the download has them all
STUCK_SHOWN = 200


def labels() -> dict[str, str]:
    """Column headers in the reader's language."""
    return {column: t(key) for column, key in COLUMN_KEYS.items()}


def funnel_section(filters: Filters) -> None:
    """The funnel chart and the stage table."""
    funnel = data.funnel(filters)
    require_rows(funnel, filtered=bool(filters.channels))
    st.subheader(t("sales.funnel"))
    figure = go.Figure(go.Funnel(y=funnel["step_name"], x=funnel["reached_count"]))
    figure.update_layout(height=320)
    st.plotly_chart(figure, width="stretch")
    table(funnel.drop("step_order"), "sales_funnel", labels())
    st.subheader(t("sales.stages"))
    table(data.stage_conversion(filters).drop("stage_order"), "stage_conversion", labels())
    sources("sales.rpt_sales_funnel", "sales.rpt_opportunity_stage_conversion")


def rates_section(filters: Filters, lang: str) -> None:
    """Win rates, weighted pipeline and stuck opportunities."""
    # by rep or by channel, one at a time: each table drawn costs a browser about 0.12 s of CPU
    # (docs/BENCHMARKS.md)
    by = st.radio(
        t("sales.win_by"),
        ["rep", "channel"],
        format_func=lambda key: t(f"sales.win_{key}", lang=lang),
        horizontal=True,
        key="sales_win_by",
    )
    if by == "rep":
        table(data.win_rate_by_rep(filters), "win_rate_by_rep", labels())
    else:
        table(data.win_rate_by_channel(filters), "win_rate_by_channel", labels())
    st.subheader(t("sales.pipeline"))
    pipeline = data.weighted_pipeline(filters)
    st.metric(
        t("kpi.weighted_pipeline"),
        format_cny(pipeline["weighted_amount_gross"].sum() if pipeline.height else 0, lang),
    )
    # the card's figure by stage, folded (components.chart_table)
    chart_table(pipeline.drop("stage_order"), "weighted_pipeline", labels(), t("sales.by_stage"))
    st.subheader(t("sales.stuck"))
    # the longest list of the tab: its first rows (the biggest) shown, every row in the CSV
    table(data.stuck(filters), "stuck_opportunities", labels(), max_rows=STUCK_SHOWN)
    sources(
        "sales.rpt_win_rate_by_rep",
        "sales.rpt_win_rate_by_channel",
        "sales.rpt_weighted_pipeline",
        "sales.rpt_stuck_opportunities",
    )


def silo_section(filters: Filters, lang: str) -> None:
    """Both directions of the order-to-cash alert, with age and amount."""
    st.subheader(t("sales.silo"))
    for alert_type, key in ((data.CRM_ALERT, "sales.silo_crm"), (data.ERP_ALERT, "sales.silo_erp")):
        count, amount = data.silo_summary(filters, alert_type)
        st.markdown(f"**{t(key, count=format_count(count), amount=format_cny(amount, lang))}**")
        table(
            data.silo_alerts(filters, alert_type, MAX_SHOWN_ROWS),
            alert_type,
            labels(),
            full=functools.partial(data.all_silo_alerts, filters, alert_type),
            total=count,
        )
    sources("order_to_cash.rpt_silo_alerts")


# the sections in the order of the page's tabs (dashboards/navigation.py)
SECTIONS = [lambda filters, _lang: funnel_section(filters), rates_section, silo_section]


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.sales")
    index, tab = open_section("sales")
    with tab:
        SECTIONS[index](filters, lang)


with guarded():
    main()
