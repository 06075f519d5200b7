"""Churn metrics on small hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from models_ml.churn_metrics import (
    classification_metrics,
    expected_calibration_error,
    reliability_curve,
    top_decile_lift,
)


def test_reliability_curve_bins_predictions_and_observed_rates():
    y = [0, 0, 1, 1, 1, 0]
    p = [0.05, 0.08, 0.95, 1.0, 0.55, 0.52]
    curve = reliability_curve(y, p)
    assert curve["bin"].to_list() == [0, 5, 9]
    assert curve["customers"].to_list() == [2, 2, 2]
    assert curve["mean_predicted"].to_list() == pytest.approx([0.065, 0.535, 0.975])
    assert curve["observed_rate"].to_list() == pytest.approx([0.0, 0.5, 1.0])


def test_ece_is_the_customer_weighted_gap():
    y = [0, 0, 1, 1, 1, 0]
    p = [0.05, 0.08, 0.95, 1.0, 0.55, 0.52]
    # gaps 0.065, 0.035, 0.025, two customers each
    assert expected_calibration_error(y, p) == pytest.approx((0.065 + 0.035 + 0.025) / 3)
    # a perfectly calibrated score: every bin's mean equals its rate
    assert expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0)


def test_top_decile_lift():
    y = np.array([1] * 2 + [0] * 18)  # 10% churn
    p = np.linspace(1, 0, 20)  # the two churners score highest
    assert top_decile_lift(y, p) == pytest.approx(10.0)
    assert top_decile_lift(y, p[::-1]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="nobody churned"):
        top_decile_lift(np.zeros(5), np.ones(5) / 2)


def test_classification_metrics_of_a_perfect_ranking():
    metrics = classification_metrics([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert metrics["roc_auc"] == 1.0 and metrics["pr_auc"] == 1.0
    assert metrics["brier"] == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4)
    assert metrics["churn_rate"] == 0.5 and metrics["customers"] == 4


def test_metrics_refuse_a_single_class_and_bad_probabilities():
    with pytest.raises(ValueError, match="both churners and stayers"):
        classification_metrics([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        classification_metrics([0, 1], [0.2, 1.3])
