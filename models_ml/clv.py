"""Customer lifetime value from the landed ERP orders: BG/NBD x Gamma-Gamma (``clv-1``).

Three steps, each usable alone:

- ``purchase_summary`` reads the approved ERP sales orders (``core.fct_order_lines``) dated on
  or before a date and summarises each golden customer the way both models need it: repeat
  purchase days ``x``, weeks from the first to the last purchase ``t_x``, weeks from the first
  purchase to the date ``T``, the mean value of the repeat purchases and the gross-margin rate.
- ``fit_clv`` fits BG/NBD (``models_ml.clv_bgnbd``) and Gamma-Gamma
  (``models_ml.clv_gamma_gamma``) by maximum likelihood and ``score_clv`` gives every customer
  P(alive), expected purchases in the next 12 months and their 12-month value in revenue and
  gross margin, discounted monthly.
- ``holdout_check`` fits on the orders up to a cut-off and compares the predicted with the
  actual purchases after it, per customer and in total.

``models_ml.clv_run`` runs them against a warehouse and writes the ``ml`` tables; the model card
is ``docs/models/clv.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from models_ml import clv_bgnbd as bgnbd
from models_ml import clv_gamma_gamma as gamma_gamma
from models_ml.model_runs import NotEnoughData

MODEL_VERSION = "clv-1"
DAYS_PER_WEEK = 7.0
HORIZON_MONTHS = 12
WEEKS_PER_MONTH = 365.25 / 12 / DAYS_PER_WEEK
# money a year from now is worth less; 10% a year is a common planning rate for a B2B seller
ANNUAL_DISCOUNT_RATE = 0.10
# below these the likelihoods are flat and the parameters meaningless
MIN_CUSTOMERS = 50
MIN_REPEAT_BUYERS = 20
MIN_HISTORY_DAYS = 90

# a purchase is a day with approved orders of positive net value (returns netted in); several
# orders on one day are one purchase, the convention of the BG/NBD paper
SUMMARY_SQL = """
with days as (
    select
        customer_key,
        order_date,
        sum(net_amount) as net_amount,
        sum(net_amount) filter (where standard_cost_amount is not null) as costed_net,
        sum(net_amount - standard_cost_amount) as margin
    from core.fct_order_lines
    where is_approved and customer_key is not null and order_date <= $end_date
    group by customer_key, order_date
),

purchases as (
    select
        *,
        min(order_date) over (partition by customer_key) as first_order_date
    from days
    where net_amount > 0
)

select
    customer_key,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(*) - 1 as frequency,
    date_diff('day', min(order_date), max(order_date)) / 7.0 as recency_weeks,
    date_diff('day', min(order_date), $end_date) / 7.0 as age_weeks,
    coalesce(avg(net_amount) filter (where order_date > first_order_date), 0) as monetary_value,
    sum(net_amount) as revenue,
    sum(margin) as margin,
    sum(costed_net) as costed_revenue
from purchases
group by customer_key
order by customer_key
"""

SUMMARY_SCHEMA = {
    "customer_key": pl.String,
    "first_order_date": pl.Date,
    "last_order_date": pl.Date,
    "frequency": pl.Int64,
    "recency_weeks": pl.Float64,
    "age_weeks": pl.Float64,
    "monetary_value": pl.Float64,
    "revenue": pl.Float64,
    "margin": pl.Float64,
    "costed_revenue": pl.Float64,
}

# purchase days of each customer in (start, end]: what the holdout check counts
PURCHASES_BETWEEN_SQL = """
select customer_key, count(*) as purchases
from (
    select customer_key, order_date
    from core.fct_order_lines
    where is_approved and customer_key is not null
        and order_date > $start_date and order_date <= $end_date
    group by customer_key, order_date
    having sum(net_amount) > 0
)
group by customer_key
"""


@dataclass(frozen=True)
class ClvModel:
    """Both fitted models, the data they were fitted on and the company-wide margin rate."""

    bgnbd: bgnbd.BgNbdParams
    gamma_gamma: gamma_gamma.GammaGammaParams
    fitted_on: dt.date
    customers: int
    repeat_buyers: int
    margin_rate: float

    def parameters(self) -> dict[str, float | int | str]:
        """Flat dictionary for ``ml.model_runs`` and ``ml.clv_parameters``."""
        return {
            **{f"bgnbd_{k}": v for k, v in self.bgnbd.as_dict().items()},
            **{f"gamma_gamma_{k}": v for k, v in self.gamma_gamma.as_dict().items()},
            "time_unit": "week",
            "horizon_months": HORIZON_MONTHS,
            "annual_discount_rate": ANNUAL_DISCOUNT_RATE,
            "company_margin_rate": self.margin_rate,
            "customers": self.customers,
            "repeat_buyers": self.repeat_buyers,
        }


def purchase_summary(con, end_date: dt.date) -> pl.DataFrame:
    """One row per golden customer with a purchase on or before ``end_date`` (see module doc)."""
    frame = con.sql(SUMMARY_SQL, params={"end_date": end_date}).pl()
    return frame.cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]


def purchases_between(con, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Purchase days of each customer dated after ``start`` up to and including ``end``."""
    frame = con.sql(PURCHASES_BETWEEN_SQL, params={"start_date": start, "end_date": end}).pl()
    return frame.cast({"customer_key": pl.String, "purchases": pl.Int64})


