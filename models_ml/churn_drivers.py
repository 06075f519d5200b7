"""Which churn driver an account manager can act on stands out for a customer, and how much.

The gradient-boosted model gives the probability, but its trees spend their splits on the order
history (the label is made of it) and learn the actionable drivers only faintly: a customer who
files tickets also orders more, so trees read tickets as a sign of life, and a small lift on a
low-risk customer never adds the percentage point a reason needs. So the drivers are read from
a second, interpretable model fitted on the same snapshots and labels: a logistic regression on
every standardised numeric feature. Holding the order history, recency and tenure in the same
regression, each driver feature's coefficient is its effect on a customer of like activity
(the peer baseline a ticket count needs), in log-odds, the same for a low-risk customer as for
a high-risk one.

A driver's term for a customer is the sum over its features of weight x (customer's value -
the typical active buyer's, the median): how much the driver multiplies the customer's odds of
churning over a typical buyer's. Payment delay and overdue invoices are one driver, payment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from models_ml.features import NUMERIC_FEATURES

# a driver is a reason when it raises the customer's odds of churning by at least 13% over the
# typical active buyer's (log 1.13 = 0.12). On the medium sample (2026-12-05): at 0.10 a single
# ticket in 90 days passed and tickets were named for 4,013 customers with a precision of 0.29;
# from 0.11 to 0.12 one ticket stays under it and the precision is 0.83 (docs/BENCHMARKS.md).
DRIVER_MIN_LOG_ODDS = 0.12


@dataclass(frozen=True)
class DriverWeights:
    """Log-odds of churn per unit of each driver feature, activity held fixed."""

    weights: dict[str, float]

    def group_terms(self, frame: pl.DataFrame, groups) -> np.ndarray:
        """Per customer and reason group, the log-odds its features add over the typical
        active buyer of ``frame`` (the median); 0 for a group without weights."""
        terms = np.zeros((frame.height, len(groups)))
        for k, group in enumerate(groups):
            for name in group.features:
                weight = self.weights.get(name)
                if weight is None:
                    continue
                values = frame[name].cast(pl.Float64).fill_null(0.0).to_numpy()
                terms[:, k] += weight * (values - float(np.median(values)))
        return terms


def fit_driver_weights(train: pl.DataFrame, features: tuple[str, ...]) -> DriverWeights:
    """Fit the interpretable driver model on labelled snapshots; keep the weights of ``features``.

    Every numeric feature enters the regression (standardised, so the penalty treats them
    alike); only the driver features' weights are kept, turned back into per-unit log-odds.
    """
    matrix = train.select(NUMERIC_FEATURES).cast(pl.Float64).fill_null(0.0).to_numpy()
    scaler = StandardScaler().fit(matrix)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(scaler.transform(matrix), train["churned"].to_numpy())
    # a constant feature has scale 1 in StandardScaler, so the division is safe
    per_unit = model.coef_[0] / scaler.scale_
    pairs = zip(NUMERIC_FEATURES, per_unit, strict=True)
    return DriverWeights({name: float(w) for name, w in pairs if name in features})
