"""Customer 360: find a customer however it was typed, then everything about it on one page."""

import polars as pl
import streamlit as st

from dashboards.access.session import current_user
from dashboards.components import guarded, parse_reasons, table
from dashboards.data import customers as data
from dashboards.formatting import format_cny, format_date, format_pct
from dashboards.i18n import t
from dashboards.page import sources, start_page
from dashboards.search import search_terms

EVENT_KEYS = ["order", "invoice", "receipt", "followup", "ticket", "stage_change"]


def pick_customer(filters) -> str | None:
    """The search box and the list of matches; returns the chosen customer key."""
    text = st.text_input(t("c360.search"), key="c360_query", placeholder=t("c360.hint"))
    terms = search_terms(text)
    if terms is None:
        st.caption(t("c360.hint"))
        return None
    matches = data.search(terms, filters)
    if matches.is_empty():
        st.info(t("c360.no_match", text=text))
        return None
    names = dict(zip(matches["customer_key"], matches["customer_name"], strict=True))
    return st.selectbox(
        t("c360.pick"),
        list(names),
        format_func=lambda key: f"{names[key]} · {key}",
        key="c360_customer",
    )


def show_profile(row: dict, lang: str) -> None:
    """Who the customer is and the money figures."""
    st.subheader(f"{row['customer_name']} · {row['customer_key']}")
    facts = [
        (t("region"), row.get("region")),
        (t("owner"), row.get("owner_name")),
        (t("channel"), row.get("acquisition_channel")),
        ("Tax ID / 税号", row.get("tax_id")),
        ("☎", row.get("phone")),
    ]
    st.markdown(" · ".join(f"**{label}** {value or '—'}" for label, value in facts))
    columns = st.columns(4)
    columns[0].metric(t("c360.lifetime_revenue"), format_cny(row["lifetime_net_revenue"], lang))
    columns[1].metric(t("c360.t12m_revenue"), format_cny(row["t12m_net_revenue"], lang))
    columns[2].metric(t("c360.receivables"), format_cny(row["receivables_outstanding"], lang))
    columns[3].metric(t("c360.last_order"), format_date(row["last_order_date"], lang))


def show_scores(customer_key: str, lang: str) -> None:
    """RFM segment, churn risk with its reasons, CLV; or why a model's output is missing."""
    st.subheader(t("c360.scores"))
    found = data.scores(customer_key)
    columns = st.columns(3)
    rfm, churn, clv = found["rfm"], found["churn"], found["clv"]
    columns[0].metric(
        t("c360.rfm_segment"), (rfm or {}).get("segment_label") or "—", help=_missing(rfm, "rfm")
    )
    columns[1].metric(
        t("c360.churn"),
        format_pct((churn or {}).get("churn_probability")),
        help=_missing(churn, "churn"),
    )
    columns[2].metric(
        t("c360.clv"),
        format_cny((clv or {}).get("clv_12m_revenue"), lang),
        help=_missing(clv, "clv"),
    )
    if churn and churn.get("reasons"):
        st.caption(f"{t('churn.reasons')}: {parse_reasons(churn['reasons'])}")


def _missing(row: dict | None, model: str) -> str | None:
    if row is None:
        return t("model_missing", model=t(f"model.{model}"), tables=model) + " " + t("model_howto")
    return None


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.customer_360", needs=("customer.rpt_customer_360",))
    customer_key = pick_customer(filters)
    if customer_key is None:
        return
    user = current_user()
    row = data.profile(customer_key, user.role if user else "")
    if row is None:
        st.info(t("no_rows_warehouse"))
        return
    show_profile(row, lang)
    show_scores(customer_key, lang)
    st.subheader(t("c360.timeline"))
    events = data.timeline(customer_key).with_columns(
        event=pl.col("event").replace({key: t(f"event.{key}") for key in EVENT_KEYS})
    )
    table(
        events,
        f"timeline_{customer_key}",
        {
            "event_date": t("date"),
            "event": t("event"),
            "document": t("document"),
            "amount": t("amount"),
            "detail": t("detail"),
        },
    )
    st.subheader(t("c360.merged"))
    st.caption(
        f"CRM: {row.get('crm_record_keys') or '—'} · ERP: {row.get('erp_record_keys') or '—'}"
    )
    table(
        data.identity_links(customer_key), f"identity_{customer_key}", {"link_rule": t("evidence")}
    )
    sources(
        "customer.rpt_customer_360",
        "core.dim_customer",
        "core.fct_order_lines",
        "core.fct_invoice_lines",
        "core.fct_receipt_allocations",
        "core.fct_activities",
        "core.fct_tickets",
        "core.fct_opportunity_stage_history",
        "core.fct_identity_links",
        "ml.rfm",
    )


with guarded():
    main()
