"""The simulator's side of the churn evaluation: the oracle's scores from the true monthly
hazard, each customer's true dominant driver, and who was still buying or stopped at a cutoff.
bench/eval_churn.py sets the model against these.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

B_DELAY, B_TICKETS, B_SILENCE = 0.03, 0.25, 0.9  # simulator/behaviour.py
DOMINANT_TERM = 0.45  # a driver multiplying the hazard by at least e^0.45 = 1.6


def month_index(date: dt.date) -> dt.date:
    return date.replace(day=1)


def add_months(month: dt.date, k: int) -> dt.date:
    year, index = divmod(month.month - 1 + k, 12)
    return dt.date(month.year + year, index + 1, 1)


def oracle_scores(panel: pl.DataFrame, rates: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """Per true customer at ``cutoff``: the hazard oracle and the full oracle.

    ``oracle_hazard`` = 1 - (1 - h1)^3 with h1 the true hazard of the month after the cutoff's
    (set by the three months up to the cutoff, so known then), held for the horizon's three
    months; 1 when the customer is no longer alive. The truth records a hazard of 0 after a
    customer churns, so multiplying the three recorded hazards would rank the customers who
    churn in the first month lower: the first month's hazard is used for all three.
    ``oracle_full`` also uses the true purchase rate: the chance of no Poisson order in the
    months the customer is still alive.
    """
    m0 = month_index(cutoff)
    months = [add_months(m0, k) for k in range(1, 4)]
    now = panel.filter(pl.col("month") == m0).select("true_customer_id", "alive")
    ahead = (
        panel.filter(pl.col("month").is_in(months))
        .pivot(on="month", index="true_customer_id", values="hazard")
        .rename({str(m): f"h{k + 1}" for k, m in enumerate(months)})
    )
    frame = now.join(ahead, on="true_customer_id", how="left").join(
        rates, on="true_customer_id", how="left"
    )
    h = [frame["h1"].fill_null(0).to_numpy()] * 3
    rate = frame["purchase_rate"].fill_null(0).to_numpy()
    survive, no_order = np.ones(frame.height), np.zeros(frame.height)
    for k in range(3):
        no_order += survive * h[k] * np.exp(-rate * k)
        survive = survive * (1 - h[k])
    no_order += survive * np.exp(-rate * 3)
    alive = frame["alive"].to_numpy()
    return frame.select("true_customer_id").with_columns(
        pl.Series("oracle_hazard", np.where(alive, 1 - survive, 1.0)),
        pl.Series("oracle_full", np.where(alive, no_order, 1.0)),
    )


def true_drivers(panel: pl.DataFrame, companies: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The three hazard terms for the month after ``as_of`` and the dominant one, if any."""
    m = add_months(month_index(as_of), 1)
    window = panel.filter(
        (pl.col("month") >= add_months(m, -3)) & (pl.col("month") < m) & pl.col("alive")
    )
    terms = (
        window.group_by("true_customer_id")
        .agg(
            pl.col("payment_delay_days").fill_nan(None).mean().fill_null(0).alias("delay"),
            pl.col("tickets").sum().alias("tickets"),
            (pl.col("followups").sum() == 0).alias("silent"),
            pl.len().alias("months"),
        )
        .join(companies.select("true_customer_id", "acquired_date"), on="true_customer_id")
        .with_columns(
            (B_DELAY * pl.col("delay").clip(0, 60)).alias("payment"),
            (B_TICKETS * pl.col("tickets").clip(0, 6)).alias("tickets_term"),
            (
                B_SILENCE
                * (
                    pl.col("silent")
                    & (pl.col("months") >= 3)
                    & (pl.col("acquired_date") <= add_months(m, -3))
                ).cast(pl.Float64)
            ).alias("silence"),
        )
    )
    names = ["payment", "tickets_term", "silence"]
    scores = terms.select(names).to_numpy()
    best = scores.argmax(axis=1)
    top = scores.max(axis=1)
    others = scores.sum(axis=1) - top
    dominant = np.where((top >= DOMINANT_TERM) & (top > others), best, -1)
    labels = np.array(["payment", "tickets", "silence"])
    return terms.select("true_customer_id").with_columns(
        pl.Series(
            "true_driver",
            [labels[d] if d >= 0 else None for d in dominant],
            dtype=pl.String,
        )
    )


def reason_shares(scores: pl.DataFrame, drivers: pl.DataFrame, keys: pl.DataFrame) -> dict:
    """Per true driver: customers, and the share whose first reason names it (of all of them,
    a customer without a reason counting as a miss; of those given a reason; in the top 20%);
    and the precision side: of the customers whose first reason names the driver, the share
    whose true main driver it is (of all of them, and of those with any main driver)."""
    joined = scores.join(keys, on="customer_key").join(drivers, on="true_customer_id", how="left")
    threshold = scores["churn_probability"].quantile(0.8)
    out = {}
    for driver in ("payment", "tickets", "silence"):
        group = joined.filter(pl.col("true_driver") == driver)
        risky = group.filter(pl.col("churn_probability") >= threshold)
        # a customer given no reason at all is a miss: without fill_null the mean would skip
        # it and count only the customers who have a first reason (an earlier version did)
        hit = (pl.col("first_reason_driver") == driver).fill_null(False)
        reasoned = group.filter(pl.col("first_reason_driver").is_not_null())
        named = joined.filter(pl.col("first_reason_driver") == driver)
        right = (pl.col("true_driver") == driver).fill_null(False)
        with_driver = named.filter(pl.col("true_driver").is_not_null())
        out[driver] = {
            "named_first": named.height,
            "precision": named.select(right.mean()).item() if named.height else None,
            "named_with_a_main_driver": with_driver.height,
            "precision_among_driven": (
                with_driver.select(right.mean()).item() if with_driver.height else None
            ),
            "customers": group.height,
            "first_reason_share": group.select(hit.mean()).item() if group.height else None,
            "without_reason": group.height - reasoned.height,
            "share_of_those_with_a_reason": (
                reasoned.select(hit.mean()).item() if reasoned.height else None
            ),
            "top20_customers": risky.height,
            "top20_first_reason_share": risky.select(hit.mean()).item() if risky.height else None,
        }
    return out


def stop_flags(companies: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """Per true company: still buying at ``cutoff``, and stopping in the three months after."""
    churn = pl.col("churn_month")
    end = add_months(month_index(cutoff), 4)
    return companies.select(
        "true_customer_id",
        (churn.is_null() | (churn > cutoff)).alias("alive_at_cutoff"),
        ((churn > cutoff) & (churn < end)).fill_null(False).alias("stops_next_3m"),
    )
