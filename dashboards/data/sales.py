"""Queries behind the Sales page (opportunity marts carry their own rep and channel)."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters, where
from dashboards.serving import cached_query, query

CRM_ALERT = "crm_contract_without_erp_order"
ERP_ALERT = "erp_order_without_crm_contract"


def funnel(filters: Filters) -> pl.DataFrame:
    """Lead-to-win steps summed over the chosen channels, with step conversion."""
    # the funnel mart is per channel only: a rep filter cannot split it
    sql, params = _channel_sql(filters)
    return cached_query(
        f"""
        with steps as (
            select
                step_order,
                any_value(step_name) as step_name,
                sum(reached_count) as reached_count,
                sum(avg_days_from_previous * reached_count) / nullif(sum(reached_count), 0)
                    as avg_days_from_previous
            from sales.rpt_sales_funnel
            where {sql}
            group by step_order
        )
        select
            step_order,
            step_name,
            reached_count,
            reached_count / nullif(lag(reached_count) over (order by step_order), 0)
                as conversion_from_previous,
            avg_days_from_previous
        from steps
        order by step_order
        """,
        params,
    )


def stage_conversion(filters: Filters) -> pl.DataFrame:
    """Per CRM stage: entered, advanced, won and the average days spent in it."""
    sql, params = _channel_sql(filters)
    return cached_query(
        f"""
        select
            stage_order,
            any_value(stage_name) as stage_name,
            sum(entered_count) as entered_count,
            sum(advanced_count) as advanced_count,
            sum(won_count) as won_count,
            sum(open_count) as open_count,
            sum(advanced_count) / nullif(sum(entered_count - open_count), 0) as advance_rate,
            sum(avg_days_in_stage * completed_stay_count) / nullif(sum(completed_stay_count), 0)
                as avg_days_in_stage
        from sales.rpt_opportunity_stage_conversion
        where {sql}
        group by stage_order
        order by stage_order
        """,
        params,
    )


def stuck(filters: Filters) -> pl.DataFrame:
    """Open opportunities that have not moved for too long, biggest weighted amount first."""
    sql, params = where(filters.opportunity_sql(), _region_sql(filters))
    return cached_query(
        f"""
        select opportunity_name, customer_key, channel, sales_rep_id, stage_name,
            expected_amount_gross, weighted_amount_gross, days_since_last_change
        from sales.rpt_stuck_opportunities
        where {sql}
        order by weighted_amount_gross desc
        """,
        params,
    )


def win_rate_by_rep(filters: Filters) -> pl.DataFrame:
    """Win rate and won amount per sales rep."""
    sql, params = ("true", [])
    if filters.reps:
        sql, params = "list_contains(?, rates.sales_rep_id)", [list(filters.reps)]
    return cached_query(
        f"""
        select reps.sales_rep_name, rates.won_count, rates.lost_count, rates.open_count,
            rates.win_rate, rates.won_amount_gross
        from sales.rpt_win_rate_by_rep as rates
        left join core.dim_sales_rep as reps using (sales_rep_id)
        where {sql}
        order by rates.won_amount_gross desc
        """,
        params,
    )


def win_rate_by_channel(filters: Filters) -> pl.DataFrame:
    """Win rate and won amount per acquisition channel."""
    sql, params = _channel_sql(filters)
    return cached_query(
        f"""
        select channel, won_count, lost_count, open_count, win_rate, won_amount_gross
        from sales.rpt_win_rate_by_channel
        where {sql}
        order by won_amount_gross desc
        """,
        params,
    )


def weighted_pipeline(filters: Filters) -> pl.DataFrame:
    """Open and weighted pipeline per stage."""
    sql, params = filters.opportunity_sql()
    return cached_query(
        f"""
        select stage_order, any_value(stage_name) as stage_name, sum(open_count) as open_count,
            sum(amount_gross) as amount_gross, sum(weighted_amount_gross) as weighted_amount_gross
        from sales.rpt_weighted_pipeline
        where {sql}
        group by stage_order
        order by stage_order
        """,
        params,
    )


def silo_summary(filters: Filters, alert_type: str) -> tuple[int, float]:
    """How many alerts of one direction there are and their amount (summed in SQL: the ERP
    direction has 300k rows at medium, too many to fetch and cache for two figures)."""
    sql, params = filters.customer_sql("alerts.customer_key")
    count, amount = cached_query(
        f"""
        select count(*), coalesce(sum(alerts.amount_gross), 0)
        from order_to_cash.rpt_silo_alerts as alerts
        where alerts.alert_type = ? and {sql}
        """,
        [alert_type, *params],
    ).row(0)
    return int(count), float(amount)


def _silo_alerts_sql(filters: Filters, alert_type: str) -> tuple[str, list]:
    sql, params = filters.customer_sql("alerts.customer_key")
    return (
        f"""
        select alerts.document_no, customers.customer_name, alerts.customer_key,
            alerts.document_date, alerts.age_days, alerts.amount_gross, alerts.alert_detail
        from order_to_cash.rpt_silo_alerts as alerts
        left join core.dim_customer as customers using (customer_key)
        where alerts.alert_type = ? and {sql}
        order by alerts.age_days desc, alerts.document_no
        """,
        [alert_type, *params],
    )


def silo_alerts(filters: Filters, alert_type: str, limit: int) -> pl.DataFrame:
    """The ``limit`` oldest order-to-cash alerts of one direction."""
    sql, params = _silo_alerts_sql(filters, alert_type)
    return cached_query(f"{sql} limit {int(limit)}", params)


def all_silo_alerts(filters: Filters, alert_type: str) -> pl.DataFrame:
    """Every alert of one direction, oldest first: the download, read when it is clicked (not
    cached: it would keep 300k rows per build in the server's memory for a rare click)."""
    sql, params = _silo_alerts_sql(filters, alert_type)
    return query(sql, params)


def _region_sql(filters: Filters) -> tuple[str, list]:
    if not filters.regions:
        return "true", []
    return Filters(regions=filters.regions).customer_sql()


def _channel_sql(filters: Filters) -> tuple[str, list]:
    if not filters.channels:
        return "true", []
    return "list_contains(?, channel)", [list(filters.channels)]
