"""Gamma-Gamma: how much a customer spends per transaction.

Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis",
Journal of Marketing Research 42(4), after Colombo and Jiang (1999). Transaction values of a
customer are Gamma(p, nu) around the customer's own mean p/nu, and nu varies across customers as
Gamma(q, gamma). Fitted on the customers with at least one repeat purchase, from ``x`` (repeat
transactions) and ``m`` (their mean value); spend and purchase frequency are assumed
independent (the model card reports their correlation on the data).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special

from models_ml.clv_bgnbd import POLISH, TIGHT_LBFGSB

Array = np.ndarray


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters: per-transaction shape p, population Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def log_likelihood(params: GammaGammaParams, x, m) -> Array:
    """Per-customer log-likelihood of the mean ``m`` of ``x`` transactions (x >= 1, m > 0)."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    p, q, g = params.p, params.q, params.gamma
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(g + m * x)
    )


def _usable(x, m) -> tuple[Array, Array]:
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    return x[keep], m[keep]


def fit(x, m) -> GammaGammaParams:
    """Maximum-likelihood parameters from the repeat customers' (x, m); others are ignored.

    Values are rescaled to a mean of one while fitting (gamma scales with the currency, p and q
    do not), so yuan and dollar amounts converge alike.
    """
    x, m = _usable(x, m)
    if x.size < 2:
        raise ValueError("Gamma-Gamma needs at least two customers with a repeat purchase")
    scale = float(np.mean(m))
    scaled = m / scale

    def negative(log_params: Array) -> float:
        value = -float(np.sum(log_likelihood(GammaGammaParams(*np.exp(log_params)), x, scaled)))
        return value if np.isfinite(value) else 1e300

    best = optimize.minimize(
        negative, np.zeros(3), method="L-BFGS-B", bounds=[(-12, 12)] * 3, options=TIGHT_LBFGSB
    )
    if not best.success:
        polish = optimize.minimize(negative, best.x, method="Nelder-Mead", options=POLISH)
        best = polish if polish.fun <= best.fun else best
    p, q, g = (float(v) for v in np.exp(best.x))
    return GammaGammaParams(p, q, g * scale)


def expected_spend(params: GammaGammaParams, x, m) -> Array:
    """Expected value of a future transaction of each customer (paper, equation 5).

    A weighted mean of the population mean and the customer's own mean, the weight on their own
    growing with ``x``; customers without a repeat purchase (x = 0) get the population mean.
    Needs q > 1 (otherwise the population mean is infinite).
    """
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float), nan=0.0)
    p, q, g = params.p, params.q, params.gamma
    if q <= 1:
        raise ValueError(f"Gamma-Gamma q = {q:.3f} <= 1: the mean spend is not finite")
    population = p * g / (q - 1)
    own_weight = p * x / (p * x + q - 1)
    return (1 - own_weight) * population + own_weight * np.where(x > 0, m, 0.0)
