"""Segment membership at every month end, and how customers moved between two dates.

``snapshot_features`` computes the RFM measures (the definitions of ``models_ml.rfm``: trailing
365-day window, approved orders, returns netted in), tenure and margin rate of every customer at
many dates in one DuckDB query, each date seeing only the orders dated on or before it.
``membership`` gives every customer at every date their RFM segment (scored among the customers
of that date, as ``ml.rfm`` would have been) and their behavioural cluster (the clusters fitted
at the as-of date, so a cluster means the same thing at every date). ``migration_matrix`` is the
from/to table of customers and revenue between two dates.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models_ml.rfm import score_rfm
from models_ml.rfm_segments import WINDOW_DAYS
from models_ml.segment_clusters import ClusterModel

SNAPSHOT_SQL = """
with orders as (
    select
        customer_key,
        order_id,
        order_date,
        sum(net_amount) as net_amount,
        sum(net_amount - standard_cost_amount) as margin,
        sum(net_amount) filter (where standard_cost_amount is not null) as costed_net
    from core.fct_order_lines
    where is_approved and customer_key is not null and order_date <= $last_date
    group by customer_key, order_id, order_date
),

snapshot_dates as (
    select unnest($dates) as snapshot_date
),

windowed as (
    select
        snapshot_dates.snapshot_date,
        orders.*,
        orders.order_date > snapshot_dates.snapshot_date - $window_days as in_window
    from snapshot_dates
    inner join orders on orders.order_date <= snapshot_dates.snapshot_date
)

select
    snapshot_date,
    customer_key,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(*) as lifetime_orders,
    date_diff('day', max(order_date), snapshot_date) as recency_days,
    count(*) filter (where in_window) as frequency,
    coalesce(sum(net_amount) filter (where in_window), 0) as monetary,
    date_diff('day', min(order_date), snapshot_date) as tenure_days,
    sum(net_amount) / count(*) as average_order_value,
    sum(margin) / nullif(sum(costed_net), 0) as margin_rate
from windowed
group by snapshot_date, customer_key
order by snapshot_date, customer_key
"""

SNAPSHOT_SCHEMA = {
    "snapshot_date": pl.Date,
    "customer_key": pl.String,
    "first_order_date": pl.Date,
    "last_order_date": pl.Date,
    "lifetime_orders": pl.Int64,
    "recency_days": pl.Int64,
    "frequency": pl.Int64,
    "monetary": pl.Decimal(18, 2),
    "tenure_days": pl.Int64,
    "average_order_value": pl.Float64,
    "margin_rate": pl.Float64,
}

DIMENSIONS = {"rfm": "rfm_segment", "cluster": "cluster_name"}


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month end from the one of ``first``'s month up to ``last`` (inclusive)."""
    ends = []
    year, month = first.year, first.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        end = following - dt.timedelta(days=1)
        if end > last:
            return ends
        ends.append(end)
        year, month = following.year, following.month


def snapshot_features(con, dates: list[dt.date]) -> pl.DataFrame:
    """RFM measures, tenure and margin rate of every customer with an order by each date."""
    if not dates:
        return pl.DataFrame(schema=SNAPSHOT_SCHEMA)
    frame = con.sql(
        SNAPSHOT_SQL,
        params={"dates": sorted(dates), "last_date": max(dates), "window_days": WINDOW_DAYS},
    ).pl()
    return frame.cast(SNAPSHOT_SCHEMA)  # type: ignore[arg-type]


def membership(snapshots: pl.DataFrame, clusters: ClusterModel) -> pl.DataFrame:
    """RFM segment and cluster of every customer at every snapshot date."""
    frames = []
    for (date,), features in snapshots.group_by("snapshot_date", maintain_order=True):
        rfm = score_rfm(features.drop("snapshot_date"), date).select(
            "customer_key", pl.col("segment").alias("rfm_segment")
        )
        assigned = clusters.assign(features)
        frames.append(
            assigned.join(rfm, on="customer_key").select(
                pl.col("snapshot_date").alias("month_end"),
                "customer_key",
                "rfm_segment",
                "cluster_id",
                "cluster_name",
                pl.col("monetary").cast(pl.Float64).alias("revenue_12m"),
                "recency_days",
                "frequency",
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame()


def migration_matrix(
    history: pl.DataFrame, from_date: dt.date, to_date: dt.date, dimension: str = "rfm"
) -> pl.DataFrame:
    """Customers and revenue moving from each segment at ``from_date`` to each at ``to_date``.

    Only customers present at both dates count (customers are never removed, so these are the
    customers of ``from_date``); revenue is the trailing 12-month revenue at each date.
    ``dimension`` is ``rfm`` (the named RFM segments) or ``cluster`` (the clusters).
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}")
    column = DIMENSIONS[dimension]

    def at(date: dt.date, side: str) -> pl.DataFrame:
        return history.filter(pl.col("month_end") == date).select(
            "customer_key",
            pl.col(column).alias(f"{side}_segment"),
            pl.col("revenue_12m").alias(f"revenue_{side}"),
        )

    return (
        at(from_date, "from")
        .join(at(to_date, "to"), on="customer_key", how="inner")
        .group_by("from_segment", "to_segment")
        .agg(
            pl.len().alias("customers"),
            pl.col("revenue_from").sum(),
            pl.col("revenue_to").sum(),
        )
        .with_columns(
            pl.lit(dimension).alias("dimension"),
            pl.lit(from_date).alias("from_date"),
            pl.lit(to_date).alias("to_date"),
        )
        .select(
            "dimension",
            "from_date",
            "to_date",
            "from_segment",
            "to_segment",
            "customers",
            "revenue_from",
            "revenue_to",
        )
        .sort("from_segment", "to_segment")
    )
