"""Channel ROI from the marketing-mix model: incremental margin per yuan, curves, budget plan.

Outcome. The simulator's (and the business's) return of a channel is the gross margin of the
customers its spend brought divided by its spend. A pooled MMM of all new customers against all
spend cannot separate four channels to +-20% from three years of weekly Poisson noise (tencent
brings ~9 customers a week against a noise of ~14), so each paid channel is modelled on its own
outcome: the leads whose 客户来源 is that channel, per lead week, against the channel's own
adstocked, saturated daily spend plus trend and seasonality (models_ml/mmm.py). A lead's value
is the gross margin its channel's leads brought per lead (ERP invoices through the journeys, so
the conversion lag and non-buyers are in it). ROI = value per lead x the leads the spend
explains (not the intercept, trend or seasonality) / spend.

Intervals: each bootstrap draw refits the coefficients on block-resampled residuals and resamples
the channel's leads for the value per lead; 5th and 95th percentiles. The budget plan moves
spend between channels (each within +-30% of today, same total) to maximise expected margin.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models_ml import mmm
from models_ml.model_runs import NotEnoughData

MIN_CONVERSIONS = 30
BOOTSTRAP_DRAWS = 200
CURVE_MULTIPLIERS = np.round(np.linspace(0.0, 2.0, 41), 3)
PLAN_MULTIPLIERS = np.round(np.linspace(1 - mmm.BUDGET_BOUND, 1 + mmm.BUDGET_BOUND, 61), 3)
SEED = 20261205

CURVE_SCHEMA = {
    "channel": pl.String,
    "spend_multiplier": pl.Float64,
    "spend": pl.Float64,
    "expected_margin": pl.Float64,
    "margin_lower": pl.Float64,
    "margin_upper": pl.Float64,
    "marginal_roi": pl.Float64,
}
PLAN_SCHEMA = {
    "channel": pl.String,
    **{
        name: pl.Float64
        for name in (
            "current_spend",
            "planned_spend",
            "change_pct",
            "expected_margin_current",
            "expected_margin_planned",
            "uplift",
            "uplift_lower",
            "uplift_upper",
        )
    },
}

DAILY_SPEND_SQL = """
select channel, spend_date, sum(spend_yuan)::double as spend
from core.fct_marketing_spend
where spend_date <= $as_of
group by all
"""


def weekly_inputs(
    con, as_of: dt.date, journeys: pl.DataFrame
) -> tuple[dict[str, mmm.MMMData], dict[str, np.ndarray], list[str]]:
    """Per paid channel: its MMM data and the margin of each of its leads; skips with reasons.

    Weeks run Monday to Sunday from the first week with spend to the last complete week on or
    before ``as_of``. Raises ``NotEnoughData`` when there are fewer than ``mmm.MIN_WEEKS``.
    """
    daily = con.sql(DAILY_SPEND_SQL, params={"as_of": as_of}).pl()
    if daily.is_empty():
        raise NotEnoughData("no marketing spend in the warehouse: nothing to model")
    first = daily["spend_date"].min()
    start = first - dt.timedelta(days=first.weekday())
    end = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)  # last Sunday on or before
    n_weeks = ((end - start).days + 1) // 7
    if n_weeks < mmm.MIN_WEEKS:
        raise NotEnoughData(
            f"{n_weeks} complete weeks of spend before {as_of}; the marketing-mix model needs "
            f"at least {mmm.MIN_WEEKS} (a year) to separate spend from season"
        )
    n_days = n_weeks * 7
    week = np.arange(n_days) // 7
    data: dict[str, mmm.MMMData] = {}
    lead_values: dict[str, np.ndarray] = {}
    skipped: list[str] = []
    first_touch = journeys.with_columns(
        day=(pl.col("first_touch_date") - pl.lit(start)).dt.total_days()
    ).filter((pl.col("day") >= 0) & (pl.col("day") < n_days))
    for channel in sorted(daily["channel"].unique().to_list()):
        rows = daily.filter(pl.col("channel") == channel).with_columns(
            day=(pl.col("spend_date") - pl.lit(start)).dt.total_days()
        )
        rows = rows.filter((pl.col("day") >= 0) & (pl.col("day") < n_days))
        spend = np.zeros(n_days)
        np.add.at(spend, rows["day"].to_numpy(), rows["spend"].to_numpy())
        leads = first_touch.filter(pl.col("first_channel") == channel)
        converted = int(leads["is_converted"].sum())
        if spend.sum() <= 0:
            skipped.append(f"{channel}: no spend in the modelled weeks")
            continue
        if converted < MIN_CONVERSIONS:
            skipped.append(
                f"{channel}: {converted} converted leads in the modelled weeks; valuing a lead "
                f"needs at least {MIN_CONVERSIONS}"
            )
            continue
        outcome = np.bincount(week[leads["day"].to_numpy()], minlength=n_weeks).astype(float)
        data[channel] = mmm.MMMData(outcome, spend[None, :], week, (channel,))
        lead_values[channel] = leads["gross_margin"].to_numpy().astype(float)
    return data, lead_values, skipped


def _draws(values: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap means of the per-lead margins."""
    n = len(values)
    return np.array([values[rng.integers(0, n, n)].mean() for _ in range(draws)])


