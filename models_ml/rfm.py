"""RFM segmentation: recency, frequency and monetary value of every buying customer.

Three steps, each usable alone:

- ``rfm_features`` aggregates the approved ERP sales orders (``core.fct_order_lines``) per
  golden customer in DuckDB, using only orders dated on or before the as-of date: days since
  the last order, orders and net order value in the trailing window (365 days by default).
- ``score_rfm`` is a pure function over that frame: each measure becomes a score from 1 to 5 by
  its rank among the scored customers (quintiles; tied values share a score), and the recency
  score and the mean of the frequency and monetary scores place the customer in one cell of
  ``SEGMENT_GRID``, which names its segment.
- ``write_rfm`` stores the scores as ``ml.rfm`` and the segment catalogue as ``ml.rfm_segments``.

The model card is ``docs/models/rfm.md``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models_ml.rfm_segments import (
    MODEL_VERSION,
    SCORES,
    SEGMENT_GRID,
    SEGMENTS,
    WINDOW_DAYS,
)

FEATURES_SQL = """
with orders as (
    select
        customer_key,
        order_id,
        order_date,
        sum(net_amount) as net_amount
    from core.fct_order_lines
    where is_approved and customer_key is not null and order_date <= $as_of
    group by customer_key, order_id, order_date
)

select
    customer_key,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(*) as lifetime_orders,
    date_diff('day', max(order_date), $as_of) as recency_days,
    count(*) filter (where order_date > $window_start) as frequency,
    coalesce(sum(net_amount) filter (where order_date > $window_start), 0) as monetary
from orders
group by customer_key
order by customer_key
"""

FEATURE_SCHEMA = {
    "customer_key": pl.String,
    "first_order_date": pl.Date,
    "last_order_date": pl.Date,
    "lifetime_orders": pl.Int64,
    "recency_days": pl.Int64,
    "frequency": pl.Int64,
    "monetary": pl.Decimal(18, 2),
}


def rfm_features(con, as_of: dt.date, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """One row per golden customer with an approved order on or before ``as_of``.

    ``monetary`` is the net order value (returns netted in, yuan) and ``frequency`` the number
    of orders dated in the ``window_days`` ending on ``as_of``; ``recency_days`` counts from
    the last order ever to ``as_of``.
    """
    if window_days < 1:
        raise ValueError(f"the RFM window must be at least one day, got {window_days}")
    window_start = as_of - dt.timedelta(days=window_days)
    frame = con.sql(FEATURES_SQL, params={"as_of": as_of, "window_start": window_start}).pl()
    return frame.cast(FEATURE_SCHEMA)  # type: ignore[arg-type]


def quantile_score(values: pl.Expr, higher_is_better: bool = True) -> pl.Expr:
    """1..5 by rank among the rows: the bottom fifth scores 1, the top fifth 5; ties share the
    lower score."""
    ranked = (values if higher_is_better else -values).rank(method="min")
    return (1 + (ranked - 1) * SCORES // pl.len()).cast(pl.Int8)


def segment_frame() -> pl.DataFrame:
    """The 25 cells of ``SEGMENT_GRID`` with the segment and label each one names."""
    labels = {s.key: s for s in SEGMENTS}
    cells = [
        (r_score, fm_score + 1, key)
        for r_score, row in SEGMENT_GRID.items()
        for fm_score, key in enumerate(row)
    ]
    return pl.DataFrame(
        {
            "r_score": [c[0] for c in cells],
            "fm_score": [c[1] for c in cells],
            "segment": [c[2] for c in cells],
            "segment_label": [labels[c[2]].label for c in cells],
        },
        schema={
            "r_score": pl.Int8,
            "fm_score": pl.Int8,
            "segment": pl.String,
            "segment_label": pl.String,
        },
    )


def score_rfm(
    features: pl.DataFrame, as_of: dt.date, window_days: int = WINDOW_DAYS
) -> pl.DataFrame:
    """Scores and segment of every customer in ``features`` (the frame ``rfm_features`` gives).

    The frequency-monetary score is the mean of the two scores, rounded half up, so a customer
    who orders often but small and one who orders rarely but large meet in the middle.
    """
    missing = set(FEATURE_SCHEMA) - set(features.columns)
    if missing:
        raise ValueError(f"RFM features lack column(s) {', '.join(sorted(missing))}")
    scored = features.with_columns(
        quantile_score(pl.col("recency_days"), higher_is_better=False).alias("r_score"),
        quantile_score(pl.col("frequency")).alias("f_score"),
        quantile_score(pl.col("monetary").cast(pl.Float64)).alias("m_score"),
    ).with_columns(
        ((pl.col("f_score") + pl.col("m_score") + 1) // 2).cast(pl.Int8).alias("fm_score")
    )
    return (
        scored.join(segment_frame(), on=["r_score", "fm_score"], how="left")
        .with_columns(
            pl.format("{}{}{}", "r_score", "f_score", "m_score").alias("rfm_cell"),
            pl.lit(as_of).alias("as_of_date"),
            pl.lit(window_days).alias("window_days"),
            pl.lit(MODEL_VERSION).alias("model_version"),
        )
        .select(
            "customer_key",
            "segment",
            "segment_label",
            "r_score",
            "f_score",
            "m_score",
            "fm_score",
            "rfm_cell",
            "recency_days",
            "frequency",
            "monetary",
            "lifetime_orders",
            "first_order_date",
            "last_order_date",
            "as_of_date",
            "window_days",
            "model_version",
        )
        .sort("customer_key")
    )


def write_rfm(con, scored: pl.DataFrame) -> None:
    """Replace ``ml.rfm`` with ``scored`` and ``ml.rfm_segments`` with the catalogue."""
    catalogue = pl.DataFrame(
        {
            "segment": [s.key for s in SEGMENTS],
            "segment_label": [s.label for s in SEGMENTS],
            "meaning": [s.meaning for s in SEGMENTS],
            "suggested_action": [s.action for s in SEGMENTS],
            "sort_order": list(range(1, len(SEGMENTS) + 1)),
        }
    )
    con.execute("create schema if not exists ml")
    for name, frame in (("rfm", scored), ("rfm_segments", catalogue)):
        con.register("frame", frame)
        con.execute(f"create or replace table ml.{name} as select * from frame")
        con.unregister("frame")


def build_rfm(con, as_of: dt.date, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """Features, scores and the two ``ml`` tables in one call (what the Dagster asset runs)."""
    scored = score_rfm(rfm_features(con, as_of, window_days), as_of, window_days)
    write_rfm(con, scored)
    return scored
