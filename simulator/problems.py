"""Flags that mark a row as carrying a planted problem (read by the extract writer)."""

from __future__ import annotations

import numpy as np
import polars as pl


def flag(mask: np.ndarray, value: str) -> pl.Series:
    """A String series: ``value`` where ``mask`` is true, null elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    out = pl.repeat(None, len(mask), eager=True, dtype=pl.String)
    idx = np.flatnonzero(mask)
    return out.scatter(idx, value) if len(idx) else out


def flag_values(mask: np.ndarray, values: np.ndarray) -> pl.Series:
    """A String series: ``values`` where ``mask`` is true, null elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    out = pl.repeat(None, len(mask), eager=True, dtype=pl.String)
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return out
    return out.scatter(idx, pl.Series(np.asarray(values)[idx].astype(str).tolist()))
