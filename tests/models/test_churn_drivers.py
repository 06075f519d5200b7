"""The driver model behind the actionable churn reasons, on small constructed frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models_ml.churn import ChurnModel, fit_production, predict
from models_ml.churn_drivers import DRIVER_MIN_LOG_ODDS, DriverWeights, fit_driver_weights
from models_ml.churn_reasons import (
    GROUPS,
    MIN_CONTRIBUTION,
    contributions,
    explain,
    reason_order,
)
from models_ml.features import CATEGORY_FEATURES, NUMERIC_FEATURES


def _customers(n: int, seed: int) -> pl.DataFrame:
    """Snapshots where busier customers file more tickets and churn less, and tickets raise the
    churn odds of a customer of like activity (the simulator's shape, in small)."""
    rng = np.random.default_rng(seed)
    orders = rng.poisson(rng.gamma(2.0, 3.0, n)).astype(float)
    tickets = rng.poisson(0.3 * orders)
    logit = 1.5 - 0.6 * orders + 0.5 * tickets
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    base = {name: np.zeros(n) for name in NUMERIC_FEATURES}
    base.update(orders_12m=orders, tickets_3m=tickets.astype(float))
    # a little noise so no feature is constant: the regression standardises them
    noise = {name: rng.normal(0, 1e-3, n) for name in NUMERIC_FEATURES}
    return pl.DataFrame(
        {name: base[name] + noise[name] for name in NUMERIC_FEATURES}
        | {name: rng.choice(["a", "b"], n) for name in CATEGORY_FEATURES}
    ).with_columns(
        pl.Series("churned", churned),
        pl.Series(
            "as_of_date", [dt.date(2024, 1, 31)] * (n // 2) + [dt.date(2024, 2, 29)] * (n - n // 2)
        ),
        pl.lit(0.0).alias("overdue_amount"),
        pl.lit(None, dtype=pl.Date).alias("last_followup_date"),
    )


def test_driver_weight_holds_activity_fixed_where_the_raw_link_points_the_other_way():
    train = _customers(20_000, seed=1)
    # alone, tickets go with staying: the busy customers file them
    assert np.corrcoef(train["tickets_3m"], train["churned"])[0, 1] < 0
    weights = fit_driver_weights(train, ("tickets_3m",))
    assert set(weights.weights) == {"tickets_3m"}
    assert 0.38 < weights.weights["tickets_3m"] < 0.62  # the true 0.5 log-odds per ticket


def test_group_terms_are_log_odds_over_the_typical_customer():
    weights = DriverWeights({"tickets_3m": 0.25, "delay_3m": 0.01, "overdue_invoices": 0.05})
    frame = pl.DataFrame(
        {name: [0.0, 0.0, 0.0] for g in GROUPS for name in g.features}
    ).with_columns(
        pl.Series("tickets_3m", [0.0, 0.0, 3.0]), pl.Series("delay_3m", [2.0, 2.0, 12.0])
    )
    terms = weights.group_terms(frame, GROUPS)
    keys = [g.key for g in GROUPS]
    # the medians are 0 tickets and 2 days: the third customer is 3 tickets and 10 days above
    np.testing.assert_allclose(terms[:, keys.index("tickets")], [0, 0, 0.75])
    np.testing.assert_allclose(terms[:, keys.index("payment_delay")], [0, 0, 0.10])
    assert np.all(terms[:, keys.index("orders")] == 0)  # no weights: no term


def test_payment_delay_and_overdue_invoices_add_up_to_one_driver():
    keys = [g.key for g in GROUPS]
    terms = np.zeros((2, len(GROUPS)))
    half = DRIVER_MIN_LOG_ODDS * 0.6
    terms[0, keys.index("payment_delay")] = half
    terms[0, keys.index("overdue")] = half + 0.01  # named by the larger of the two
    terms[0, keys.index("tickets")] = DRIVER_MIN_LOG_ODDS - 0.01  # under the floor
    terms[1, keys.index("overdue")] = half  # alone under the floor: no reason
    order = reason_order(np.zeros_like(terms), terms)
    assert [keys[g] for g in order[0]] == ["overdue"]
    assert order[1] == []


def test_a_ticket_driven_low_risk_customer_is_told_tickets_first():
    train = _customers(3_000, seed=2)
    model = fit_production("gradient_boosting", train)
    assert isinstance(model, ChurnModel) and model.drivers.weights["tickets_3m"] > 0.25
    scored = _customers(300, seed=3)
    # busy customers (low risk) with four tickets each: to the trees the tickets add less
    # than the point of probability a reason needs for most of them; the driver model sees them
    busy = scored.with_columns(pl.lit(16.0).alias("orders_12m"), pl.lit(4.0).alias("tickets_3m"))
    frame = pl.concat([scored, busy.head(20)])
    probability = predict(model, frame)
    tickets = [g.key for g in GROUPS].index("tickets")
    added = contributions(model, frame, probability)[-20:, tickets]
    assert (added < MIN_CONTRIBUTION).mean() > 0.5
    reasons = explain(model, frame, probability)
    told = reasons.tail(20)
    assert told["first_reason_driver"].to_list() == ["tickets"] * 20
    assert told["reason_1"][0] == "4 tickets in 90 days, 0 past SLA"
    # a customer without tickets is never told tickets
    calm = reasons.head(300).filter(frame.head(300)["tickets_3m"] < 0.5)
    assert calm.height > 50 and (calm["first_reason_driver"] != "tickets").all()
