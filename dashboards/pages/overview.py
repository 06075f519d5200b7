"""Overview: the numbers a manager reads first."""

import plotly.express as px
import streamlit as st

from dashboards.serving import WarehouseNotPublished, WarehouseUnavailable, query, serving_path

st.title("Overview")

try:
    monthly = query(
        "select revenue_month, invoice_count, customer_count, net_revenue, gross_revenue "
        "from finance.rpt_revenue_monthly order by revenue_month"
    )
except (WarehouseNotPublished, WarehouseUnavailable) as missing:
    st.error(str(missing))
    st.stop()

if monthly.is_empty():
    st.warning("The warehouse has no invoices yet: land ERP extracts and run `tandem run`.")
    st.stop()

net_total = float(monthly["net_revenue"].sum())
gross_total = float(monthly["gross_revenue"].sum())
first, last = monthly["revenue_month"].min(), monthly["revenue_month"].max()

left, middle, right = st.columns(3)
left.metric("Net revenue (yuan)", f"{net_total:,.2f}")
middle.metric("Gross revenue incl. VAT (yuan)", f"{gross_total:,.2f}")
right.metric("Months invoiced", f"{monthly.height}")
st.caption(f"Invoices dated {first:%Y-%m} to {last:%Y-%m}. Source: `finance.rpt_revenue_monthly`.")

figure = px.bar(
    monthly.to_pandas(),
    x="revenue_month",
    y="net_revenue",
    labels={"revenue_month": "Month", "net_revenue": "Net revenue (yuan)"},
)
st.plotly_chart(figure, width="stretch")
st.caption(f"Serving file: `{serving_path()}`")
