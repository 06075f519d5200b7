"""Finance: revenue and margin by month, product, region and customer; receivables; DSO; P&L."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboards.components import guarded, open_section, require_rows, table
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


def revenue_section(filters: Filters, lang: str) -> None:
    """Revenue and margin by month, region, customer and product."""
    monthly = data.by_month(filters)
    require_rows(monthly, filtered=filters.narrows_customers)
    st.subheader(t("finance.by_month"))
    figure = go.Figure()
    figure.add_bar(x=monthly["revenue_month"], y=monthly["net_revenue"], name=t("net_revenue"))
    figure.add_bar(
        x=monthly["revenue_month"], y=monthly["gross_margin_amount"], name=t("gross_margin")
    )
    figure.update_layout(xaxis_title=t("month"), yaxis_title=t("amount"), height=340)
    st.plotly_chart(figure, width="stretch")
    table(monthly, "revenue_by_month", labels())
    left, right = st.columns(2)
    with left:
        st.subheader(t("finance.by_region"))
        table(data.by_region(filters), "revenue_by_region", labels())
    with right:
        st.subheader(t("finance.by_customer"))
        table(data.by_customer(filters), "revenue_by_customer", labels())
    st.subheader(t("finance.by_product"))
    table(data.by_product(filters), "revenue_by_product", labels())
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
        figure = px.line(
            dso.to_pandas(),
            x="period_month",
            y="dso_days",
            markers=True,
            labels={"period_month": t("month"), "dso_days": t("dso_days")},
        )
        figure.update_layout(height=300)
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
