"""Multi-touch attribution: rule-based weights, the exact Markov removal effect and Shapley values.

Everything here is pure: inputs are plain Python values, so the functions can be checked on a
hand-worked example or on published journey data in the common public format, one row per
distinct path::

    PathRow(path="baidu > tencent", conversions=3, value=1200.0, non_conversions=10)

- ``touch_weights`` gives each touch of one converted journey its share of the conversion under
  first-touch, last-touch, linear, time-decay and position-based (40/20/40) rules.
- ``markov_attribution`` builds the first-order Markov chain of the paths (states: start, the
  channels, conversion, null), computes the conversion probability exactly as the absorption
  probability of an absorbing chain (a linear solve, no simulation), and shares conversions and
  value by each channel's removal effect.
- ``shapley_attribution`` treats channels as players of a cooperative game whose worth v(S) is
  the conversions (or value) of the journeys that only touched channels in S, and gives every
  channel its exact Shapley value by enumerating all coalitions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

HEURISTIC_MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
# Time-decay: a touch loses half its credit per this many days before the conversion.
TIME_DECAY_HALF_LIFE_DAYS = 7.0
# Exact Shapley enumerates 2^n coalitions; beyond this many channels it is not attempted.
MAX_SHAPLEY_CHANNELS = 14
PATH_SEPARATOR = ">"


@dataclass(frozen=True)
class PathRow:
    """All journeys that followed one channel path: how many converted, their value, the rest."""

    path: str
    conversions: float
    value: float
    non_conversions: float


@dataclass(frozen=True)
class ChannelCredit:
    """What one attribution model gives one channel."""

    channel: str
    conversions: float
    value: float


def split_path(path: str) -> list[str]:
    """``"a > b > c"`` as ``["a", "b", "c"]`` (blank steps dropped)."""
    return [step.strip() for step in path.split(PATH_SEPARATOR) if step.strip()]


def touch_weights(
    model: str,
    n_touches: int,
    days_before_conversion: Sequence[float] | None = None,
    half_life_days: float = TIME_DECAY_HALF_LIFE_DAYS,
) -> list[float]:
    """Each touch's share (summing to 1) of one conversion, touches in time order.

    ``days_before_conversion`` is needed by ``time_decay`` only: a touch ``d`` days before the
    conversion weighs ``2 ** (-d / half_life_days)`` before normalising.
    """
    if n_touches < 1:
        raise ValueError("a converted journey needs at least one touch")
    if model == "first_touch":
        return [1.0] + [0.0] * (n_touches - 1)
    if model == "last_touch":
        return [0.0] * (n_touches - 1) + [1.0]
    if model == "linear":
        return [1.0 / n_touches] * n_touches
    if model == "position_based":
        if n_touches == 1:
            return [1.0]
        if n_touches == 2:
            return [0.5, 0.5]
        middle = 0.2 / (n_touches - 2)
        return [0.4] + [middle] * (n_touches - 2) + [0.4]
    if model == "time_decay":
        if days_before_conversion is None or len(days_before_conversion) != n_touches:
            raise ValueError("time_decay needs the days before conversion of every touch")
        raw = [2.0 ** (-max(float(d), 0.0) / half_life_days) for d in days_before_conversion]
        total = sum(raw)
        return [w / total for w in raw]
    raise ValueError(f"unknown attribution model {model!r}; use one of {HEURISTIC_MODELS}")


def _channels(rows: Iterable[PathRow]) -> list[str]:
    return sorted({step for row in rows for step in split_path(row.path)})


def _conversion_probability(
    transitions: np.ndarray, n_channels: int, removed: int | None = None
) -> float:
    """P(start reaches conversion) of the chain with counts ``transitions``.

    States: 0 = start, 1..n = channels, n+1 = conversion, n+2 = null. A removed channel sends
    everything that reaches it to null. Absorption probabilities b of the transient states solve
    (I - Q) b = r, with Q the transient-to-transient and r the transient-to-conversion
    probabilities.
    """
    counts = transitions.astype(float).copy()
    conversion, null = n_channels + 1, n_channels + 2
    if removed is not None:
        counts[:, null] += counts[:, removed]
        counts[:, removed] = 0.0
        counts[removed, :] = 0.0
    n_transient = n_channels + 1
    out = counts[:n_transient].sum(axis=1, keepdims=True)
    # a state nobody leaves (a removed channel) keeps an all-zero row: (I - Q) stays regular
    leaving = counts[:n_transient]
    probs = np.divide(leaving, out, out=np.zeros_like(leaving), where=out > 0)
    q = probs[:, :n_transient]
    r = probs[:, conversion]
    absorbed = np.linalg.solve(np.eye(n_transient) - q, r)
    return float(absorbed[0])


def markov_transitions(rows: Sequence[PathRow]) -> tuple[list[str], np.ndarray]:
    """The channels and the transition counts of the first-order chain of ``rows``."""
    channels = _channels(rows)
    index = {name: i + 1 for i, name in enumerate(channels)}
    n = len(channels)
    counts = np.zeros((n + 3, n + 3))
    for row in rows:
        steps = [index[s] for s in split_path(row.path)]
        journeys = row.conversions + row.non_conversions
        if not steps or journeys <= 0:
            continue
        for a, b in zip([0, *steps[:-1]], steps, strict=True):
            counts[a, b] += journeys
        counts[steps[-1], n + 1] += row.conversions
        counts[steps[-1], n + 2] += row.non_conversions
    return channels, counts


def markov_attribution(rows: Sequence[PathRow]) -> list[ChannelCredit]:
    """Conversions and value shared by each channel's removal effect in the first-order chain.

    Removal effect of c = 1 - P(conversion without c) / P(conversion); the total conversions and
    value of ``rows`` are split in proportion to the removal effects.
    """
    channels, counts = markov_transitions(rows)
    total_conv = sum(r.conversions for r in rows)
    total_value = sum(r.value for r in rows)
    base = _conversion_probability(counts, len(channels)) if channels else 0.0
    if base <= 0:
        return [ChannelCredit(c, 0.0, 0.0) for c in channels]
    effects = [
        1.0 - _conversion_probability(counts, len(channels), removed=i + 1) / base
        for i in range(len(channels))
    ]
    total_effect = sum(effects)
    return [
        ChannelCredit(c, total_conv * e / total_effect, total_value * e / total_effect)
        for c, e in zip(channels, effects, strict=True)
    ]


def removal_effects(rows: Sequence[PathRow]) -> dict[str, float]:
    """Each channel's removal effect 1 - P(conv | c removed) / P(conv) (0 when nothing converts)."""
    channels, counts = markov_transitions(rows)
    base = _conversion_probability(counts, len(channels)) if channels else 0.0
    if base <= 0:
        return dict.fromkeys(channels, 0.0)
    return {
        c: 1.0 - _conversion_probability(counts, len(channels), removed=i + 1) / base
        for i, c in enumerate(channels)
    }


