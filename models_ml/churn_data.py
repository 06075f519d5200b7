"""Churn labels, training snapshots and the time-split plan (when to learn, when to test).

Churn for a non-contractual B2B buyer: there is no contract to cancel, so a customer has
"churned" at a cutoff when it places no approved order in the ``horizon_days`` after it. A
snapshot is the point-in-time features of every active buyer at a month end plus that label;
its label is only known once the horizon has passed, so a snapshot at month end ``s`` may train
a model used at date ``t`` only when ``s + horizon <= t``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from models_ml.features import customer_features_at

TRAIN_SNAPSHOTS = 6  # month ends per training set: half a year of seasons, bounded memory
VALIDATION_CUTOFFS = 3
VALIDATION_STEP_MONTHS = 3  # test cutoffs a quarter apart, so they share few label months
# month ends per feature query: one pass over all 15 a churn run needs peaked at 1.5 GB of
# resident memory at medium, batches of 8 at 1.1 GB for 3 more CPU s (of 13)
SNAPSHOT_BATCH = 8

LABEL_SQL = """
with cutoffs as (
    select cast(unnest($cutoffs) as date) as as_of
)

select distinct
    cutoffs.as_of,
    order_lines.customer_key
from cutoffs
inner join core.fct_order_lines as order_lines
    on
        order_lines.order_date > cutoffs.as_of
        and order_lines.order_date <= cutoffs.as_of + $horizon_days
where order_lines.is_approved and order_lines.customer_key is not null
"""


def month_ends_before(as_of: dt.date, first: dt.date) -> list[dt.date]:
    """Every month end from ``first``'s month to the last one on or before ``as_of``, ascending."""
    ends: list[dt.date] = []
    month = first.replace(day=1)
    while True:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        end = following - dt.timedelta(days=1)
        if end > as_of:
            return ends
        ends.append(end)
        month = following


def label_frame(features: pl.DataFrame, buyers_after: set[str]) -> pl.DataFrame:
    """``features`` with ``churned`` (1 = no order in the horizon) from the set of customers who
    did order in it (a pure function)."""
    ordered = pl.Series(sorted(buyers_after), dtype=pl.String)
    return features.with_columns(
        (~pl.col("customer_key").is_in(ordered.implode())).cast(pl.Int8).alias("churned")
    )


def labelled_snapshots(con, dates, horizon_days: int) -> dict[dt.date, pl.DataFrame]:
    """Features at every date of ``dates`` and whether each customer ordered in the
    ``horizon_days`` after it, computed in one pass over the facts."""
    cutoffs = sorted(set(dates))
    params = {"cutoffs": cutoffs, "horizon_days": horizon_days}
    buyers_after: dict[dt.date, set[str]] = {date: set() for date in cutoffs}
    for as_of, customer_key in con.execute(LABEL_SQL, params).fetchall():
        buyers_after[as_of].add(customer_key)
    features = customer_features_at(con, cutoffs)
    return {date: label_frame(features[date], buyers_after[date]) for date in cutoffs}


def labelled_snapshot(con, as_of: dt.date, horizon_days: int) -> pl.DataFrame:
    """Features on ``as_of`` and whether each customer ordered in the ``horizon_days`` after."""
    return labelled_snapshots(con, [as_of], horizon_days)[as_of]


@dataclass(frozen=True)
class Fold:
    """One time split: learn from the snapshots at ``train_dates``, test on ``test_date``."""

    test_date: dt.date
    train_dates: tuple[dt.date, ...]


def plan_folds(
    as_of: dt.date,
    first_order: dt.date,
    horizon_days: int,
    cutoffs: int = VALIDATION_CUTOFFS,
    step_months: int = VALIDATION_STEP_MONTHS,
    train_snapshots: int = TRAIN_SNAPSHOTS,
) -> tuple[list[Fold], tuple[dt.date, ...]]:
    """The validation folds (oldest first) and the production training dates.

    Test cutoffs are the latest month ends whose horizon has passed by ``as_of``, ``step_months``
    apart; each trains on the ``train_snapshots`` latest month ends whose labels were known at
    its test cutoff (never a later one). The first month of data is skipped: nobody has history
    there. A fold with fewer than two training snapshots is dropped.
    """
    horizon = dt.timedelta(days=horizon_days)
    ends = month_ends_before(as_of, first_order)[1:]
    labelled = [end for end in ends if end + horizon <= as_of]

    def train_dates(at: dt.date) -> tuple[dt.date, ...]:
        return tuple([end for end in labelled if end + horizon <= at][-train_snapshots:])

    folds = []
    for k in range(cutoffs):
        position = len(labelled) - 1 - k * step_months
        if position < 0:
            break
        test = labelled[position]
        dates = train_dates(test)
        if len(dates) >= 2:
            folds.append(Fold(test, dates))
    return sorted(folds, key=lambda f: f.test_date), train_dates(as_of)


def prefetch_snapshots(con, dates, horizon_days: int, cache: dict) -> None:
    """Put the labelled snapshots at ``dates`` that ``cache`` lacks into it, ``SNAPSHOT_BATCH``
    month ends per pass over the facts."""
    missing = sorted(set(dates) - set(cache))
    for start in range(0, len(missing), SNAPSHOT_BATCH):
        cache.update(labelled_snapshots(con, missing[start : start + SNAPSHOT_BATCH], horizon_days))


def stack_snapshots(con, dates, horizon_days: int, cache: dict) -> pl.DataFrame:
    """Labelled snapshots at ``dates`` stacked, each computed once per ``cache``."""
    prefetch_snapshots(con, dates, horizon_days, cache)
    frames = [cache[date] for date in dates]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()
