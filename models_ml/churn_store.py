"""The churn model's tables and run record: what the Dagster asset ``ml_churn`` calls.

- ``ml.churn_scores``: one row per active buyer on the as-of date: probability, risk band, top
  reasons (English columns plus lists in English and Chinese), owner, last order and follow-up,
  and value at risk (CLV 12-month margin x churn probability, when ``ml.clv`` exists);
- ``ml.churn_validation``: metrics per validation cutoff and model;
- ``ml.churn_reliability``: the reliability-curve bins per cutoff and model;
- one row in ``ml.model_runs`` per run, ``skipped`` with the reason when data is lacking.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import polars as pl

from models_ml.churn import MODEL_VERSION, ChurnResult, train_and_score
from models_ml.features import ACTIVE_DAYS
from models_ml.model_runs import ModelRun, NotEnoughData, record_model_run

MODEL = "churn"
CLV_MISSING = "ml.clv does not exist yet: value_at_risk is null"

SCORE_COLUMNS = (
    "customer_key",
    "as_of_date",
    "model_version",
    "model",
    "horizon_days",
    "churn_probability",
    "risk_band",
    "reason_1",
    "reason_2",
    "reason_3",
    "first_reason_driver",
    "reasons",
    "reasons_zh",
    "reason_keys",
    "clv_12m_margin",
    "value_at_risk",
    "owner_user_id",
    "last_order_date",
    "last_followup_date",
)


def clv_margins(con, as_of: dt.date) -> pl.DataFrame | None:
    """Latest ``ml.clv`` 12-month margin per customer on or before ``as_of``; None without it."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'ml' and table_name = 'clv'"
    ).fetchall()[0][0]
    if not exists:
        return None
    return con.sql(
        """
        select customer_key, cast(clv_12m_margin as double) as clv_12m_margin
        from ml.clv
        where as_of_date <= $as_of
        qualify row_number() over (partition by customer_key order by as_of_date desc) = 1
        """,
        params={"as_of": as_of},
    ).pl()


def with_value_at_risk(scores: pl.DataFrame, clv: pl.DataFrame | None) -> pl.DataFrame:
    """``scores`` with ``clv_12m_margin`` and ``value_at_risk`` (null when ``clv`` is None)."""
    if clv is None:
        clv = pl.DataFrame(schema={"customer_key": pl.String, "clv_12m_margin": pl.Float64})
    return scores.join(clv, on="customer_key", how="left").with_columns(
        (pl.col("churn_probability") * pl.col("clv_12m_margin")).alias("value_at_risk")
    )


def _replace(con, name: str, frame: pl.DataFrame) -> None:
    con.register("frame", frame)
    con.execute(f"create or replace table ml.{name} as select * from frame")
    con.unregister("frame")


@dataclass
class ChurnRun:
    """What the asset reports: the run record and, when it ran, the result."""

    run: ModelRun
    result: ChurnResult | None
    notes: list[str]
    seconds: float


def run_summary(result: ChurnResult) -> dict:
    """Validation means per model and the production model's figures, for the run record."""
    means = (
        result.validation.metrics.group_by("model")
        .agg(pl.col("roc_auc", "pr_auc", "brier", "ece", "top_decile_lift").mean())
        .sort("model")
    )
    return {
        "chosen_model": result.validation.chosen,
        "validation_cutoffs": [str(f.test_date) for f in result.validation.folds],
        "mean_by_model": {row["model"]: row for row in means.iter_rows(named=True)},
        "scored": result.scores.height,
        "high_risk": int((result.scores["risk_band"] == "high").sum()),
        "step_seconds_wall_cpu": result.seconds,
    }


def build_churn(con, as_of: dt.date, horizon_days: int) -> ChurnRun:
    """Train, validate, score and write every churn table; a lack of data is a skipped run."""
    started = time.perf_counter()
    con.execute("create schema if not exists ml")
    parameters = {"horizon_days": horizon_days, "active_days": ACTIVE_DAYS}
    try:
        result = train_and_score(con, as_of, horizon_days)
    except NotEnoughData as lack:
        run = ModelRun.skipped(MODEL, MODEL_VERSION, as_of, lack.reason)
        run = ModelRun(**{**run.__dict__, "parameters": parameters})
        record_model_run(con, run)
        return ChurnRun(run, None, [f"skipped: {lack.reason}"], time.perf_counter() - started)
    clv = clv_margins(con, as_of)
    notes = [] if clv is not None else [CLV_MISSING]
    scores = with_value_at_risk(result.scores, clv).select(SCORE_COLUMNS).sort("customer_key")
    result.scores = scores
    _replace(con, "churn_scores", scores)
    _replace(con, "churn_validation", result.validation.metrics)
    _replace(con, "churn_reliability", result.validation.reliability)
    window = f"{min(result.train_dates)}..{max(result.train_dates)} (+{horizon_days} days)"
    run = ModelRun(
        MODEL,
        MODEL_VERSION,
        as_of,
        parameters={**parameters, "model": result.validation.chosen},
        data_window=window,
        metrics=run_summary(result),
        rows_written=scores.height,
    )
    record_model_run(con, run)
    return ChurnRun(run, result, notes, time.perf_counter() - started)
