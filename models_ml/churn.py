"""Churn early warning: who will place no order in the next N days, how sure, and why.

Two scikit-learn pipelines learn from point-in-time snapshots (``models_ml.churn_data``):

- ``logistic``: standardised numeric features and one-hot attributes into a logistic
  regression, calibrated (sigmoid) on the latest training snapshot;
- ``gradient_boosting``: a histogram gradient-boosted tree ensemble on the same features,
  calibrated the same way.

Both are validated on time splits (train on earlier month ends, test on a later one, at least
three cutoffs, never a random split); the one with the lower mean Brier score (a proper score:
ranking and calibration at once) becomes the production model, retrained on the latest
labelled snapshots and applied to every active buyer on the as-of date. Its reasons
(``models_ml.churn_reasons``) read the order symptoms from that model and the actionable
drivers from a logistic driver model fitted beside it (``models_ml.churn_drivers``).
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from models_ml.churn_data import Fold, plan_folds, prefetch_snapshots, stack_snapshots
from models_ml.churn_drivers import DriverWeights, fit_driver_weights
from models_ml.churn_metrics import classification_metrics, reliability_curve
from models_ml.features import CATEGORY_FEATURES, NUMERIC_FEATURES, customer_features
from models_ml.model_runs import NotEnoughData

# churn-2: days since the last order or ticket, monotone tickets, 150 rounds (2026-12-05)
# churn-3: the actionable reasons come from a driver model stored with the production model
MODEL_VERSION = "churn-3"
MODEL_NAMES = ("logistic", "gradient_boosting")
MIN_CUSTOMERS = 50
MIN_CHURNERS = 10
RISK_BANDS = ((0.5, "high"), (0.25, "medium"), (0.0, "low"))
# OpenMP / BLAS threads for fitting and scoring. One: on the shared 2-core machine the
# gradient-boosting fit on 172 k rows (200 rounds) took 54 CPU s with two OpenMP threads (idle
# threads spin-wait while the other core is busy elsewhere) and 10 CPU s with one (2026-12-05).
THREADS = 1


# +1: the churn probability may only rise with the feature; -1: only fall
MONOTONIC = {
    "delay_3m": 1,
    "delay_prev_3m": 1,
    "delay_12m": 1,
    "log_overdue_amount": 1,
    "overdue_invoices": 1,
    "overdue_max_days": 1,
    "days_since_followup": 1,
    "followups_3m": -1,
    # trouble: more tickets, or more of them past SLA, never lower the risk. Unconstrained, the
    # trees read tickets as a sign of a live customer (a quiet customer who files a ticket is
    # still there) and tickets were almost never a reason; ``days_since_contact`` (the last
    # order or ticket) now carries that sign of life, so the counts can carry the trouble.
    "tickets_3m": 1,
    "sla_breaches_3m": 1,
}


def few_threads() -> AbstractContextManager:
    """Limit the native thread pools (OpenMP, BLAS) to ``THREADS`` inside the block."""
    return threadpool_limits(limits=THREADS)


def _logistic() -> Pipeline:
    prep = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            ("category", OneHotEncoder(handle_unknown="ignore"), list(CATEGORY_FEATURES)),
        ]
    )
    return Pipeline([("prep", prep), ("model", LogisticRegression(C=1.0, max_iter=2000))])


def _gradient_boosting() -> Pipeline:
    prep = ColumnTransformer(
        [
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
            (
                "category",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
                ),
                list(CATEGORY_FEATURES),
            ),
        ]
    )
    categories = [False] * len(NUMERIC_FEATURES) + [True] * len(CATEGORY_FEATURES)
    # later or more overdue payments, longer silence and more tickets never lower the risk:
    # the true effects are small next to recency, and unconstrained trees learned noisy shapes
    # that made these drivers rarely a reason (see ``MONOTONIC``)
    monotonic = [MONOTONIC.get(name, 0) for name in NUMERIC_FEATURES] + [0] * len(CATEGORY_FEATURES)
    # 150 rounds at 0.1: 60 ranked and calibrated as well on the medium validation cutoffs
    # (mean ROC-AUC 0.759 vs 0.758), but left the ticket effect (a ticket-driven customer's risk
    # is 1 to 3 points above a like customer's without tickets) mostly unlearnt: tickets were
    # the first reason of 10% of the customers whose true hazard they drive, 28% at 150 rounds
    # (docs/BENCHMARKS.md). Fixed, because sklearn's early stopping would hold out a random
    # tenth of the snapshots.
    model = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=150,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=categories,
        monotonic_cst=monotonic,
        random_state=0,
    )
    return Pipeline([("prep", prep), ("model", model)])


BUILDERS = {"logistic": _logistic, "gradient_boosting": _gradient_boosting}


def model_matrix(frame: pl.DataFrame):
    """The columns a pipeline reads, as the pandas frame scikit-learn's column names need."""
    return frame.select(*NUMERIC_FEATURES, *CATEGORY_FEATURES).to_pandas()


