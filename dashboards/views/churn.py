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
        # the model stores its reasons as lists, one per language; show the reader's as text
        source = "reasons_zh" if lang == "zh" and "reasons_zh" in watchlist.columns else "reasons"
        if isinstance(watchlist.schema[source], pl.List):
            reasons = pl.col(source).list.join("; ")
        else:
            reasons = (
                pl.col(source).cast(pl.String).map_elements(parse_reasons, return_dtype=pl.String)
            )
        watchlist = watchlist.with_columns(reasons.alias("reasons"))
    nested = [name for name, kind in watchlist.schema.items() if isinstance(kind, pl.List)]
    watchlist = watchlist.drop(nested)  # lists do not go into a table or a CSV
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
