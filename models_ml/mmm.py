"""Marketing-mix model: adstocked, saturated spend against a weekly outcome, fitted by sklearn.

The response the model assumes for channel c on day t is the one marketing follows
(simulator/marketing.py, docs/SAMPLE_DATA.md)::

    A_t = spend_t + decay * A_{t-1}                   geometric adstock, daily
    response_t = A_t^s / (A_t^s + K^s)                Hill saturation
    outcome_week = intercept + trend + seasonality + sum_c beta_c * sum_{t in week} response_c,t

The transforms run on daily spend and are summed per week (a lumpy trade show saturates on its
day, not on its week's total). ``beta`` is fitted by
``LinearRegression(positive=True, fit_intercept=False)``: every channel adds, never subtracts,
and so does the baseline (a column of ones: with a free intercept, a negative baseline let a
channel explain more than all of its own leads); the trend and seasonality columns enter with
their negated copies, so they may take either sign. ``decay``, ``K`` and ``s`` are searched
channel by channel (coordinate descent over a grid) on time splits: blocks of consecutive weeks,
each predicted by a fit on the others. The out-of-sample error is measured on the last weeks,
which the search never saw.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize
from scipy.signal import lfilter
from sklearn.linear_model import LinearRegression

DECAYS = (0.0, 0.2, 0.4, 0.55, 0.7, 0.85)
# K as a multiple of the channel's mean adstock on the days it spends
HALF_SATURATIONS = (0.25, 0.5, 1.0, 2.0, 4.0)
SHAPES = (1.0, 1.5, 2.0)
SEARCH_PASSES = 2
CV_FOLDS = 5
# the last weeks are held out of the search and scored once, as the out-of-sample error
TEST_SHARE = 0.15
BLOCK_WEEKS = 4
MIN_WEEKS = 52
BUDGET_BOUND = 0.3


@dataclass(frozen=True)
class Transform:
    """Adstock and Hill parameters of one channel (K in yuan of daily adstock)."""

    decay: float
    half_saturation: float
    shape: float


def geometric_adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """A_t = spend_t + decay * A_{t-1}, A_{-1} = 0."""
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"adstock decay must be in [0, 1), got {decay}")
    return lfilter([1.0], [1.0, -decay], np.asarray(spend, dtype=float))


def hill(adstock: np.ndarray, half_saturation: float, shape: float) -> np.ndarray:
    """A^s / (A^s + K^s): 0 without adstock, 1/2 at K, towards 1 beyond."""
    if half_saturation <= 0 or shape <= 0:
        raise ValueError("Hill half-saturation and shape must be positive")
    ratio = np.power(np.maximum(adstock, 0.0) / half_saturation, shape)
    return ratio / (1.0 + ratio)


def weekly_response(daily_spend: np.ndarray, week: np.ndarray, n_weeks: int, t: Transform):
    """Sum per week of the saturated adstock of one channel's daily spend."""
    daily = hill(geometric_adstock(daily_spend, t.decay), t.half_saturation, t.shape)
    return np.bincount(week, weights=daily, minlength=n_weeks)


def controls(n_weeks: int, weeks_per_year: float = 52.18) -> np.ndarray:
    """A non-negative baseline, then trend and one yearly harmonic, each with its negated copy
    (either sign under the positive fit)."""
    w = np.arange(n_weeks, dtype=float)
    base = np.column_stack(
        [
            w / max(n_weeks - 1, 1),
            np.sin(2 * np.pi * w / weeks_per_year),
            np.cos(2 * np.pi * w / weeks_per_year),
        ]
    )
    return np.hstack([np.ones((n_weeks, 1)), base, -base])


@dataclass(frozen=True)
class MMMData:
    """One weekly outcome and the daily spend of the channels that may drive it."""

    outcome: np.ndarray  # [week]
    spend: np.ndarray  # [channel, day], yuan
    week: np.ndarray  # [day] -> week index
    channels: tuple[str, ...]

    @property
    def n_weeks(self) -> int:
        return len(self.outcome)


