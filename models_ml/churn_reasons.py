"""Why a customer is at risk, in words an account manager reads (English and Chinese).

Reasons come from the production model itself: for each group of related features (payment
delay, overdue invoices, tickets, follow-ups, orders, ...) the customer's values are replaced by
the typical active buyer's (the median) and the model scores the customer again. The drop in
churn probability is what that group adds to the risk; groups adding at least
``MIN_CONTRIBUTION`` are reasons, worded from the customer's own figures, three at most. Causes an
account manager can act on (payment, tickets, follow-ups) are named before the order symptoms
the label is made of (:func:`reason_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

MIN_CONTRIBUTION = 0.01  # one percentage point of churn probability
TOP_REASONS = 3
# drivers an account manager can act on; a group of these adding at least ACTIONABLE_MIN is
# named before the symptoms (orders, recency) however much more those add
ACTIONABLE_DRIVERS = ("payment", "tickets", "silence")
ACTIONABLE_MIN = MIN_CONTRIBUTION


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


def contributions(model, frame: pl.DataFrame, probability: np.ndarray) -> np.ndarray:
    """Churn probability each group adds over the typical value, shape (customers, groups).

    One prediction over every customer x group (the groups' replaced copies stacked): the
    model is called once, not once per group.
    """
    from models_ml.churn import predict

    replaced = []
    for group in GROUPS:
        typical = frame.select(pl.col(f).median() for f in group.features).row(0)
        replaced.append(
            frame.with_columns(
                pl.lit(value, dtype=frame.schema[f]).alias(f)
                for f, value in zip(group.features, typical, strict=True)
            )
        )
    without = predict(model, pl.concat(replaced, how="vertical"))
    return probability[:, None] - without.reshape(len(GROUPS), frame.height).T


def reason_order(added: np.ndarray, actionable_min: float = ACTIONABLE_MIN) -> np.ndarray:
    """Group indices per customer in the order reasons are given (a pure function).

    Groups an account manager can act on (payment, tickets, follow-ups) adding at least
    ``actionable_min`` come first, by what they add; then every other group by what it adds.
    Without this the first reason is mostly "no order for N days" or falling orders: the
    symptom the label is made of, which the model weighs most but nobody can act on.
    """
    actionable = np.array([group.driver in ACTIONABLE_DRIVERS for group in GROUPS])
    first = actionable[None, :] & (added >= actionable_min)
    # sort key: material actionable groups before the rest, then by contribution
    key = np.where(first, added + 10.0, added)
    return np.argsort(-key, axis=1, kind="stable")


def top_reasons(added: np.ndarray, frame: pl.DataFrame, top: int = TOP_REASONS) -> pl.DataFrame:
    """The ``top`` groups adding the most risk per customer, worded (a pure function).

    ``added`` is :func:`contributions`' matrix; groups adding less than ``MIN_CONTRIBUTION``
    are never a reason, so a low-risk customer can have none.
    """
    typical = {
        name: frame[name].median()
        for group in GROUPS
        for name in group.features
        if frame.schema[name].is_numeric()
    }
    order = reason_order(added)[:, :top]
    english, chinese, keys = [], [], []
    needed = ["last_followup_date", "overdue_amount", *typical]
    for i, row in enumerate(frame.select(needed).iter_rows(named=True)):
        chosen = [GROUPS[g] for g in order[i] if added[i, g] >= MIN_CONTRIBUTION]
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


def explain(model, frame: pl.DataFrame, probability: np.ndarray, train=None) -> pl.DataFrame:
    """Reasons of every customer of ``frame`` (rows in the same order)."""
    needed = {"last_followup_date", "overdue_amount"} | {f for g in GROUPS for f in g.features}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"reasons need column(s) {', '.join(sorted(missing))}")
    return top_reasons(contributions(model, frame, probability), frame)
