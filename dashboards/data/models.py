"""Queries behind the model pages: Churn watchlist, Segments and the spend of Channel ROI.

The model tables come from other models' assets and may be absent from a build; callers check
with ``has_table`` (through ``components.model_guidance``) before they query.
"""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.serving import cached_query, has_table

CLUSTER_TABLES = ["ml.customer_clusters", "ml.cluster_profiles"]
MIGRATION_TABLE = "ml.segment_history"


def spend_by_channel(filters: Filters) -> pl.DataFrame:
    """Marketing spend, clicks and leads per channel in the period (the ROI model's input)."""
    period_sql, params = filters.period_sql("spend_date")
    channel_sql = "true"
    if filters.channels:
        channel_sql = "list_contains(?, channel)"
        params = [*params, list(filters.channels)]
    return cached_query(
        f"""
        select channel, sum(spend_yuan) as spend_yuan, sum(clicks) as clicks,
            sum(reported_leads) as reported_leads
        from core.fct_marketing_spend
        where {period_sql} and {channel_sql}
        group by channel
        order by spend_yuan desc
        """,
        params,
    )


def latest(table: str, filters: Filters | None = None) -> pl.DataFrame:
    """The newest as-of date of a model table (the whole table if it has no as_of_date)."""
    columns = cached_query(f"select * from {table} limit 0").columns
    conditions, params = [], []
    if "as_of_date" in columns:
        conditions.append(f"as_of_date = (select max(as_of_date) from {table})")
    if filters is not None and filters.channels and "channel" in columns:
        conditions.append("list_contains(?, channel)")
        params.append(list(filters.channels))
    if filters is not None and filters.narrows_customers and "customer_key" in columns:
        sql, customer_params = filters.customer_sql()
        conditions.append(sql)
        params.extend(customer_params)
    where = " and ".join(conditions) or "true"
    return cached_query(f"select * from {table} where {where}", params)


def rfm_grid(filters: Filters) -> pl.DataFrame:
    """Customers per recency score and frequency-monetary score of the latest RFM run."""
    sql, params = filters.customer_sql()
    return cached_query(
        f"""
        select r_score, fm_score, count(*) as customers, sum(monetary) as monetary
        from ml.rfm
        where as_of_date = (select max(as_of_date) from ml.rfm) and {sql}
        group by all
        order by r_score, fm_score
        """,
        params,
    )


def rfm_segments(filters: Filters) -> pl.DataFrame:
    """Size and value of each RFM segment, in the catalogue's order, with its action."""
    sql, params = filters.customer_sql("rfm.customer_key")
    return cached_query(
        f"""
        select catalogue.segment_label, count(rfm.customer_key) as customers,
            sum(rfm.monetary) as monetary, catalogue.suggested_action
        from ml.rfm_segments as catalogue
        left join ml.rfm as rfm
            on rfm.segment = catalogue.segment
            and rfm.as_of_date = (select max(as_of_date) from ml.rfm)
            and {sql}
        group by catalogue.segment_label, catalogue.suggested_action, catalogue.sort_order
        order by catalogue.sort_order
        """,
        params,
    )


def migration_dates() -> list:
    """The as-of dates the segment history holds, oldest first."""
    if not has_table(MIGRATION_TABLE):
        return []
    return cached_query(
        f"select distinct month_end as as_of_date from {MIGRATION_TABLE} order by 1"
    )["as_of_date"].to_list()


def migration(before, after, filters: Filters) -> pl.DataFrame:
    """How many customers moved from each segment at ``before`` to each at ``after``."""
    sql, params = filters.customer_sql("earlier.customer_key")
    return cached_query(
        f"""
        select earlier.rfm_segment as from_segment,
            coalesce(later.rfm_segment, '—') as to_segment,
            count(*) as customers, sum(earlier.revenue_12m) as revenue_12m
        from {MIGRATION_TABLE} as earlier
        left join {MIGRATION_TABLE} as later
            on later.customer_key = earlier.customer_key and later.month_end = ?
        where earlier.month_end = ? and {sql}
        group by all
        order by customers desc
        """,
        [after, before, *params],
    )
