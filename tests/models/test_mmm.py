"""Adstock, Hill and the marketing-mix model on synthetic weeks with known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from models_ml.mmm import (
    MMMData,
    Transform,
    bootstrap_betas,
    channel_response,
    fit_mmm,
    geometric_adstock,
    hill,
    optimise_budget,
    weekly_response,
)


def test_geometric_adstock_carries_a_share_forward() -> None:
    # 100, then 0.5 * 100 = 50, then 10 + 25 = 35, then 17.5
    assert geometric_adstock(np.array([100.0, 0.0, 10.0, 0.0]), 0.5) == pytest.approx(
        [100.0, 50.0, 35.0, 17.5]
    )
    assert geometric_adstock(np.array([3.0, 4.0]), 0.0) == pytest.approx([3.0, 4.0])
    with pytest.raises(ValueError, match="decay"):
        geometric_adstock(np.ones(3), 1.0)


def test_hill_is_half_at_k_and_saturates() -> None:
    # (A/K)^s / (1 + (A/K)^s): A=K -> 1/2; A=2K, s=2 -> 4/5; A=0 -> 0
    assert hill(np.array([10.0, 20.0, 0.0]), 10.0, 2.0) == pytest.approx([0.5, 0.8, 0.0])
    assert hill(np.array([30.0]), 10.0, 1.0) == pytest.approx([0.75])


def _synthetic(seed: int, n_weeks: int = 156):
    """Three channels with known adstock/Hill and coefficients; each channel's own outcome
    (its labelled leads) is Poisson around a small baseline plus its true response."""
    rng = np.random.default_rng(seed)
    n_days = n_weeks * 7
    week = np.arange(n_days) // 7
    truth = [Transform(0.3, 900.0, 1.0), Transform(0.55, 2500.0, 1.5), Transform(0.7, 4000.0, 1.2)]
    budgets = np.array([600.0, 1100.0, 900.0])
    beta = np.array([24.0, 16.0, 20.0])
    flights = np.repeat(rng.lognormal(0.0, 0.5, (3, n_days // 30 + 2)), 30, axis=1)[:, :n_days]
    paused = np.repeat(rng.random((3, n_weeks + 1)) < 0.08, 7, axis=1)[:, :n_days]
    spend = budgets[:, None] * flights * rng.lognormal(0, 0.15, (3, n_days)) * ~paused
    response = np.column_stack(
        [weekly_response(spend[c], week, n_weeks, truth[c]) * beta[c] for c in range(3)]
    )
    outcomes = rng.poisson(3.0 + response).astype(float)
    data = [
        MMMData(outcomes[:, c], spend[c : c + 1], week, (name,))
        for c, name in enumerate(("a", "b", "c"))
    ]
    return data, response.sum(axis=0)


@pytest.mark.parametrize("seed", [7])
def test_mmm_recovers_each_channels_return_within_tolerance(seed: int) -> None:
    data, true_contribution = _synthetic(seed)
    for c, channel_data in enumerate(data):
        fit = fit_mmm(channel_data)
        estimated = float(fit.contributions().sum())
        # ROI = contribution * value / spend with the same value and spend on both sides
        assert estimated == pytest.approx(true_contribution[c], rel=0.15)
        assert fit.test_error < 0.2
        betas = bootstrap_betas(fit, channel_data.outcome, 50, np.random.default_rng(1))
        totals = betas[:, 0] * fit.features[:, 0].sum()
        low, high = np.percentile(totals, [5, 95])
        assert low < estimated < high
        assert high - low < 0.3 * estimated


def test_mmm_refuses_too_few_weeks() -> None:
    data, _ = _synthetic(3, n_weeks=30)
    with pytest.raises(ValueError, match="30 weeks of spend and outcome; the MMM needs at least"):
        fit_mmm(data[0])


def test_budget_moves_spend_to_the_higher_marginal_return_within_bounds() -> None:
    multipliers = np.linspace(0.5, 1.5, 101)
    # channel 0 is linear (constant marginal return 2), channel 1 saturated (marginal 0.5)
    curves = [(multipliers, 2.0 * 100 * multipliers), (multipliers, 100 * np.sqrt(multipliers))]
    plan = optimise_budget(curves, np.array([100.0, 100.0]))
    assert plan == pytest.approx([1.3, 0.7], abs=1e-4)
    data = _synthetic(5)[0][0]
    fit = fit_mmm(data)
    grid = np.array([0.0, 1.0, 2.0])
    response = channel_response(fit, data, 0, grid)
    assert response[0] == 0.0 and response[1] == pytest.approx(fit.features[:, 0].sum())
    assert response[2] > response[1]
