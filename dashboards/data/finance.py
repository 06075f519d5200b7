"""Queries behind the Finance page."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters, where
from dashboards.serving import cached_query

BY_CUSTOMER = "finance.rpt_revenue_by_customer_monthly"
AGING_BUCKETS = [
    "not_due_amount",
    "past_due_0_30_amount",
    "past_due_31_60_amount",
    "past_due_61_90_amount",
    "past_due_over_90_amount",
]


def by_month(filters: Filters) -> pl.DataFrame:
    """Net revenue, cost and gross margin per month."""
    sql, params = where(filters.period_sql("revenue_month"), filters.customer_sql())
    return cached_query(
        f"""
        select
            revenue_month,
            sum(net_revenue) as net_revenue,
            sum(cost_amount) as cost_amount,
            sum(gross_margin_amount) as gross_margin_amount,
            sum(gross_margin_amount) / nullif(sum(net_revenue), 0) as gross_margin_pct
        from {BY_CUSTOMER}
        where {sql}
        group by revenue_month
        order by revenue_month
        """,
        params,
    )


def by_region(filters: Filters) -> pl.DataFrame:
    """Net revenue and margin per region (from customer rows, so every filter applies)."""
    sql, params = where(filters.period_sql("revenue_month"), filters.customer_sql())
    return cached_query(
        f"""
        select
            coalesce(region, '—') as region,
            count(distinct customer_key) as customer_count,
            sum(net_revenue) as net_revenue,
            sum(gross_margin_amount) as gross_margin_amount,
            sum(gross_margin_amount) / nullif(sum(net_revenue), 0) as gross_margin_pct
        from {BY_CUSTOMER}
        where {sql}
        group by 1
        order by net_revenue desc
        """,
        params,
    )


def by_customer(filters: Filters, limit: int = 50) -> pl.DataFrame:
    """The customers with the most net revenue in the period."""
    sql, params = where(filters.period_sql("revenue.revenue_month"), filters.customer_sql())
    return cached_query(
        f"""
        select
            customers.customer_name,
            revenue.customer_key,
            any_value(revenue.region) as region,
            sum(revenue.net_revenue) as net_revenue,
            sum(revenue.gross_margin_amount) as gross_margin_amount,
            sum(revenue.gross_margin_amount) / nullif(sum(revenue.net_revenue), 0)
                as gross_margin_pct
        from {BY_CUSTOMER} as revenue
        left join core.dim_customer as customers using (customer_key)
        where {sql}
        group by 1, 2
        order by net_revenue desc
        limit {int(limit)}
        """,
        params,
    )


def by_product(filters: Filters) -> pl.DataFrame:
    """Net revenue and margin per product group and product (the product mart has no customer,
    so only the period applies)."""
    sql, params = filters.period_sql("revenue_month")
    return cached_query(
        f"""
        select
            product_group,
            product_code,
            any_value(product_name) as product_name,
            sum(net_revenue) as net_revenue,
            sum(gross_margin_amount) as gross_margin_amount,
            sum(gross_margin_amount) / nullif(sum(net_revenue), 0) as gross_margin_pct
        from finance.rpt_revenue_by_product_monthly
        where {sql}
        group by 1, 2
        order by net_revenue desc
        """,
        params,
    )


def aging_totals(filters: Filters) -> dict[str, float]:
    """Open receivables per aging bucket, as of the build."""
    sql, params = filters.customer_sql()
    sums = ", ".join(f"coalesce(sum({bucket}), 0) as {bucket}" for bucket in AGING_BUCKETS)
    row = cached_query(
        f"select {sums} from finance.rpt_receivables_aging where {sql}", params
    ).row(0, named=True)
    return {bucket: float(row[bucket]) for bucket in AGING_BUCKETS}


def aging_by_customer(filters: Filters) -> pl.DataFrame:
    """Customers with open receivables, most past due first."""
    sql, params = filters.customer_sql("aging.customer_key")
    return cached_query(
        f"""
        select
            customers.customer_name,
            aging.customer_key,
            aging.open_invoice_count,
            aging.open_amount,
            aging.past_due_amount,
            aging.max_days_past_due
        from finance.rpt_receivables_aging as aging
        left join core.dim_customer as customers using (customer_key)
        where {sql}
        order by aging.past_due_amount desc, aging.open_amount desc
        """,
        params,
    )


def open_invoices(customer_key: str) -> pl.DataFrame:
    """The open invoices of one customer (the aging drill-down)."""
    return cached_query(
        """
        select invoice_id, invoice_date, due_date, receivable_gross_amount, received_amount,
            open_amount, days_past_due, aging_bucket
        from finance.rpt_open_receivables
        where customer_key = ?
        order by days_past_due desc
        """,
        [customer_key],
    )


def dso_trend(filters: Filters) -> pl.DataFrame:
    """DSO per month of the period (company-wide)."""
    sql, params = filters.period_sql("period_month")
    return cached_query(
        f"select period_month, dso_days, receivables_balance from finance.rpt_dso_monthly "
        f"where {sql} order by period_month",
        params,
    )


def pnl(filters: Filters) -> pl.DataFrame:
    """The ledger's P&L against the invoices, month by month (company-wide)."""
    sql, params = filters.period_sql("period_month")
    return cached_query(
        f"""
        select period_month, gl_revenue, invoice_net_revenue, revenue_difference,
            gl_cost_of_sales, invoice_cost_of_sales, cost_of_sales_difference,
            gl_gross_profit, is_reconciled
        from finance.rpt_pnl_monthly
        where {sql}
        order by period_month
        """,
        params,
    )
