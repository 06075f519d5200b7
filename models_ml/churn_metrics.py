"""How good a churn probability is: discrimination, calibration and lift (pure functions).

- ROC-AUC and PR-AUC (average precision) say how well the scores rank churners first;
- the Brier score and the expected calibration error (ECE) say whether "30%" means 30%;
- top-decile lift says how much richer in churners the tenth an account manager calls first is
  than the whole book;
- the reliability curve is the mean predicted against the observed churn rate per score bin.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

RELIABILITY_BINS = 10


def _arrays(y_true, y_prob) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"labels {y.shape} and probabilities {p.shape} must be 1-d and equal")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("probabilities must lie in [0, 1]")
    return y, p


def reliability_curve(y_true, y_prob, bins: int = RELIABILITY_BINS) -> pl.DataFrame:
    """Equal-width bins of the predicted probability: customers, mean predicted, observed rate.

    Empty bins are left out; the last bin includes a probability of exactly 1.
    """
    y, p = _arrays(y_true, y_prob)
    index = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            rows.append(
                (b, b / bins, (b + 1) / bins, int(mask.sum()), p[mask].mean(), y[mask].mean())
            )
    return pl.DataFrame(
        rows,
        schema={
            "bin": pl.Int32,
            "bin_lower": pl.Float64,
            "bin_upper": pl.Float64,
            "customers": pl.Int64,
            "mean_predicted": pl.Float64,
            "observed_rate": pl.Float64,
        },
        orient="row",
    )


def expected_calibration_error(y_true, y_prob, bins: int = RELIABILITY_BINS) -> float:
    """Customer-weighted mean gap between predicted and observed churn over the bins."""
    curve = reliability_curve(y_true, y_prob, bins)
    gaps = (curve["mean_predicted"] - curve["observed_rate"]).abs() * curve["customers"]
    return float(gaps.sum() / curve["customers"].sum())


def top_decile_lift(y_true, y_prob) -> float:
    """Churn rate among the tenth with the highest scores divided by the overall rate.

    Ties at the boundary are broken by position after a stable sort, so the decile holds
    exactly ceil(n / 10) customers.
    """
    y, p = _arrays(y_true, y_prob)
    if y.mean() == 0:
        raise ValueError("lift is undefined when nobody churned")
    top = np.argsort(-p, kind="stable")[: max(1, int(np.ceil(len(p) / 10)))]
    return float(y[top].mean() / y.mean())


def classification_metrics(y_true, y_prob) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier, ECE, top-decile lift, churn rate and customers of one test set."""
    y, p = _arrays(y_true, y_prob)
    if len(np.unique(y)) < 2:
        raise ValueError("metrics need both churners and stayers in the test set")
    return {
        "customers": float(len(y)),
        "churn_rate": float(y.mean()),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "top_decile_lift": top_decile_lift(y, p),
    }