def check_enough_data(summary: pl.DataFrame, end_date: dt.date) -> None:
    """Raise :class:`NotEnoughData` when the summary cannot support a fit."""
    if summary.height < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"only {summary.height} customers bought on or before {end_date}; CLV needs at"
            f" least {MIN_CUSTOMERS}"
        )
    repeat = int((summary["frequency"] > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:
        raise NotEnoughData(
            f"only {repeat} customers bought more than once by {end_date}; CLV needs at least"
            f" {MIN_REPEAT_BUYERS} repeat buyers"
        )
    history = (end_date - summary["first_order_date"].min()).days  # type: ignore[operator]
    if history < MIN_HISTORY_DAYS:
        raise NotEnoughData(
            f"the orders span only {history} days up to {end_date}; CLV needs at least"
            f" {MIN_HISTORY_DAYS}"
        )


def fit_clv(summary: pl.DataFrame, end_date: dt.date) -> ClvModel:
    """Fit BG/NBD on every customer and Gamma-Gamma on the repeat buyers of ``summary``."""
    check_enough_data(summary, end_date)
    # identical (x, t_x, T) triples are one term of the likelihood with a weight: on a large
    # company this cuts the work by an order of magnitude
    grouped = summary.group_by("frequency", "recency_weeks", "age_weeks").len()
    mean_age = float(summary["age_weeks"].mean())  # type: ignore[arg-type]
    bg = bgnbd.fit(
        grouped["frequency"].to_numpy(),
        grouped["recency_weeks"].to_numpy(),
        grouped["age_weeks"].to_numpy(),
        weights=grouped["len"].to_numpy(),
        initial=bgnbd.BgNbdParams(1.0, mean_age, 1.0, 1.0),
    )
    gg = gamma_gamma.fit(summary["frequency"].to_numpy(), summary["monetary_value"].to_numpy())
    if gg.q <= 1:
        # the population's mean purchase value would be infinite: no value can be given
        raise NotEnoughData(
            f"purchase values up to {end_date} are too spread out for Gamma-Gamma (q ="
            f" {gg.q:.2f} <= 1): more repeat buyers are needed before values can be estimated"
        )
    costed = float(summary["costed_revenue"].fill_null(0).sum())
    margin_rate = float(summary["margin"].fill_null(0).sum()) / costed if costed > 0 else 0.0
    return ClvModel(
        bgnbd=bg,
        gamma_gamma=gg,
        fitted_on=end_date,
        customers=summary.height,
        repeat_buyers=int((summary["frequency"] > 0).sum()),
        margin_rate=margin_rate,
    )


def discounted_purchases(
    model: ClvModel, summary: pl.DataFrame, months: int = HORIZON_MONTHS
) -> tuple[np.ndarray, np.ndarray]:
    """(expected purchases in ``months``, the same discounted month by month to today)."""
    x = summary["frequency"].to_numpy()
    t_x = summary["recency_weeks"].to_numpy()
    T = summary["age_weeks"].to_numpy()
    cumulative = [np.zeros(summary.height)]
    for month in range(1, months + 1):
        cumulative.append(bgnbd.expected_purchases(model.bgnbd, month * WEEKS_PER_MONTH, x, t_x, T))
    monthly_factor = (1 + ANNUAL_DISCOUNT_RATE) ** (-1 / 12)
    discounted = sum(
        (cumulative[m] - cumulative[m - 1]) * monthly_factor**m for m in range(1, months + 1)
    )
    return cumulative[-1], np.asarray(discounted)


def score_clv(model: ClvModel, summary: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """P(alive), expected purchases and 12-month value of every customer in ``summary``.

    Value per purchase is the Gamma-Gamma expected spend; the margin is that value times the
    customer's own gross-margin rate on the orders with a known cost (the company's rate when
    none has one), so a customer buying low-margin products is worth less in margin.
    """
    x = summary["frequency"].to_numpy()
    alive = bgnbd.p_alive(
        model.bgnbd, x, summary["recency_weeks"].to_numpy(), summary["age_weeks"].to_numpy()
    )
    purchases, discounted = discounted_purchases(model, summary)
    spend = gamma_gamma.expected_spend(model.gamma_gamma, x, summary["monetary_value"].to_numpy())
    return (
        summary.with_columns(
            pl.Series("p_alive", alive),
            pl.Series("expected_purchases_12m", purchases),
            pl.Series("expected_order_value", spend),
            # returns can leave a sliver of costed revenue and an absurd rate: bound it
            pl.when(pl.col("costed_revenue") > 0)
            .then((pl.col("margin") / pl.col("costed_revenue")).clip(-1.0, 1.0))
            .otherwise(model.margin_rate)
            .alias("margin_rate"),
        )
        .with_columns(
            pl.Series("clv_12m_revenue", discounted * spend),
        )
        .with_columns(
            (pl.col("clv_12m_revenue") * pl.col("margin_rate")).alias("clv_12m_margin"),
            pl.lit(as_of).alias("as_of_date"),
            pl.lit(MODEL_VERSION).alias("model_version"),
        )
        .select(
            "customer_key",
            "as_of_date",
            "model_version",
            "p_alive",
            "expected_purchases_12m",
            "clv_12m_revenue",
            "clv_12m_margin",
            "expected_order_value",
            "margin_rate",
            "frequency",
            "recency_weeks",
            "age_weeks",
            "monetary_value",
            "first_order_date",
            "last_order_date",
        )
        .sort("customer_key")
    )


def holdout_comparison(
    model: ClvModel, calibration: pl.DataFrame, actual: pl.DataFrame, holdout_days: int
) -> pl.DataFrame:
    """Per calibration customer: predicted and actual purchases in the holdout period.

    ``actual`` has ``customer_key`` and ``purchases``; customers missing from it bought nothing.
    """
    predicted = bgnbd.expected_purchases(
        model.bgnbd,
        holdout_days / DAYS_PER_WEEK,
        calibration["frequency"].to_numpy(),
        calibration["recency_weeks"].to_numpy(),
        calibration["age_weeks"].to_numpy(),
    )
    return (
        calibration.select("customer_key", "frequency")
        .with_columns(pl.Series("predicted", predicted))
        .join(actual.select("customer_key", "purchases"), on="customer_key", how="left")
        .with_columns(pl.col("purchases").fill_null(0).cast(pl.Float64).alias("actual"))
        .drop("purchases")
    )


def holdout_metrics(comparison: pl.DataFrame) -> dict[str, float]:
    """MAE and correlation per customer, and the total error, of a ``holdout_comparison``."""
    predicted = comparison["predicted"].to_numpy()
    actual = comparison["actual"].to_numpy()
    total_actual = float(actual.sum())
    return {
        "holdout_customers": float(comparison.height),
        "holdout_mae": float(np.mean(np.abs(predicted - actual))),
        "holdout_correlation": float(np.corrcoef(predicted, actual)[0, 1]),
        "holdout_predicted_total": float(predicted.sum()),
        "holdout_actual_total": total_actual,
        "holdout_total_error": float(predicted.sum() / total_actual - 1)
        if total_actual
        else float("nan"),
    }


def by_calibration_frequency(comparison: pl.DataFrame, cap: int = 7) -> pl.DataFrame:
    """Mean predicted and actual holdout purchases by repeat purchases in calibration (the
    classic conditional-expectation check), the top group holding ``cap`` or more."""
    return (
        comparison.with_columns(pl.col("frequency").clip(upper_bound=cap).alias("group"))
        .group_by("group")
        .agg(
            pl.len().alias("customers"),
            pl.col("predicted").mean(),
            pl.col("actual").mean(),
        )
        .sort("group")
    )


def repeat_count_check(model: ClvModel, summary: pl.DataFrame, cap: int = 7) -> pl.DataFrame:
    """Customers with 0, 1, ..., ``cap``+ repeat purchases: actual against the fitted model."""
    T = summary["age_weeks"].to_numpy()
    expected = [float(bgnbd.probability_of_count(model.bgnbd, k, T).sum()) for k in range(cap)]
    expected.append(summary.height - sum(expected))
    actual = [int((summary["frequency"] == k).sum()) for k in range(cap)]
    actual.append(int((summary["frequency"] >= cap).sum()))
    return pl.DataFrame(
        {"repeat_purchases": list(range(cap + 1)), "actual": actual, "expected": expected},
        schema={"repeat_purchases": pl.Int64, "actual": pl.Int64, "expected": pl.Float64},
    )