def check_trainable(train: pl.DataFrame, what: str) -> None:
    """Raise :class:`NotEnoughData` when ``train`` cannot teach a classifier."""
    if train.height < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"{what}: {train.height} customer snapshots, at least {MIN_CUSTOMERS} are needed"
        )
    churners = int(train["churned"].sum())
    if churners == 0 or churners == train.height:
        raise NotEnoughData(f"{what}: a single class ({churners} of {train.height} churned)")
    if min(churners, train.height - churners) < MIN_CHURNERS:
        raise NotEnoughData(
            f"{what}: {churners} churners of {train.height}, at least {MIN_CHURNERS} of each"
            " class are needed"
        )


def fit_model(name: str, train: pl.DataFrame) -> CalibratedClassifierCV:
    """Fit ``name`` on the snapshots in ``train``, calibrated on its latest snapshot.

    The calibration rows come after the rows the pipeline learns from, as they will in use;
    with a single snapshot the pipeline is calibrated on three folds of it instead.
    """
    dates = train["as_of_date"]
    latest = dates.max()
    cal = np.flatnonzero((dates == latest).to_numpy())
    fit = np.flatnonzero((dates != latest).to_numpy())
    labels = train["churned"].to_numpy()
    temporal = (
        len(fit) > 0 and len(np.unique(labels[fit])) == 2 and len(np.unique(labels[cal])) == 2
    )
    cv = [(fit, cal)] if temporal else 3
    model = CalibratedClassifierCV(BUILDERS[name](), method="sigmoid", cv=cv)
    with few_threads():
        model.fit(model_matrix(train), labels)
    return model


@dataclass
class ChurnModel:
    """The production model: the calibrated pipeline that gives the probability and the driver
    weights the actionable reasons are read from (``models_ml.churn_drivers``)."""

    probability: CalibratedClassifierCV
    drivers: DriverWeights

    def predict_proba(self, matrix) -> np.ndarray:
        return self.probability.predict_proba(matrix)


def fit_production(name: str, train: pl.DataFrame) -> ChurnModel:
    """Fit the chosen pipeline and the driver model on the production training snapshots."""
    from models_ml.churn_reasons import ACTIONABLE_DRIVERS, GROUPS

    features = tuple(f for g in GROUPS if g.driver in ACTIONABLE_DRIVERS for f in g.features)
    with few_threads():
        drivers = fit_driver_weights(train, features)
    return ChurnModel(fit_model(name, train), drivers)


def predict(model, frame: pl.DataFrame) -> np.ndarray:
    """Churn probability of every row of ``frame``."""
    with few_threads():
        return model.predict_proba(model_matrix(frame))[:, 1]


@dataclass
class Validation:
    """Per-fold, per-model metrics and reliability bins of the time-split validation."""

    metrics: pl.DataFrame
    reliability: pl.DataFrame
    chosen: str
    folds: list[Fold] = field(default_factory=list)
    predictions: pl.DataFrame | None = None  # customer, cutoff, model, probability, label


def validate(con, folds: list[Fold], horizon_days: int, cache: dict) -> Validation:
    """Train every model per fold on the earlier snapshots and score the fold's test cutoff."""
    metric_rows, curves, predictions = [], [], []
    for fold in folds:
        train = stack_snapshots(con, fold.train_dates, horizon_days, cache)
        test = stack_snapshots(con, [fold.test_date], horizon_days, cache)
        check_trainable(train, f"training set for the cutoff {fold.test_date}")
        check_trainable(test, f"test set at {fold.test_date}")
        for name in MODEL_NAMES:
            probability = predict(fit_model(name, train), test)
            labels = test["churned"].to_numpy()
            predictions.append(
                test.select("customer_key", "as_of_date", "churned").with_columns(
                    pl.lit(name).alias("model"), pl.Series("churn_probability", probability)
                )
            )
            metric_rows.append(
                {
                    "cutoff": fold.test_date,
                    "model": name,
                    "train_from": min(fold.train_dates),
                    "train_to": max(fold.train_dates),
                    "train_rows": train.height,
                    **classification_metrics(labels, probability),
                }
            )
            curves.append(
                reliability_curve(labels, probability).with_columns(
                    pl.lit(fold.test_date).alias("cutoff"), pl.lit(name).alias("model")
                )
            )
    metrics = pl.DataFrame(metric_rows)
    mean_brier = metrics.group_by("model").agg(pl.col("brier").mean()).sort("brier")
    chosen = str(mean_brier["model"][0])
    return Validation(metrics, pl.concat(curves), chosen, folds, pl.concat(predictions))


