"""Finance: revenue and margin by month, product, region and customer; receivables; DSO; P&L."""

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboards.components import (
    cached_figure,
    chart_table,
    guarded,
    open_section,
    require_rows,
    table,
)
from dashboards.data import finance as data
from dashboards.filters import Filters
from dashboards.formatting import format_cny
from dashboards.i18n import t
from dashboards.page import sources, start_page

MONEY_LABELS = {
    "revenue_month": "month",
    "period_month": "month",
    "net_revenue": "net_revenue",
    "cost_amount": "cost",
    "gross_margin_amount": "gross_margin",
    "gross_margin_pct": "gross_margin_pct",
    "customer_name": "customer",
    "customer_key": "customer_code",
    "customer_count": "customers",
    "region": "region",
    "product_code": "product",
    "open_amount": "open_amount",
    "past_due_amount": "past_due_amount",
    "max_days_past_due": "days_past_due",
    "open_invoice_count": "invoices",
    "invoice_id": "invoice",
    "invoice_date": "invoice_date",
    "due_date": "due_date",
    "days_past_due": "days_past_due",
    "dso_days": "dso_days",
    "gl_revenue": "gl_revenue",
    "invoice_net_revenue": "invoice_revenue",
    "revenue_difference": "difference",
    "is_reconciled": "reconciled",
}


def labels() -> dict[str, str]:
    """Column headers in the reader's language."""
    return {column: t(key) for column, key in MONEY_LABELS.items()}


# the figures (built once per build, filters and language: components.cached_figure)
def _monthly_figure(monthly: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(x=monthly["revenue_month"], y=monthly["net_revenue"], name=t("net_revenue"))
    figure.add_bar(
        x=monthly["revenue_month"], y=monthly["gross_margin_amount"], name=t("gross_margin")
    )
    return figure.update_layout(xaxis_title=t("month"), yaxis_title=t("amount"), height=340)


def _dso_figure(dso: pl.DataFrame) -> go.Figure:
    figure = px.line(
        dso.to_pandas(),
        x="period_month",
        y="dso_days",
        markers=True,
        labels={"period_month": t("month"), "dso_days": t("dso_days")},
    )
    return figure.update_layout(height=300)


# the revenue breakdowns the reader picks from, first the default
BREAKDOWNS = {"region": data.by_region, "customer": data.by_customer, "product": data.by_product}


def revenue_section(filters: Filters, lang: str) -> None:
    """Revenue and margin by month, region, customer and product."""
    monthly = data.by_month(filters)
    require_rows(monthly, filtered=filters.narrows_customers)
    st.subheader(t("finance.by_month"))
    figure = cached_figure("finance.by_month", lambda: _monthly_figure(monthly), filters, lang)
    st.plotly_chart(figure, width="stretch")
    chart_table(monthly, "revenue_by_month", labels())
    # one breakdown at a time: each table a browser draws costs it about 0.12 s (BENCHMARKS.md)
    breakdown = st.radio(
        t("finance.breakdown"),
        list(BREAKDOWNS),
        format_func=lambda key: t(f"finance.by_{key}", lang=lang),
        horizontal=True,
        key="finance_breakdown",
    )
    table(BREAKDOWNS[breakdown](filters), f"revenue_by_{breakdown}", labels())
    sources(data.BY_CUSTOMER, "finance.rpt_revenue_by_product_monthly", "core.dim_customer")


# customers offered in the open-invoice drill-down
DRILL_CHOICES = 200


def receivables_section(filters: Filters, lang: str) -> None:
    """AR aging with a drill-down to the open invoices of one customer."""
    st.subheader(t("finance.aging"))
    totals = data.aging_totals(filters)
    names = ["aging.not_due", "aging.0_30", "aging.31_60", "aging.61_90", "aging.over_90"]
    columns = st.columns(len(names))
    for column, name, bucket in zip(columns, names, data.AGING_BUCKETS, strict=True):
        column.metric(t(name), format_cny(totals[bucket], lang))
    customers = data.aging_by_customer(filters)
    table(customers, "receivables_aging", labels())
    if not customers.is_empty():
        st.markdown(f"**{t('finance.aging_drill')}**")
        # the customers most overdue first, as the table lists them: a choice among all of them
        # (14,696 at medium) cost seconds to format, send and draw on every run
        shortlist = customers.head(DRILL_CHOICES)
        if customers.height > DRILL_CHOICES:
            st.caption(t("finance.aging_drill_top", count=f"{DRILL_CHOICES:,}"))
        names_by_key = dict(zip(shortlist["customer_key"], shortlist["customer_name"], strict=True))
        chosen = st.selectbox(
            t("customer"),
            list(names_by_key),
            format_func=lambda key: f"{names_by_key[key] or key} ({key})",
            key="finance_aging_customer",
        )
        table(data.open_invoices(chosen), "open_invoices", labels())
    sources("finance.rpt_receivables_aging", "finance.rpt_open_receivables")


def dso_and_pnl_section(filters: Filters, lang: str) -> None:
    """DSO trend and the ledger-against-invoices P&L."""
    st.subheader(t("finance.dso_trend"))
    dso = data.dso_trend(filters)
    if not dso.is_empty():
        figure = cached_figure("finance.dso", lambda: _dso_figure(dso), filters, lang)
        st.plotly_chart(figure, width="stretch")
    st.subheader(t("finance.pnl"))
    pnl = data.pnl(filters)
    unreconciled = int((~pnl["is_reconciled"]).sum()) if not pnl.is_empty() else 0
    if unreconciled:
        st.warning(t("finance.pnl_unreconciled", count=unreconciled))
    else:
        st.success(t("finance.pnl_reconciled"))
    table(pnl, "pnl_gl_vs_invoices", labels())
    sources("finance.rpt_dso_monthly", "finance.rpt_pnl_monthly")


# the sections in the order of the page's tabs (dashboards/navigation.py)
SECTIONS = [revenue_section, receivables_section, dso_and_pnl_section]


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.finance")
    index, tab = open_section("finance")
    with tab:
        SECTIONS[index](filters, lang)


with guarded():
    main()
