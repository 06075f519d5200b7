"""The churn model's tables and run record: what the Dagster asset ``ml_churn`` calls.

- ``ml.churn_scores``: one row per active buyer on the as-of date: probability, risk band, top
  reasons (English columns plus lists in English and Chinese), owner, last order and follow-up,
  and value at risk (CLV 12-month margin x churn probability, when ``ml.clv`` exists);
- ``ml.churn_validation``: metrics per validation cutoff and model;
- ``ml.churn_reliability``: the reliability-curve bins per cutoff and model;
- one row in ``ml.model_runs`` per run, ``skipped`` with the reason when data is lacking.

Training (validation of both models on three time splits, then the production fit) runs only
when it is due (:func:`retrain_reason`): no stored model for this model version and horizon,
the stored one older than ``retrain_days``, or an as-of date before the one it was trained on.
Otherwise the run scores every active buyer with the model stored in
``model_store.churn_model`` (in the build file only: the schema is not published) and records
``retrained: false`` with the date the model was trained. The validation tables keep the
figures of the run that trained it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import time
from dataclasses import dataclass

import polars as pl

from models_ml.churn import (
    MODEL_VERSION,
    ChurnResult,
    current_buyers,
    score_customers,
    train_and_score,
)
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


STORE_SQL = """
create table if not exists model_store.churn_model (
    model_version varchar not null,
    horizon_days integer not null,
    trained_as_of date not null,
    model varchar not null,
    data_window varchar,
    summary json,
    payload blob not null,
    saved_at timestamp not null
)
"""


@dataclass(frozen=True)
class StoredModel:
    """A production churn model saved by the run that trained it."""

    model: object
    chosen: str
    trained_as_of: dt.date
    data_window: str
    summary: dict


def save_model(con, result: ChurnResult, as_of: dt.date, horizon_days: int, window: str) -> None:
    """Store the production model of ``result`` for later runs (replacing older ones of the
    same version and horizon)."""
    buffer = io.BytesIO()
    pickle.dump(result.model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    con.execute("create schema if not exists model_store")
    con.execute(STORE_SQL)
    con.execute(
        "delete from model_store.churn_model where model_version = ? and horizon_days = ?",
        [MODEL_VERSION, horizon_days],
    )
    con.execute(
        "insert into model_store.churn_model values (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [
            MODEL_VERSION,
            horizon_days,
            as_of,
            result.validation.chosen,
            window,
            json.dumps(run_summary(result), default=str),
            buffer.getvalue(),
        ],
    )


def load_model(con, horizon_days: int) -> StoredModel | None:
    """The stored model of this model version and horizon, or None."""
    found = con.execute(
        "select count(*) from duckdb_tables()"
        " where schema_name = 'model_store' and table_name = 'churn_model'"
    ).fetchall()[0][0]
    if not found:
        return None
    rows = con.execute(
        "select model, trained_as_of, data_window, summary, payload"
        " from model_store.churn_model where model_version = ? and horizon_days = ?",
        [MODEL_VERSION, horizon_days],
    ).fetchall()
    if not rows:
        return None
    chosen, trained_as_of, window, summary, payload = rows[0]
    # a pickle only save_model writes, into this run's own build file
    model = pickle.loads(payload)
    return StoredModel(model, chosen, trained_as_of, window, json.loads(summary))


def retrain_reason(trained_as_of: dt.date | None, as_of: dt.date, retrain_days: int) -> str | None:
    """Why this run must train (a pure function), or None when the stored model serves.

    ``trained_as_of`` is the as-of date of the stored model (None: none stored for this
    version and horizon); ``retrain_days`` 0 trains on every run.
    """
    if trained_as_of is None:
        return f"no stored {MODEL_VERSION} model"
    if retrain_days == 0:
        return "retraining on every run (TANDEM_CHURN_RETRAIN_DAYS=0)"
    if as_of < trained_as_of:
        return f"as-of date {as_of} is before the stored model's {trained_as_of}"
    age = (as_of - trained_as_of).days
    if age >= retrain_days:
        return f"stored model {age} days old (retrain every {retrain_days} days)"
    return None


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


def _write_scores(con, scores: pl.DataFrame, as_of: dt.date) -> tuple[pl.DataFrame, list[str]]:
    clv = clv_margins(con, as_of)
    notes = [] if clv is not None else [CLV_MISSING]
    scores = with_value_at_risk(scores, clv).select(SCORE_COLUMNS).sort("customer_key")
    _replace(con, "churn_scores", scores)
    return scores, notes


def _score_stored(con, stored: StoredModel, as_of: dt.date, horizon_days: int, parameters: dict):
    """Score ``as_of`` with ``stored`` and record the run (no training)."""
    current = current_buyers(con, as_of)
    scores = score_customers(stored.model, stored.chosen, current, as_of, horizon_days)
    scores, notes = _write_scores(con, scores, as_of)
    metrics = {
        **stored.summary,
        "scored": scores.height,
        "high_risk": int((scores["risk_band"] == "high").sum()),
    }
    run = ModelRun(
        MODEL,
        MODEL_VERSION,
        as_of,
        parameters={
            **parameters,
            "model": stored.chosen,
            "retrained": False,
            "model_trained_as_of": str(stored.trained_as_of),
        },
        data_window=stored.data_window,
        metrics=metrics,
        rows_written=scores.height,
    )
    return run, notes


def build_churn(con, as_of: dt.date, horizon_days: int, retrain_days: int = 0) -> ChurnRun:
    """Score every active buyer and write the churn tables, training first when it is due
    (:func:`retrain_reason`); a lack of data is a skipped run.

    ``result`` of the returned run is None when a stored model scored (or the run skipped).
    """
    started = time.perf_counter()
    con.execute("create schema if not exists ml")
    parameters = {"horizon_days": horizon_days, "active_days": ACTIVE_DAYS}
    stored = load_model(con, horizon_days)
    why = retrain_reason(stored.trained_as_of if stored else None, as_of, retrain_days)
    try:
        if why is None:
            run, notes = _score_stored(con, stored, as_of, horizon_days, parameters)
            record_model_run(con, run)
            return ChurnRun(run, None, notes, time.perf_counter() - started)
        result = train_and_score(con, as_of, horizon_days)
    except NotEnoughData as lack:
        run = ModelRun.skipped(MODEL, MODEL_VERSION, as_of, lack.reason)
        run = ModelRun(**{**run.__dict__, "parameters": parameters})
        record_model_run(con, run)
        return ChurnRun(run, None, [f"skipped: {lack.reason}"], time.perf_counter() - started)
    result.scores, notes = _write_scores(con, result.scores, as_of)
    _replace(con, "churn_validation", result.validation.metrics)
    _replace(con, "churn_reliability", result.validation.reliability)
    window = f"{min(result.train_dates)}..{max(result.train_dates)} (+{horizon_days} days)"
    save_model(con, result, as_of, horizon_days, window)
    run = ModelRun(
        MODEL,
        MODEL_VERSION,
        as_of,
        parameters={
            **parameters,
            "model": result.validation.chosen,
            "retrained": True,
            "retrain_reason": why,
        },
        data_window=window,
        metrics=run_summary(result),
        rows_written=result.scores.height,
    )
    record_model_run(con, run)
    return ChurnRun(run, result, notes, time.perf_counter() - started)
