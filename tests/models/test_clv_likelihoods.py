"""BG/NBD and Gamma-Gamma against the published CDNOW estimates, their own identities and data
simulated from known parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models_ml import clv_bgnbd as bgnbd
from models_ml import clv_gamma_gamma as gamma_gamma

CDNOW = Path(__file__).parent / "data" / "cdnow" / "cdnow_summary.csv"
# Fader, Hardie and Lee (2005), Marketing Science 24(2) and JMR 42(4)
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PARAMS = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def cdnow() -> pl.DataFrame:
    return pl.read_csv(CDNOW)


def test_cdnow_bgnbd_reproduces_the_published_estimates(cdnow: pl.DataFrame) -> None:
    assert cdnow.height == 2357
    fitted = bgnbd.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]).as_dict()
    for name, published in PUBLISHED_BGNBD.items():
        assert round(fitted[name], 2) == round(published, 2), (name, fitted[name])
        assert abs(fitted[name] - published) < 0.001, (name, fitted[name])
    # the paper's log-likelihood at its estimates: -9582.4
    total = bgnbd.log_likelihood(
        bgnbd.BgNbdParams(**fitted), cdnow["frequency"], cdnow["recency"], cdnow["T"]
    ).sum()
    assert total == pytest.approx(-9582.43, abs=0.01)


def test_cdnow_gamma_gamma_reproduces_the_published_estimates(cdnow: pl.DataFrame) -> None:
    repeat = cdnow.filter(pl.col("frequency") > 0)
    assert repeat.height == 946
    fitted = gamma_gamma.fit(cdnow["frequency"], cdnow["monetary_value"]).as_dict()
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert abs(fitted[name] - published) <= 0.01, (name, fitted[name])
    # a customer without repeats is expected to spend the population mean p * gamma / (q - 1),
    # $35.22 at the published estimates
    params = gamma_gamma.GammaGammaParams(**fitted)
    assert gamma_gamma.expected_spend(params, [0], [0.0])[0] == pytest.approx(35.22, abs=0.06)


def test_cdnow_fit_counts_match_the_repeat_purchase_histogram(cdnow: pl.DataFrame) -> None:
    # the paper's figure 2: customers with 0..6 repeat purchases, actual vs model
    counts = cdnow["frequency"].value_counts().sort("frequency")
    actual = dict(zip(counts["frequency"].to_list(), counts["count"].to_list(), strict=True))
    for count in range(7):
        expected = bgnbd.probability_of_count(PARAMS, count, cdnow["T"].to_numpy()).sum()
        assert abs(expected - actual[count]) <= max(0.12 * actual[count], 8), count


def test_count_distribution_sums_to_one_and_its_mean_is_the_expected_purchases() -> None:
    # two formulas of the paper (equations 7 and 8) derived separately must agree
    t = np.array([5.0, 39.0, 78.0])
    probabilities = np.array([bgnbd.probability_of_count(PARAMS, k, t) for k in range(150)])
    assert probabilities.sum(axis=0) == pytest.approx([1, 1, 1], abs=1e-6)
    mean = (np.arange(150)[:, None] * probabilities).sum(axis=0)
    assert mean == pytest.approx(bgnbd.expected_purchases_new(PARAMS, t), rel=1e-4)


def test_a_customer_seen_for_no_time_is_a_new_customer() -> None:
    # conditional expectation at x = t_x = T = 0 reduces to E[X(t)] of a new customer
    conditional = bgnbd.expected_purchases(PARAMS, 39.0, [0], [0.0], [0.0])
    assert conditional[0] == pytest.approx(bgnbd.expected_purchases_new(PARAMS, 39.0), rel=1e-9)


def test_p_alive_falls_with_silence_and_is_one_without_repeats() -> None:
    x = np.array([0, 5, 5, 5, 300])
    t_x = np.array([0.0, 30.0, 10.0, 1.0, 99.0])
    T = np.array([40.0, 40.0, 40.0, 40.0, 100.0])
    alive = bgnbd.p_alive(PARAMS, x, t_x, T)
    assert alive[0] == 1.0
    assert 1 > alive[1] > alive[2] > alive[3] > 0
    assert 0.95 < alive[4] <= 1  # hundreds of orders, the last one recent: no overflow
    expected = bgnbd.expected_purchases(PARAMS, 52.0, x, t_x, T)
    assert np.all(np.isfinite(expected))
    assert expected[1] > expected[2] > expected[3]
    assert expected[4] > 100  # a 3-per-week buyer keeps buying


def test_bgnbd_recovers_the_parameters_it_simulated() -> None:
    rng = np.random.default_rng(7)
    truth = bgnbd.BgNbdParams(r=2.0, alpha=10.0, a=1.5, b=6.0)
    customers, T = 6000, 104.0
    rate = rng.gamma(truth.r, 1 / truth.alpha, customers)
    dropout = rng.beta(truth.a, truth.b, customers)
    x = np.zeros(customers)
    t_x = np.zeros(customers)
    for i in range(customers):
        now = 0.0
        while True:
            now += rng.exponential(1 / rate[i])
            if now > T:
                break
            x[i] += 1
            t_x[i] = now
            if rng.random() < dropout[i]:
                break
    fitted = bgnbd.fit(x, t_x, np.full(customers, T))
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.2)
    assert fitted.a == pytest.approx(truth.a, rel=0.3)
    assert fitted.b == pytest.approx(truth.b, rel=0.3)


def test_gamma_gamma_recovers_the_parameters_it_simulated() -> None:
    rng = np.random.default_rng(11)
    truth = gamma_gamma.GammaGammaParams(p=4.0, q=5.0, gamma=2000.0)
    customers = 5000
    x = rng.integers(1, 20, customers)
    nu = rng.gamma(truth.q, 1 / truth.gamma, customers)
    m = np.array([rng.gamma(truth.p, 1 / v, n).mean() for v, n in zip(nu, x, strict=True)])
    fitted = gamma_gamma.fit(x, m)
    assert fitted.p == pytest.approx(truth.p, rel=0.1)
    assert fitted.q == pytest.approx(truth.q, rel=0.15)
    assert fitted.gamma == pytest.approx(truth.gamma, rel=0.2)
    spend = gamma_gamma.expected_spend(fitted, [0, 1, 1000], [0.0, 1e6, 500.0])
    assert spend[0] == pytest.approx(fitted.p * fitted.gamma / (fitted.q - 1))
    assert spend[0] < spend[1]  # one huge order pulls the estimate up, but only part way
    assert spend[1] < 1e6
    assert spend[2] == pytest.approx(500.0, rel=0.01)  # many orders: the customer's own mean