def shapley_attribution(rows: Sequence[PathRow]) -> list[ChannelCredit]:
    """Exact Shapley values of conversions and value, v(S) = journeys whose channels are in S.

    Raises ``ValueError`` beyond ``MAX_SHAPLEY_CHANNELS`` channels (2^n coalitions).
    """
    channels = _channels(rows)
    n = len(channels)
    if n > MAX_SHAPLEY_CHANNELS:
        raise ValueError(f"{n} channels: exact Shapley values stop at {MAX_SHAPLEY_CHANNELS}")
    bit = {c: 1 << i for i, c in enumerate(channels)}
    # conversions and value of the journeys whose set of channels is exactly the mask
    exact_conv = np.zeros(1 << n)
    exact_value = np.zeros(1 << n)
    for row in rows:
        mask = 0
        for step in split_path(row.path):
            mask |= bit[step]
        exact_conv[mask] += row.conversions
        exact_value[mask] += row.value
    # v(S) = sum over subsets T of S of the exact amounts (a subset-sum transform)
    worth_conv, worth_value = exact_conv.copy(), exact_value.copy()
    for i in range(n):
        for mask in range(1 << n):
            if mask & (1 << i):
                worth_conv[mask] += worth_conv[mask ^ (1 << i)]
                worth_value[mask] += worth_value[mask ^ (1 << i)]
    weights = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)]
    credits = []
    for i, channel in enumerate(channels):
        conv = value = 0.0
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for subset in itertools.combinations(others, size):
                mask = sum(1 << j for j in subset)
                conv += weights[size] * (worth_conv[mask | (1 << i)] - worth_conv[mask])
                value += weights[size] * (worth_value[mask | (1 << i)] - worth_value[mask])
        credits.append(ChannelCredit(channel, conv, value))
    return credits