@dataclass(frozen=True)
class MMMFit:
    """A fitted model: transforms, coefficients and what it explains."""

    channels: tuple[str, ...]
    transforms: tuple[Transform, ...]
    beta: np.ndarray  # [channel] outcome per unit of weekly response
    model: LinearRegression
    features: np.ndarray  # [week, channel] weekly response
    fitted: np.ndarray  # [week]
    validation_error: float  # blocked cross-validated WAPE of the chosen transforms
    test_error: float  # WAPE on the last weeks, fitted without them

    def contributions(self) -> np.ndarray:
        """Outcome each channel's spend explains, [week, channel]."""
        return self.features * self.beta[None, :]


def _design(data: MMMData, transforms: Sequence[Transform]) -> np.ndarray:
    return np.column_stack(
        [
            weekly_response(data.spend[c], data.week, data.n_weeks, t)
            for c, t in enumerate(transforms)
        ]
    )


def _regression() -> LinearRegression:
    # the baseline is a column of ``controls``, constrained like the channels
    return LinearRegression(positive=True, fit_intercept=False)


def _fit(x: np.ndarray, y: np.ndarray) -> LinearRegression:
    return _regression().fit(np.hstack([x, controls(len(y))[: len(y)]]), y)


def _predict(model: LinearRegression, x: np.ndarray, n_total: int, rows: slice) -> np.ndarray:
    return model.predict(np.hstack([x[rows], controls(n_total)[rows]]))


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |error| / sum |actual|."""
    return float(np.abs(actual - predicted).sum() / max(np.abs(actual).sum(), 1e-12))


def _split_error(x: np.ndarray, y: np.ndarray, fit_end: int, score_end: int) -> float:
    """WAPE on weeks [fit_end, score_end) of a model fitted on the weeks before ``fit_end``."""
    n = len(y)
    model = _regression().fit(np.hstack([x[:fit_end], controls(n)[:fit_end]]), y[:fit_end])
    rows = slice(fit_end, score_end)
    return wape(y[rows], _predict(model, x, n, rows))


def blocked_cv_error(x: np.ndarray, y: np.ndarray, folds: int = CV_FOLDS) -> float:
    """WAPE of every block of consecutive weeks predicted by a model fitted on the other blocks.

    One validation block at the end is too few weeks to tell transforms apart (it overfits the
    search); contiguous blocks keep each block's weeks out of its own fit.
    """
    n = len(y)
    design = np.hstack([x, controls(n)])
    edges = np.linspace(0, n, folds + 1).astype(int)
    error = 0.0
    for start, stop in itertools.pairwise(edges):
        train = np.r_[0:start, stop:n]
        model = _regression().fit(design[train], y[train])
        error += float(np.abs(y[start:stop] - model.predict(design[start:stop])).sum())
    return error / max(float(np.abs(y).sum()), 1e-12)


def _grid(data: MMMData, c: int) -> list[Transform]:
    spending = data.spend[c] > 0
    grid = []
    for decay in DECAYS:
        stock = geometric_adstock(data.spend[c], decay)
        level = float(stock[spending].mean()) if spending.any() else 1.0
        for k in HALF_SATURATIONS:
            for s in SHAPES:
                grid.append(Transform(decay, k * level, s))
    return grid


def fit_mmm(data: MMMData) -> MMMFit:
    """Search every channel's transform by blocked cross-validation, then fit on all weeks.

    The search sees the first ``1 - TEST_SHARE`` of the weeks only; the out-of-sample error is
    the WAPE on the rest, from a model with the chosen transforms fitted without them. Raises
    ``ValueError`` with fewer than ``MIN_WEEKS`` weeks (the caller turns it into a skip).
    """
    n = data.n_weeks
    if n < MIN_WEEKS:
        raise ValueError(f"{n} weeks of spend and outcome; the MMM needs at least {MIN_WEEKS}")
    search_end = round(n * (1 - TEST_SHARE))
    y_search = data.outcome[:search_end]
    grids = [_grid(data, c) for c in range(len(data.channels))]
    columns = [
        [weekly_response(data.spend[c], data.week, n, t) for t in grid]
        for c, grid in enumerate(grids)
    ]
    # start mid-grid, then improve one channel at a time holding the others
    chosen = [len(grid) // 2 for grid in grids]
    best = np.inf
    passes = SEARCH_PASSES if len(grids) > 1 else 1
    for _ in range(passes):
        for c, grid in enumerate(grids):
            for i in range(len(grid)):
                trial = chosen.copy()
                trial[c] = i
                x = np.column_stack([columns[k][trial[k]] for k in range(len(grids))])
                err = blocked_cv_error(x[:search_end], y_search)
                if err < best - 1e-12:
                    best, chosen = err, trial
    x = np.column_stack([columns[k][chosen[k]] for k in range(len(grids))])
    test_error = _split_error(x, data.outcome, search_end, n)
    model = _fit(x, data.outcome)
    n_ch = len(data.channels)
    return MMMFit(
        channels=data.channels,
        transforms=tuple(grids[c][chosen[c]] for c in range(n_ch)),
        beta=model.coef_[:n_ch].copy(),
        model=model,
        features=x,
        fitted=_predict(model, x, n, slice(0, n)),
        validation_error=float(best),
        test_error=test_error,
    )


def bootstrap_betas(
    fit: MMMFit, outcome: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Channel coefficients refitted on moving-block resamples of the residuals, [draw, channel].

    The transforms stay those of the search; blocks of ``BLOCK_WEEKS`` keep the residuals'
    week-to-week correlation.
    """
    n = len(outcome)
    residual = outcome - fit.fitted
    n_blocks = -(-n // BLOCK_WEEKS)
    x_all = np.hstack([fit.features, controls(n)])
    betas = np.empty((draws, len(fit.channels)))
    for b in range(draws):
        starts = rng.integers(0, n - BLOCK_WEEKS + 1, n_blocks)
        idx = (starts[:, None] + np.arange(BLOCK_WEEKS)[None, :]).ravel()[:n]
        y = fit.fitted + residual[idx]
        betas[b] = _regression().fit(x_all, y).coef_[: len(fit.channels)]
    return betas


def channel_response(fit: MMMFit, data: MMMData, c: int, multipliers: np.ndarray) -> np.ndarray:
    """Total weekly response of channel ``c`` (before beta) if all its spend were scaled."""
    t = fit.transforms[c]
    return np.array(
        [weekly_response(m * data.spend[c], data.week, data.n_weeks, t).sum() for m in multipliers]
    )


def optimise_budget(
    curves: Sequence[tuple[np.ndarray, np.ndarray]],
    spend: np.ndarray,
    bound: float = BUDGET_BOUND,
) -> np.ndarray:
    """Spend multipliers maximising the summed response at the same total spend.

    ``curves[c]`` = (multipliers, value at each multiplier), increasing multipliers covering
    [1 - bound, 1 + bound]; each channel stays within ``1 +- bound`` of today's spend and the
    new total equals today's.
    """
    n = len(curves)
    total = float(spend.sum())

    # SLSQP's tolerances are absolute: work in shares of today's value, not in yuan
    scale = max(abs(sum(float(np.interp(1.0, *curves[c])) for c in range(n))), 1e-12)

    def value(m: np.ndarray) -> float:
        return -sum(float(np.interp(m[c], *curves[c])) for c in range(n)) / scale

    constraint = {"type": "eq", "fun": lambda m: float(m @ spend) / total - 1.0}
    bounds = [(1 - bound, 1 + bound)] * n
    best_m, best_v = np.ones(n), value(np.ones(n))
    tilts = [np.clip(1 + bound * (np.eye(n)[c] - 0.3), 1 - bound, 1 + bound) for c in range(n)]
    starts = [np.ones(n), *tilts]
    for start in starts:
        res = minimize(value, start, method="SLSQP", bounds=bounds, constraints=[constraint])
        if res.success and abs(constraint["fun"](res.x)) < 1e-6 and res.fun < best_v:
            best_m, best_v = res.x, res.fun
    return best_m


def with_beta(fit: MMMFit, beta: np.ndarray) -> MMMFit:
    """The same fit with other channel coefficients (a bootstrap draw)."""
    return replace(fit, beta=np.asarray(beta, dtype=float))