def risk_band(probability: pl.Expr) -> pl.Expr:
    """``high`` from 50%, ``medium`` from 25%, else ``low``."""
    expr = pl.when(probability >= RISK_BANDS[0][0]).then(pl.lit(RISK_BANDS[0][1]))
    for threshold, name in RISK_BANDS[1:-1]:
        expr = expr.when(probability >= threshold).then(pl.lit(name))
    return expr.otherwise(pl.lit(RISK_BANDS[-1][1]))


@dataclass
class ChurnResult:
    """Everything one run produced: scores, validation, the production model and its window."""

    scores: pl.DataFrame
    validation: Validation
    model: object
    train_dates: tuple[dt.date, ...]
    current: pl.DataFrame
    # step -> (wall s, CPU s): what the production fit needs every run vs the validation
    seconds: dict[str, tuple[float, float]] = field(default_factory=dict)


class _Clock:
    """Wall and CPU seconds of consecutive steps (CPU of the whole process, all threads)."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[float, float]] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.steps[step] = (round(wall - self._wall, 2), round(cpu - self._cpu, 2))
        self._wall, self._cpu = wall, cpu


def train_and_score(con, as_of: dt.date, horizon_days: int) -> ChurnResult:
    """Validate both models, retrain the chosen one on the latest snapshots, score ``as_of``.

    Raises :class:`NotEnoughData` when the history is too short for three time splits, or any
    training or test set lacks customers or one of the two classes.
    """
    clock = _Clock()
    first = con.execute(
        "select min(order_date) from core.fct_order_lines where is_approved"
    ).fetchall()[0][0]
    if first is None:
        raise NotEnoughData("no approved orders in the warehouse")
    folds, production_dates = plan_folds(as_of, first, horizon_days)
    if len(folds) < 3:
        raise NotEnoughData(
            f"{len(folds)} time-split cutoffs fit between {first} and {as_of} with a"
            f" {horizon_days}-day horizon; three are needed (about a year and a half of orders)"
        )
    current = current_buyers(con, as_of)
    cache: dict = {}
    # every snapshot the folds and the production fit need, in one pass over the facts
    needed = {d for fold in folds for d in (fold.test_date, *fold.train_dates)}
    prefetch_snapshots(con, needed | set(production_dates), horizon_days, cache)
    clock.lap("features")
    validation = validate(con, folds, horizon_days, cache)
    clock.lap("validation")
    train = stack_snapshots(con, production_dates, horizon_days, cache)
    check_trainable(train, "production training set")
    model = fit_production(validation.chosen, train)
    clock.lap("production_fit")
    scores = score_customers(model, validation.chosen, current, as_of, horizon_days)
    clock.lap("scoring_and_reasons")
    return ChurnResult(scores, validation, model, production_dates, current, clock.steps)


def current_buyers(con, as_of: dt.date) -> pl.DataFrame:
    """Features of the active buyers on ``as_of``; :class:`NotEnoughData` when too few."""
    current = customer_features(con, as_of)
    if current.height < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"{current.height} active buyers on {as_of}, at least {MIN_CUSTOMERS} are needed"
        )
    return current


def score_customers(
    model, chosen: str, current: pl.DataFrame, as_of: dt.date, horizon_days: int
) -> pl.DataFrame:
    """Probability, risk band and reasons of every customer of ``current`` by a fitted model
    (trained in this run or stored by an earlier one)."""
    from models_ml.churn_reasons import explain

    probability = predict(model, current)
    reasons = explain(model, current, probability)
    scores = current.select(
        "customer_key", "owner_user_id", "last_order_date", "last_followup_date"
    ).with_columns(
        pl.lit(as_of).alias("as_of_date"),
        pl.lit(MODEL_VERSION).alias("model_version"),
        pl.lit(chosen).alias("model"),
        pl.lit(horizon_days).alias("horizon_days"),
        pl.Series("churn_probability", probability),
    )
    return pl.concat([scores, reasons], how="horizontal").with_columns(
        risk_band(pl.col("churn_probability")).alias("risk_band")
    )
