"""Queries behind the Overview page."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboards.filters import Filters, where
from dashboards.serving import cached_query, has_table

REVENUE = "finance.rpt_revenue_by_customer_monthly"


@dataclass(frozen=True)
class PeriodFigures:
    """The KPIs of one period (None where the warehouse has nothing to say)."""

    net_revenue: float | None
    gross_margin_pct: float | None
    new_customers: int
    lost_customers: int
    dso_days: float | None


def _float(value: object) -> float | None:
    return None if value is None else float(value)


def period_figures(filters: Filters) -> PeriodFigures:
    """Revenue, margin, new and lost customers and DSO for the filtered period."""
    revenue_sql, revenue_params = where(
        filters.period_sql("revenue_month"), filters.customer_sql()
    )
    totals = cached_query(
        f"select sum(net_revenue) as net, sum(gross_margin_amount) as margin "
        f"from {REVENUE} where {revenue_sql}",
        revenue_params,
    ).row(0, named=True)
    net, margin = _float(totals["net"]), _float(totals["margin"])
    customers = _customer_counts(filters)
    return PeriodFigures(
        net_revenue=net,
        gross_margin_pct=None if not net else (margin or 0.0) / net,
        new_customers=customers["new"],
        lost_customers=customers["lost"],
        dso_days=_dso(filters),
    )


def _customer_counts(filters: Filters) -> dict[str, int]:
    """New: first invoiced in the period. Lost: invoiced in the previous period, not in this."""
    if filters.start is None:
        return {"new": 0, "lost": 0}
    now_sql, now_params = filters.period_sql("revenue_month")
    before_sql, before_params = filters.previous().period_sql("revenue_month")
    customer_sql, customer_params = filters.customer_sql()
    row = cached_query(
        f"""
        with buying as (
            select
                customer_key,
                min(revenue_month) as first_month,
                bool_or({now_sql}) as bought_now,
                bool_or({before_sql}) as bought_before
            from {REVENUE}
            where net_revenue > 0 and {customer_sql}
            group by customer_key
        )
        select
            count(*) filter (where bought_now and first_month >= ?) as new_customers,
            count(*) filter (where bought_before and not bought_now) as lost_customers
        from buying
        """,
        [*now_params, *before_params, *customer_params, filters.start],
    ).row(0)
    return {"new": int(row[0] or 0), "lost": int(row[1] or 0)}


def _dso(filters: Filters) -> float | None:
    """DSO at the end of the period (company-wide: DSO is a balance-sheet ratio)."""
    if filters.end is None:
        frame = cached_query(
            "select dso_days from finance.rpt_dso_monthly order by period_month desc limit 1"
        )
    else:
        frame = cached_query(
            "select dso_days from finance.rpt_dso_monthly where period_month = ?", [filters.end]
        )
    return None if frame.is_empty() else _float(frame.item(0, 0))


def snapshot_figures(filters: Filters) -> dict[str, float | int | None]:
    """Figures that exist only as of the build: AR overdue, weighted pipeline, silo alerts."""
    customer_sql, customer_params = filters.customer_sql()
    overdue = cached_query(
        f"select sum(past_due_amount) from finance.rpt_receivables_aging where {customer_sql}",
        customer_params,
    ).item(0, 0)
    # the pipeline mart is per rep, channel and stage: rep and channel filter it, region cannot
    pipeline_sql, pipeline_params = filters.opportunity_sql()
    weighted = cached_query(
        f"select sum(weighted_amount_gross) from sales.rpt_weighted_pipeline where {pipeline_sql}",
        pipeline_params,
    ).item(0, 0)
    alerts = cached_query(
        "select count(*) from order_to_cash.rpt_silo_alerts "
        f"where alert_type = 'crm_contract_without_erp_order' and {customer_sql}",
        customer_params,
    ).item(0, 0)
    return {
        "ar_overdue": _float(overdue) or 0.0,
        "weighted_pipeline": _float(weighted) or 0.0,
        "silo_alerts": int(alerts or 0),
    }


def monthly_trend(filters: Filters) -> pl.DataFrame:
    """Net revenue and gross margin per month of the period."""
    sql, params = where(filters.period_sql("revenue_month"), filters.customer_sql())
    return cached_query(
        f"""
        select
            revenue_month,
            sum(net_revenue) as net_revenue,
            sum(gross_margin_amount) as gross_margin_amount
        from {REVENUE}
        where {sql}
        group by revenue_month
        order by revenue_month
        """,
        params,
    )


def top_churn_risks(filters: Filters, limit: int = 10) -> pl.DataFrame | None:
    """The customers with the most value at risk in the latest churn scoring (None: no model)."""
    if not has_table("ml.churn_scores"):
        return None
    sql, params = filters.customer_sql("scores.customer_key")
    return cached_query(
        f"""
        select
            customers.customer_name,
            scores.customer_key,
            scores.churn_probability,
            scores.value_at_risk,
            scores.as_of_date
        from ml.churn_scores as scores
        left join core.dim_customer as customers using (customer_key)
        where scores.as_of_date = (select max(as_of_date) from ml.churn_scores) and {sql}
        order by scores.value_at_risk desc nulls last
        limit {int(limit)}
        """,
        params,
    )
