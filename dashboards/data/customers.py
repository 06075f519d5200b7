"""Queries behind Customer 360 and the Churn watchlist."""

from __future__ import annotations

import polars as pl

from dashboards.access.roles import mask_frame
from dashboards.filters import Filters
from dashboards.search import SearchTerms
from dashboards.serving import cached_query, has_table

# the same folding as dashboards.search.fold, in SQL (DuckDB has no NFKC: names are stored
# half-width already, the typed text is folded in Python)
FOLD_SQL = r"regexp_replace(lower({column}), '[\s\-_/·()（）【】\[\]]', '', 'g')"
SEARCH_LIMIT = 50
TIMELINE_LIMIT = 500


def search(terms: SearchTerms, filters: Filters) -> pl.DataFrame:
    """Customers whose name, codes, tax id or phone match what was typed (the phone itself
    is not returned: no page shows it, and a frame that is not masked should hold none)."""
    customer_sql, customer_params = filters.customer_sql()
    digits_sql = (
        "or regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') like '%' || ? || '%'"
        if terms.digits
        else ""
    )
    params: list = [terms.name, terms.code, terms.code, terms.code]
    if terms.digits:
        params.append(terms.digits)
    return cached_query(
        f"""
        select customer_key, customer_name, region, tax_id
        from core.dim_customer
        where not is_deleted and {customer_sql} and (
            {FOLD_SQL.format(column="customer_name")} like '%' || ? || '%'
            or lower(customer_key) = ?
            or lower(coalesce(tax_id, '')) = ?
            or {FOLD_SQL.format(column="coalesce(erp_record_keys, '') || ',' || "
                "coalesce(crm_record_keys, '')")} like '%:' || ? || '%'
            {digits_sql}
        )
        order by customer_name
        limit {SEARCH_LIMIT}
        """,
        [*customer_params, *params],
    )


def profile(customer_key: str, role: str) -> dict | None:
    """The customer-360 row of one customer as ``role`` may see it: phone and e-mail masked
    unless marketing or admin (None if unknown)."""
    frame = cached_query(
        """
        select c360.*, customers.tax_id, customers.phone, customers.email, customers.address
        from customer.rpt_customer_360 as c360
        left join core.dim_customer as customers using (customer_key)
        where c360.customer_key = ?
        """,
        [customer_key],
    )
    frame = mask_frame(frame, role)
    return None if frame.is_empty() else frame.row(0, named=True)


def timeline(customer_key: str) -> pl.DataFrame:
    """Orders, invoices, receipts, follow-ups, tickets and stage changes, newest first."""
    return cached_query(
        f"""
        with orders as (
            select order_date as event_date, 'order' as event, order_id as document,
                sum(gross_amount) as amount, any_value(doc_status) as detail
            from core.fct_order_lines where customer_key = $key group by order_id, order_date
        ),
        invoices as (
            select invoice_date, 'invoice', invoice_id, sum(gross_amount), any_value(document_type)
            from core.fct_invoice_lines where customer_key = $key group by invoice_id, invoice_date
        ),
        receipts as (
            select receipt_date, 'receipt', receipt_id, sum(received_amount),
                any_value(settlement_method)
            from core.fct_receipt_allocations where customer_key = $key
            group by receipt_id, receipt_date
        ),
        followups as (
            select activity_date, 'followup', cast(activity_id as varchar), null, category_name
            from core.fct_activities where customer_key = $key and is_followup
        ),
        tickets as (
            select ticket_date, 'ticket', ticket_no, null,
                concat_ws(' · ', category_name, priority_name, status_name)
            from core.fct_tickets where customer_key = $key
        ),
        stage_changes as (
            select history.changed_date, 'stage_change', opportunities.opportunity_name,
                opportunities.expected_amount_gross, history.stage_name
            from core.fct_opportunity_stage_history as history
            join core.fct_opportunities as opportunities using (opportunity_id)
            where opportunities.customer_key = $key
        ),
        events as (
            select * from orders
            union all select * from invoices
            union all select * from receipts
            union all select * from followups
            union all select * from tickets
            union all select * from stage_changes
        )
        select cast(event_date as date) as event_date, event, document,
            cast(amount as decimal(18, 2)) as amount, detail
        from events
        order by event_date desc, event
        limit {TIMELINE_LIMIT}
        """.replace("$key", "?"),
        [customer_key] * 6,
    )


def identity_links(customer_key: str) -> pl.DataFrame:
    """The CRM and ERP records merged into this customer and the evidence for each link."""
    return cached_query(
        """
        select left_system || ':' || left_record_id as left_record,
            right_system || ':' || right_record_id as right_record,
            link_type, link_rule, match_probability, override_reason
        from core.fct_identity_links
        where customer_key = ?
        order by match_probability desc nulls last
        """,
        [customer_key],
    )


def scores(customer_key: str) -> dict[str, dict | None]:
    """The newest RFM, churn and CLV rows of one customer (None where the model is absent)."""
    found: dict[str, dict | None] = {}
    for name, table in (("rfm", "ml.rfm"), ("churn", "ml.churn_scores"), ("clv", "ml.clv")):
        if not has_table(table):
            found[name] = None
            continue
        frame = cached_query(
            f"select * from {table} where customer_key = ? order by as_of_date desc limit 1",
            [customer_key],
        )
        found[name] = {} if frame.is_empty() else frame.row(0, named=True)
    return found


def churn_watchlist(filters: Filters) -> pl.DataFrame:
    """The latest churn scores with owner and last contact, most value at risk first."""
    sql, params = filters.customer_sql("scores.customer_key")
    return cached_query(
        f"""
        select
            c360.customer_name,
            scores.customer_key,
            scores.churn_probability,
            scores.value_at_risk,
            scores.* exclude (customer_key, churn_probability, value_at_risk, last_order_date),
            c360.owner_name,
            greatest(c360.last_activity_date, c360.last_followup_date) as last_contact_date,
            c360.last_order_date
        from ml.churn_scores as scores
        left join customer.rpt_customer_360 as c360 using (customer_key)
        where scores.as_of_date = (select max(as_of_date) from ml.churn_scores) and {sql}
        order by scores.value_at_risk desc nulls last
        """,
        params,
    )