def run_mmm(
    data: dict[str, mmm.MMMData],
    lead_values: dict[str, np.ndarray],
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = SEED,
) -> dict[str, pl.DataFrame | dict]:
    """Fit every channel, then ROI with intervals, response curves and the budget plan."""
    rng = np.random.default_rng(seed)
    roi_rows, curve_rows, fits, metrics = [], [], {}, {}
    plan_curves, spend_now, beta_value_draws = [], [], []
    for channel, d in data.items():
        fit = mmm.fit_mmm(d)
        value = float(lead_values[channel].mean())
        value_draws = _draws(lead_values[channel], draws, rng)
        beta_draws = mmm.bootstrap_betas(fit, d.outcome, draws, rng)[:, 0]
        spend = float(d.spend.sum())
        explained = float(fit.features[:, 0].sum())
        roi = fit.beta[0] * explained * value / spend
        roi_draws = beta_draws * explained * value_draws / spend
        low, high = np.percentile(roi_draws, [5, 95])
        t = fit.transforms[0]
        roi_rows.append(
            {
                "channel": channel,
                "spend": spend,
                "leads": float(d.outcome.sum()),
                "incremental_leads": float(fit.beta[0] * explained),
                "margin_per_lead": value,
                "gross_margin": roi * spend,
                "roi": roi,
                "roi_lower": float(low),
                "roi_upper": float(high),
                "adstock_decay": t.decay,
                "hill_half_saturation": t.half_saturation,
                "hill_shape": t.shape,
                "cv_wape": fit.validation_error,
                "test_wape": fit.test_error,
            }
        )
        metrics[channel] = {
            "cv_wape": fit.validation_error,
            "test_wape": fit.test_error,
            "adstock_decay": t.decay,
            "hill_half_saturation": t.half_saturation,
            "hill_shape": t.shape,
        }
        fits[channel] = fit
        response = mmm.channel_response(fit, d, 0, CURVE_MULTIPLIERS)
        for m, r in zip(CURVE_MULTIPLIERS, response, strict=True):
            margin = r * beta_draws * value_draws
            curve_rows.append(
                {
                    "channel": channel,
                    "spend_multiplier": float(m),
                    "spend": float(m * spend),
                    "expected_margin": float(r * fit.beta[0] * value),
                    "margin_lower": float(np.percentile(margin, 5)),
                    "margin_upper": float(np.percentile(margin, 95)),
                }
            )
        plan_response = mmm.channel_response(fit, d, 0, PLAN_MULTIPLIERS)
        plan_curves.append((PLAN_MULTIPLIERS, plan_response * fit.beta[0] * value))
        spend_now.append(spend)
        beta_value_draws.append((plan_response, beta_draws * value_draws))
    roi_frame = pl.DataFrame(roi_rows)
    curves = _with_marginal(
        pl.DataFrame(
            curve_rows, schema={k: v for k, v in CURVE_SCHEMA.items() if k != "marginal_roi"}
        )
    )
    plan = _budget_plan(list(data), plan_curves, np.array(spend_now), beta_value_draws)
    return {"roi": roi_frame, "curves": curves, "plan": plan, "metrics": metrics}


def _with_marginal(curves: pl.DataFrame) -> pl.DataFrame:
    """Marginal ROI: extra margin per extra yuan between neighbouring points of a curve."""
    return curves.sort(["channel", "spend_multiplier"]).with_columns(
        marginal_roi=(pl.col("expected_margin").diff() / pl.col("spend").diff()).over("channel")
    )


def _budget_plan(
    channels: list[str],
    curves: list[tuple[np.ndarray, np.ndarray]],
    spend: np.ndarray,
    draws: list[tuple[np.ndarray, np.ndarray]],
) -> pl.DataFrame:
    """Today's spend vs the optimised split, per channel and in total, uplift with interval."""
    if not channels:
        return pl.DataFrame(schema=PLAN_SCHEMA)
    plan = mmm.optimise_budget(curves, spend)
    rows, uplift_draws = [], 0.0
    for c, channel in enumerate(channels):
        grid, value = curves[c]
        now, new = float(np.interp(1.0, grid, value)), float(np.interp(plan[c], grid, value))
        response, scale = draws[c]
        diff = float(np.interp(plan[c], grid, response) - np.interp(1.0, grid, response))
        channel_draws = diff * scale
        uplift_draws = uplift_draws + channel_draws
        rows.append(
            {
                "channel": channel,
                "current_spend": float(spend[c]),
                "planned_spend": float(plan[c] * spend[c]),
                "change_pct": float((plan[c] - 1) * 100),
                "expected_margin_current": now,
                "expected_margin_planned": new,
                "uplift": new - now,
                "uplift_lower": float(np.percentile(channel_draws, 5)),
                "uplift_upper": float(np.percentile(channel_draws, 95)),
            }
        )
    total = {
        "channel": "total",
        "current_spend": float(spend.sum()),
        "planned_spend": float(plan @ spend),
        "change_pct": float((plan @ spend / spend.sum() - 1) * 100),
        "expected_margin_current": sum(r["expected_margin_current"] for r in rows),
        "expected_margin_planned": sum(r["expected_margin_planned"] for r in rows),
        "uplift": sum(r["uplift"] for r in rows),
        "uplift_lower": float(np.percentile(uplift_draws, 5)),
        "uplift_upper": float(np.percentile(uplift_draws, 95)),
    }
    return pl.DataFrame([*rows, total], schema=PLAN_SCHEMA)
