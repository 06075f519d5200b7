"""Point-in-time customer features: how every buying customer stood on a given as-of date.

Every figure comes from the warehouse facts (``core.fct_*``) and uses only what was known on
the as-of date: orders, invoices, credit notes and receipts dated on or before it, follow-ups
and tickets created on or before it, and a ticket's SLA or an invoice's settlement judged by
what had happened by then (an invoice still open on the as-of date counts as open even when it
was paid a day later). Appending facts dated after the as-of date changes no feature
(``tests/models/test_features.py`` proves it). The descriptive attributes (region,
industry, acquisition channel) come from ``core.dim_customer``, which holds their current value.

The population is every golden customer with an approved order in the ``ACTIVE_DAYS`` before
the as-of date: customers quiet for longer are already lost, not a warning to give.

The churn model and the segment models share this module; ``NUMERIC_FEATURES`` and
``CATEGORY_FEATURES`` are the columns a model may learn from.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

ACTIVE_DAYS = 365
# Delays beyond this many days are one behaviour ("pays very late"); the cap keeps a few
# invoices forgotten for a year from dominating a customer's mean.
DELAY_CAP_DAYS = 90

# One pass for any number of as-of dates: every CTE carries ``as_of`` as a column, so the facts
# are read and pre-aggregated once and each fact is joined only to the cutoffs it can affect.
# Results are identical to running the single-date query once per date.
# The query lives beside this module in parts read in name order (orders, payments,
# engagement: one WITH chain); ``$cutoffs`` is the list of as-of dates.
FEATURES_SQL = "".join(
    part.read_text(encoding="utf-8")
    for part in sorted((Path(__file__).parent / "features_sql").glob("*.sql"))
)

NUMERIC_FEATURES = (
    "days_since_last_order",
    "days_since_contact",
    "tenure_days",
    "orders_3m",
    "orders_prev_3m",
    "orders_12m",
    "log_value_3m",
    "log_value_prev_3m",
    "log_value_12m",
    "order_trend",
    "delay_3m",
    "delay_prev_3m",
    "delay_12m",
    "delay_trend",
    "log_overdue_amount",
    "overdue_invoices",
    "overdue_max_days",
    "credit_notes_12m",
    "days_since_followup",
    "followups_3m",
    "tickets_3m",
    "sla_breaches_3m",
    "open_opportunities",
    "log_open_pipeline",
)
CATEGORY_FEATURES = ("region", "industry", "channel")


def query_features_at(con, dates) -> pl.DataFrame:
    """Raw point-in-time features at every date of ``dates`` in one query (``as_of_date`` says
    which); per date, the customers active in the year before it."""
    cutoffs = sorted(set(dates))
    if not cutoffs:
        raise ValueError("no as-of date given")
    params = {"cutoffs": cutoffs, "active_days": ACTIVE_DAYS, "delay_cap": DELAY_CAP_DAYS}
    return con.sql(FEATURES_SQL, params=params).pl()


def query_features(con, as_of: dt.date) -> pl.DataFrame:
    """Raw point-in-time features of every customer active in the year before ``as_of``."""
    return query_features_at(con, [as_of])


def derive_features(raw: pl.DataFrame) -> pl.DataFrame:
    """Model-ready columns from :func:`query_features`'s frame (a pure function).

    Money is taken as ``log1p`` so a large customer does not dominate a linear model; a missing
    delay (no invoice due in the window) is the customer's longer-run delay, else 0; trends are
    differences of the last 3 months against the 3 before.
    """
    delay_12m = pl.col("delay_12m").fill_null(0.0)
    return raw.with_columns(
        pl.col("delay_3m").fill_null(delay_12m).alias("delay_3m"),
        pl.col("delay_prev_3m").fill_null(delay_12m).alias("delay_prev_3m"),
        delay_12m.alias("delay_12m"),
    ).with_columns(
        (pl.col("delay_3m") - pl.col("delay_prev_3m")).alias("delay_trend"),
        (pl.col("orders_3m") - pl.col("orders_prev_3m")).cast(pl.Float64).alias("order_trend"),
        *(
            pl.col(source).clip(lower_bound=0).log1p().alias(f"log_{source}")
            for source in ("value_3m", "value_prev_3m", "value_12m", "overdue_amount")
        ),
        pl.col("open_pipeline_amount").clip(lower_bound=0).log1p().alias("log_open_pipeline"),
    )


def customer_features(con, as_of: dt.date) -> pl.DataFrame:
    """Point-in-time features of every active buying customer on ``as_of`` (one row each)."""
    return derive_features(query_features(con, as_of))


def customer_features_at(con, dates) -> dict[dt.date, pl.DataFrame]:
    """:func:`customer_features` at every date of ``dates``, computed in one pass."""
    frame = derive_features(query_features_at(con, dates))
    found = {key[0]: part for key, part in frame.partition_by("as_of_date", as_dict=True).items()}
    return {date: found.get(date, frame.clear()) for date in sorted(set(dates))}
