"""Growth exponents: how a stage's time and memory grow with the size of the data."""

from __future__ import annotations

import math
from collections.abc import Sequence


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """Least-squares slope of log(value) on log(size): ``value ~ size ** exponent``.

    1 means linear growth, below 1 a fixed cost that larger data amortises, above 1
    super-linear work. None with fewer than two distinct positive sizes.
    """
    points = [
        (math.log(size), math.log(value))
        for size, value in zip(sizes, values, strict=True)
        if size > 0 and value > 0
    ]
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return round(covariance / variance, 3)
