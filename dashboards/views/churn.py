"""Churn watchlist: who is likely to leave, what it would cost, why, and who owns the account."""

import polars as pl
import streamlit as st

from dashboards.components import guarded, model_guidance, parse_reasons, require_rows, table
from dashboards.data import customers as data
from dashboards.formatting import format_cny, format_count
from dashboards.i18n import t
from dashboards.page import sources, start_page


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.churn")
    if not model_guidance("churn", ["ml.churn_scores"]):
        return
    watchlist = data.churn_watchlist(filters)
    require_rows(watchlist, filtered=filters.narrows_customers)
    if "reasons" in watchlist.columns:
        watchlist = watchlist.with_columns(
            pl.col("reasons").cast(pl.String).map_elements(parse_reasons, return_dtype=pl.String)
        )
    left, right = st.columns(2)
    left.metric(t("churn.customers"), format_count(watchlist.height))
    right.metric(t("churn.total_at_risk"), format_cny(watchlist["value_at_risk"].sum(), lang))
    table(
        watchlist,
        "churn_watchlist",
        {
            "customer_name": t("customer"),
            "customer_key": t("customer_code"),
            "churn_probability": t("churn.probability"),
            "value_at_risk": t("churn.value_at_risk"),
            "reasons": t("churn.reasons"),
            "owner_name": t("owner"),
            "last_contact_date": t("churn.last_contact"),
            "last_order_date": t("c360.last_order"),
        },
    )
    sources("ml.churn_scores", "customer.rpt_customer_360")


with guarded():
    main()
