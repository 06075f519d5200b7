"""Building large string columns in polars without materialising numpy string arrays.

Converting numpy unicode arrays to polars is slow; gathering from a small polars Series of
distinct values (codes, names, labels) is fast and keeps memory low.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from simulator.calendar import date_series


def take(values: pl.Series | Sequence[str] | np.ndarray, idx: np.ndarray) -> pl.Series:
    """``values[idx]`` as a polars String series."""
    s = values if isinstance(values, pl.Series) else pl.Series(list(values), dtype=pl.String)
    return s.gather(np.asarray(idx, dtype=np.int64))


def const(value: str, n: int) -> pl.Series:
    """``n`` copies of ``value``."""
    return pl.repeat(value, n, eager=True, dtype=pl.String)


def pick(mask: np.ndarray, if_true: str, if_false: str) -> pl.Series:
    """``if_true`` where ``mask`` else ``if_false``."""
    return take([if_false, if_true], np.asarray(mask).astype(np.int64))


def doc_numbers(prefix: str, days: np.ndarray, seq: np.ndarray, width: int) -> pl.Series:
    """Document numbers like SO20250301 + zero-padded sequence."""
    return (
        pl.DataFrame({"d": date_series(days), "s": np.asarray(seq, dtype=np.int64)})
        .select(
            pl.concat_str(
                [
                    pl.lit(prefix),
                    pl.col("d").dt.strftime("%Y%m%d"),
                    pl.col("s").cast(pl.String).str.zfill(width),
                ]
            )
        )
        .to_series()
    )


def numbers(prefix: str, seq: np.ndarray, width: int) -> pl.Series:
    """Numbers like 2644 + zero-padded sequence."""
    s = pl.Series(np.asarray(seq, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str([pl.lit(prefix), s])).to_series()
