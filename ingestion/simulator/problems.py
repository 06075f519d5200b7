"""Flags that mark a row as carrying a planted problem (read by the extract writer)."""

from __future__ import annotations

import numpy as np
import polars as pl


def flag(mask: np.ndarray, value: str) -> pl.Series:
    """A String series: ``value`` where ``mask`` is true, null elsewhere."""
    return pl.Series(np.where(mask, value, "")).replace("", None)


def flag_values(mask: np.ndarray, values: np.ndarray) -> pl.Series:
    """A String series: ``values`` where ``mask`` is true, null elsewhere."""
    return pl.Series(np.where(mask, np.asarray(values).astype(str), "")).replace("", None)
