"""Why a customer is at risk, in words an account manager reads (English and Chinese).

Two sources, each for what it reads well. The drivers an account manager can act on (payment
delay and overdue invoices, tickets, follow-ups) come from the driver model
(:mod:`models_ml.churn_drivers`): a driver whose features raise the customer's odds of churning
by at least ``DRIVER_MIN_LOG_ODDS`` over the typical active buyer's, activity held fixed, is a
reason, named before anything else. The other groups (orders, recency, credit notes, pipeline,
tenure) come from the production model itself: the customer's values of a group are replaced by
the typical active buyer's (the median) and the model scores the customer again; the drop in
churn probability is what that group adds, a reason from ``MIN_CONTRIBUTION``. Reasons are
worded from the customer's own figures, three at most (:func:`reason_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from models_ml.churn_drivers import DRIVER_MIN_LOG_ODDS

MIN_CONTRIBUTION = 0.01  # one percentage point of churn probability
TOP_REASONS = 3
# drivers an account manager can act on: read from the driver model and named before the
# symptoms (orders, recency) however much more those add to the probability
ACTIONABLE_DRIVERS = ("payment", "tickets", "silence")


@dataclass(frozen=True)
class ReasonGroup:
    """Features replaced together, the churn driver they stand for, and how to word them."""

    key: str
    driver: str
    features: tuple[str, ...]
    words: Callable[[dict, dict], tuple[str, str]]


def _n(value) -> int:
    return round(float(value or 0))


def _payment_delay(row: dict, typical: dict) -> tuple[str, str]:
    now, before = _n(row["delay_3m"]), _n(row["delay_prev_3m"])
    if now >= before + 3:
        return (
            f"payment delay up from {before} to {now} days",
            f"付款延迟从{before}天增至{now}天",
        )
    usual = _n(typical["delay_3m"])
    return (
        f"pays {now} days late on average (typical: {usual})",
        f"平均逾期{now}天付款（一般为{usual}天）",
    )


def _overdue(row: dict, typical: dict) -> tuple[str, str]:
    amount, count, days = (
        row["overdue_amount"],
        _n(row["overdue_invoices"]),
        _n(row["overdue_max_days"]),
    )
    return (
        f"¥{amount:,.0f} overdue on {count} invoice(s), oldest {days} days",
        f"{count}张发票逾期未付¥{amount:,.0f}，最久{days}天",
    )


def _tickets(row: dict, typical: dict) -> tuple[str, str]:
    tickets, breaches = _n(row["tickets_3m"]), _n(row["sla_breaches_3m"])
    return (
        f"{tickets} tickets in 90 days, {breaches} past SLA",
        f"90天内{tickets}张工单，{breaches}张超出SLA",
    )


def _followup(row: dict, typical: dict) -> tuple[str, str]:
    days = _n(row["days_since_followup"])
    if row["last_followup_date"] is None:
        return (
            f"never followed up ({days} days since the first order)",
            f"从未跟进（首单至今{days}天）",
        )
    return f"no follow-up for {days} days", f"{days}天未跟进"


def _orders(row: dict, typical: dict) -> tuple[str, str]:
    now, before = _n(row["orders_3m"]), _n(row["orders_prev_3m"])
    if now < before:
        return (
            f"orders down from {before} to {now} (last 3 months vs the 3 before)",
            f"订单从{before}笔降至{now}笔（近3个月对比前3个月）",
        )
    year = _n(row["orders_12m"])
    return (
        f"only {year} order(s) in 12 months (typical: {_n(typical['orders_12m'])})",
        f"12个月内仅{year}笔订单（一般为{_n(typical['orders_12m'])}笔）",
    )


def _recency(row: dict, typical: dict) -> tuple[str, str]:
    days = _n(row["days_since_last_order"])
    return f"no order for {days} days", f"{days}天无订单"


def _credit_notes(row: dict, typical: dict) -> tuple[str, str]:
    count = _n(row["credit_notes_12m"])
    return f"{count} credit note(s) in 12 months", f"12个月内{count}张红字发票"


def _pipeline(row: dict, typical: dict) -> tuple[str, str]:
    if _n(row["open_opportunities"]) == 0:
        return "no open opportunity in the CRM", "CRM中没有进行中的商机"
    return (
        f"only {_n(row['open_opportunities'])} open opportunity(ies)",
        f"仅{_n(row['open_opportunities'])}个进行中的商机",
    )


def _tenure(row: dict, typical: dict) -> tuple[str, str]:
    months = _n(row["tenure_days"] / 30.4)
    return f"customer for only {months} months", f"合作仅{months}个月"


GROUPS = (
    ReasonGroup(
        "payment_delay",
        "payment",
        ("delay_3m", "delay_prev_3m", "delay_12m", "delay_trend"),
        _payment_delay,
    ),
    ReasonGroup(
        "overdue",
        "payment",
        ("log_overdue_amount", "overdue_invoices", "overdue_max_days"),
        _overdue,
    ),
    ReasonGroup("tickets", "tickets", ("tickets_3m", "sla_breaches_3m"), _tickets),
    ReasonGroup("followup", "silence", ("days_since_followup", "followups_3m"), _followup),
    ReasonGroup(
        "orders",
        "orders",
        (
            "orders_3m",
            "orders_prev_3m",
            "orders_12m",
            "order_trend",
            "log_value_3m",
            "log_value_prev_3m",
            "log_value_12m",
        ),
        _orders,
    ),
    # the last order or ticket: how long the customer has been quiet, a symptom like recency
    ReasonGroup("recency", "orders", ("days_since_last_order", "days_since_contact"), _recency),
    ReasonGroup("credit_notes", "credit_notes", ("credit_notes_12m",), _credit_notes),
    ReasonGroup("pipeline", "pipeline", ("open_opportunities", "log_open_pipeline"), _pipeline),
    ReasonGroup("tenure", "tenure", ("tenure_days",), _tenure),
)
GROUP_DRIVER = {group.key: group.driver for group in GROUPS}


def contributions(
    model, frame: pl.DataFrame, probability: np.ndarray, drivers: tuple[str, ...] | None = None
) -> np.ndarray:
    """Churn probability each group adds over the typical value, shape (customers, groups).

    One prediction over every customer x group (the groups' replaced copies stacked): the
    model is called once, not once per group. With ``drivers``, only the groups of those
    drivers are scored again; the others' columns are 0.
    """
    from models_ml.churn import predict

    wanted = [k for k, g in enumerate(GROUPS) if drivers is None or g.driver in drivers]
    replaced = []
    for k in wanted:
        features = GROUPS[k].features
        typical = frame.select(pl.col(f).median() for f in features).row(0)
        replaced.append(
            frame.with_columns(
                pl.lit(value, dtype=frame.schema[f]).alias(f)
                for f, value in zip(features, typical, strict=True)
            )
        )
    added = np.zeros((frame.height, len(GROUPS)))
    if wanted:
        without = predict(model, pl.concat(replaced, how="vertical"))
        added[:, wanted] = probability[:, None] - without.reshape(len(wanted), frame.height).T
    return added


def reason_order(
    added: np.ndarray,
    terms: np.ndarray,
    top: int = TOP_REASONS,
    driver_min: float = DRIVER_MIN_LOG_ODDS,
    min_contribution: float = MIN_CONTRIBUTION,
) -> list[list[int]]:
    """Group indices per customer in the order reasons are given (a pure function).

    ``terms`` are the driver model's log-odds per group (:mod:`models_ml.churn_drivers`),
    ``added`` the production model's contributions (:func:`contributions`). First the drivers
    an account manager can act on (payment, tickets, silence) whose groups together raise the
    odds of churn by at least ``driver_min``, largest first, each named by its group with the
    larger term; then the other groups (orders, recency, ...) adding at least
    ``min_contribution`` of probability, by what they add. Without the first step the first
    reason is mostly "no order for N days" or falling orders: the symptom the label is made of,
    which the model weighs most but nobody can act on.
    """
    drivers = [d for d in ACTIONABLE_DRIVERS if any(g.driver == d for g in GROUPS)]
    members = [np.array([k for k, g in enumerate(GROUPS) if g.driver == d]) for d in drivers]
    score = np.stack([terms[:, m].sum(axis=1) for m in members], axis=1)
    named_by = np.stack([m[terms[:, m].argmax(axis=1)] for m in members], axis=1)
    symptoms = np.array([k for k, g in enumerate(GROUPS) if g.driver not in ACTIONABLE_DRIVERS])
    orders = []
    for i in range(added.shape[0]):
        ranked = [
            int(named_by[i, j])
            for j in np.argsort(-score[i], kind="stable")
            if score[i, j] >= driver_min
        ]
        rest = symptoms[np.argsort(-added[i, symptoms], kind="stable")]
        ranked += [int(k) for k in rest if added[i, k] >= min_contribution]
        orders.append(ranked[:top])
    return orders


def top_reasons(
    added: np.ndarray, terms: np.ndarray, frame: pl.DataFrame, top: int = TOP_REASONS
) -> pl.DataFrame:
    """The ``top`` reasons per customer in :func:`reason_order`, worded (a pure function).

    A customer whose drivers stay under the odds floor and whose other groups add less than
    ``MIN_CONTRIBUTION`` has no reason.
    """
    typical = {
        name: frame[name].median()
        for group in GROUPS
        for name in group.features
        if frame.schema[name].is_numeric()
    }
    order = reason_order(added, terms, top)
    english, chinese, keys = [], [], []
    needed = ["last_followup_date", "overdue_amount", *typical]
    for i, row in enumerate(frame.select(needed).iter_rows(named=True)):
        chosen = [GROUPS[g] for g in order[i]]
        worded = [group.words(row, typical) for group in chosen]
        english.append([w[0] for w in worded])
        chinese.append([w[1] for w in worded])
        keys.append([group.key for group in chosen])
    out = pl.DataFrame(
        {"reasons": english, "reasons_zh": chinese, "reason_keys": keys},
        schema={
            "reasons": pl.List(pl.String),
            "reasons_zh": pl.List(pl.String),
            "reason_keys": pl.List(pl.String),
        },
    )
    return out.with_columns(
        *(
            pl.col("reasons").list.get(k, null_on_oob=True).alias(f"reason_{k + 1}")
            for k in range(top)
        ),
        pl.col("reason_keys")
        .list.get(0, null_on_oob=True)
        .replace_strict(GROUP_DRIVER, default=None)
        .alias("first_reason_driver"),
    )


def explain(model, frame: pl.DataFrame, probability: np.ndarray) -> pl.DataFrame:
    """Reasons of every customer of ``frame`` (rows in the same order) by a production model
    (:class:`models_ml.churn.ChurnModel`: the probability model and the driver weights)."""
    needed = {"last_followup_date", "overdue_amount"} | {f for g in GROUPS for f in g.features}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"reasons need column(s) {', '.join(sorted(missing))}")
    terms = model.drivers.group_terms(frame, GROUPS)
    # the actionable groups' reasons come from the driver terms: score only the symptoms again
    symptoms = tuple({g.driver for g in GROUPS} - set(ACTIONABLE_DRIVERS))
    return top_reasons(contributions(model, frame, probability, symptoms), terms, frame)
