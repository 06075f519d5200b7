"""One CLV run against a warehouse: holdout check, fit, scores and the ``ml`` tables.

``build_clv`` is what the Dagster asset ``ml_clv`` runs. It first fits on the orders up to a
cut-off before the as-of date and compares the predicted purchases after it with the landed
ones (the metrics of ``ml.model_runs``), then refits on everything up to the as-of date and
scores every buying customer:

- ``ml.clv``: one row per customer (p_alive, expected purchases and value in 12 months);
- ``ml.clv_parameters``: the fitted parameters, one row each;
- ``ml.clv_fit_check``: the two classic BG/NBD checks the model card plots.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models_ml import clv
from models_ml.model_runs import ModelRun, NotEnoughData

MODEL = "clv"
HOLDOUT_DAYS = 365


def holdout_days_for(summary: pl.DataFrame, as_of: dt.date) -> int:
    """A year of holdout, or a third of the order history when that is shorter."""
    history = (as_of - summary["first_order_date"].min()).days  # type: ignore[operator]
    return min(HOLDOUT_DAYS, history // 3)


def run_holdout(con, summary: pl.DataFrame, as_of: dt.date) -> tuple[dict, pl.DataFrame]:
    """Fit up to ``as_of`` minus the holdout, compare with the purchases after it.

    Returns the metrics and the comparison by calibration frequency; a history too short for
    the calibration fit gives a metric saying so instead of failing the run.
    """
    days = holdout_days_for(summary, as_of)
    cutoff = as_of - dt.timedelta(days=days)
    calibration = clv.purchase_summary(con, cutoff)
    try:
        model = clv.fit_clv(calibration, cutoff)
    except NotEnoughData as error:
        return {"holdout_skipped": error.reason}, pl.DataFrame()
    comparison = clv.holdout_comparison(
        model, calibration, clv.purchases_between(con, cutoff, as_of), days
    )
    metrics = {
        **clv.holdout_metrics(comparison),
        "holdout_days": days,
        "holdout_cutoff": str(cutoff),
    }
    return metrics, clv.by_calibration_frequency(comparison)


def fit_check_frame(
    model: clv.ClvModel, summary: pl.DataFrame, by_frequency: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """Both checks in one long table, by ``check_name``: ``repeat_count`` (customers by repeat
    purchases, actual and expected) and ``holdout_by_frequency`` (mean purchases in the holdout
    by calibration repeat purchases, actual and predicted)."""
    counts = clv.repeat_count_check(model, summary).select(
        pl.lit("repeat_count").alias("check_name"),
        pl.col("repeat_purchases").alias("group"),
        pl.col("actual").cast(pl.Float64),
        pl.col("expected").alias("model"),
        pl.col("actual").alias("customers"),
    )
    frames = [counts]
    if by_frequency.height:
        frames.append(
            by_frequency.select(
                pl.lit("holdout_by_frequency").alias("check_name"),
                pl.col("group"),
                pl.col("actual"),
                pl.col("predicted").alias("model"),
                pl.col("customers").cast(pl.Int64),
            )
        )
    return pl.concat(frames).with_columns(
        pl.lit(as_of).alias("as_of_date"), pl.lit(clv.MODEL_VERSION).alias("model_version")
    )


def parameter_frame(model: clv.ClvModel, as_of: dt.date) -> pl.DataFrame:
    """The fitted parameters, one row each (``ml.clv_parameters``)."""
    rows = [("bgnbd", k, v) for k, v in model.bgnbd.as_dict().items()]
    rows += [("gamma_gamma", k, v) for k, v in model.gamma_gamma.as_dict().items()]
    rows.append(("margin", "company_margin_rate", model.margin_rate))
    return pl.DataFrame(
        {
            "model_version": clv.MODEL_VERSION,
            "as_of_date": as_of,
            "submodel": [r[0] for r in rows],
            "parameter": [r[1] for r in rows],
            "value": [float(r[2]) for r in rows],
            "customers": model.customers,
            "repeat_buyers": model.repeat_buyers,
        }
    )


def write_tables(con, tables: dict[str, pl.DataFrame]) -> None:
    """Replace each ``ml.<name>`` with its frame."""
    con.execute("create schema if not exists ml")
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"create or replace table ml.{name} as select * from frame")
        con.unregister("frame")


def build_clv(con, as_of: dt.date) -> tuple[pl.DataFrame, ModelRun]:
    """Holdout check, fit and scores as of ``as_of``; writes the ``ml`` tables.

    Raises :class:`NotEnoughData` (and writes nothing) when the orders cannot support a fit.
    """
    summary = clv.purchase_summary(con, as_of)
    clv.check_enough_data(summary, as_of)
    metrics, by_frequency = run_holdout(con, summary, as_of)
    model = clv.fit_clv(summary, as_of)
    scored = clv.score_clv(model, summary, as_of)
    write_tables(
        con,
        {
            "clv": scored,
            "clv_parameters": parameter_frame(model, as_of),
            "clv_fit_check": fit_check_frame(model, summary, by_frequency, as_of),
        },
    )
    metrics.update(
        {
            "customers_scored": scored.height,
            "mean_p_alive": float(scored["p_alive"].mean()),  # type: ignore[arg-type]
            "expected_purchases_12m_total": float(scored["expected_purchases_12m"].sum()),
            "clv_12m_revenue_total": float(scored["clv_12m_revenue"].sum()),
            "clv_12m_margin_total": float(scored["clv_12m_margin"].sum()),
        }
    )
    first = summary["first_order_date"].min()
    run = ModelRun(
        MODEL,
        clv.MODEL_VERSION,
        as_of,
        parameters=model.parameters(),
        data_window=f"orders {first} .. {as_of}",
        metrics=metrics,
        rows_written=scored.height,
    )
    return scored, run
