"""CLV scores from a purchase summary: fit, values, margin and the not-enough-data rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_ml import clv
from models_ml.model_runs import NotEnoughData

AS_OF = dt.date(2026, 6, 30)


def summary(customers: int, seed: int = 3) -> pl.DataFrame:
    """Customers buying weekly-ish for up to two years, some long silent."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 104, customers)
    frequency = rng.poisson(age / 6)
    recency = np.where(frequency > 0, age * rng.uniform(0.2, 1.0, customers), 0.0)
    value = np.where(frequency > 0, rng.gamma(4, 500, customers), 0.0)
    first = [AS_OF - dt.timedelta(days=int(a * 7)) for a in age]
    revenue = value * (frequency + 1)
    # every tenth customer bought only products without a standard cost
    costed = np.where(np.arange(customers) % 10 == 0, 0.0, revenue)
    return pl.DataFrame(
        {
            "customer_key": [f"K{i:03d}" for i in range(customers)],
            "first_order_date": first,
            "last_order_date": [
                f + dt.timedelta(days=int(r * 7)) for f, r in zip(first, recency, strict=True)
            ],
            "frequency": frequency,
            "recency_weeks": recency,
            "age_weeks": age,
            "monetary_value": value,
            "revenue": revenue,
            "margin": costed * 0.3,
            "costed_revenue": costed,
        }
    ).cast(clv.SUMMARY_SCHEMA)  # type: ignore[arg-type]


def test_scores_are_bounded_and_margin_follows_the_rate() -> None:
    data = summary(400)
    model = clv.fit_clv(data, AS_OF)
    scored = clv.score_clv(model, data, AS_OF)
    assert scored.height == 400
    assert scored["p_alive"].min() >= 0
    assert scored["p_alive"].max() <= 1
    assert model.margin_rate == pytest.approx(0.3)
    assert scored["margin_rate"].to_numpy() == pytest.approx(np.full(400, 0.3))
    undiscounted = scored["expected_purchases_12m"] * scored["expected_order_value"]
    ratio = (scored["clv_12m_revenue"] / undiscounted).to_numpy()
    # monthly discounting at 10% a year: each month's purchases lose 0.8% .. 9.1%
    assert ratio.min() > 1 / 1.1
    assert ratio.max() < 1
    margin = (scored["clv_12m_margin"] / scored["clv_12m_revenue"]).to_numpy()
    assert margin == pytest.approx(np.full(400, 0.3))
    # a silent customer is worth less than an otherwise equal recent one
    twins = data.head(1).with_columns(
        pl.lit(30).alias("frequency"), pl.lit(100.0).alias("age_weeks")
    )
    twins = pl.concat(
        [
            twins.with_columns(pl.lit(99.0).alias("recency_weeks")),
            twins.with_columns(pl.lit(40.0).alias("recency_weeks")),
        ]
    )
    values = clv.score_clv(model, twins, AS_OF)["clv_12m_revenue"].to_list()
    assert values[0] > 2 * values[1]


def test_too_few_customers_or_repeat_buyers_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData, match="only 30 customers bought on or before 2026-06-30"):
        clv.fit_clv(summary(30), AS_OF)
    one_off = summary(200).with_columns(pl.lit(0, dtype=pl.Int64).alias("frequency"))
    with pytest.raises(NotEnoughData, match="only 0 customers bought more than once"):
        clv.fit_clv(one_off, AS_OF)
    recent = summary(200).with_columns(
        pl.lit(AS_OF - dt.timedelta(days=30)).alias("first_order_date")
    )
    with pytest.raises(NotEnoughData, match="span only 30 days"):
        clv.fit_clv(recent, AS_OF)
