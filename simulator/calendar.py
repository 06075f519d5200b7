"""Day arithmetic on int32 day numbers (days since 1970-01-01), vectorised."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

EPOCH = dt.date(1970, 1, 1)


def to_day(d: dt.date) -> int:
    """Day number of a date."""
    return (d - EPOCH).days


def to_date(day: int) -> dt.date:
    """Date of a day number."""
    return EPOCH + dt.timedelta(days=int(day))


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def next_business_day(days: np.ndarray, strictly_after: bool) -> np.ndarray:
    """The first Mon-Fri day on or (when ``strictly_after``) after each day."""
    d = days + (1 if strictly_after else 0)
    wd = weekday(d)
    return d + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))


def to_business_day(days: np.ndarray) -> np.ndarray:
    """Move weekend days to the Friday before (offices book on working days)."""
    wd = weekday(days)
    return days - np.where(wd == 5, 1, np.where(wd == 6, 2, 0))


def month_starts(start: dt.date, end: dt.date) -> np.ndarray:
    """Day numbers of the first day of every month touching [start, end], plus the month after."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(to_day(dt.date(y, m, 1)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out.append(to_day(dt.date(y, m, 1)))
    return np.array(out, dtype=np.int64)


def date_strings(days: np.ndarray) -> pl.Series:
    """``YYYY-MM-DD`` strings of day numbers."""
    # Millions of rows share a few thousand days: format each day once, then gather.
    uniq, inverse = np.unique(np.asarray(days, dtype=np.int64), return_inverse=True)
    text = pl.Series(uniq.astype(np.int32)).cast(pl.Date).dt.strftime("%Y-%m-%d")
    return text.gather(inverse.astype(np.int64))


def date_series(days: np.ndarray) -> pl.Series:
    """A polars Date series of day numbers (used for daily-drop assignment)."""
    return pl.Series(np.asarray(days).astype(np.int32)).cast(pl.Date)


_CLOCK: pl.Series | None = None


def _clock() -> pl.Series:
    """``HH:MM:SS`` for every second of a day (built once)."""
    global _CLOCK
    if _CLOCK is None:
        sec = np.arange(86400)
        _CLOCK = pl.Series(
            [
                f"{h:02d}:{m:02d}:{x:02d}"
                for h, m, x in zip(sec // 3600, sec // 60 % 60, sec % 60, strict=True)
            ]
        )
    return _CLOCK


def datetime_strings(seconds: np.ndarray) -> pl.Series:
    """``YYYY-MM-DD HH:MM:SS`` strings of epoch seconds."""
    sec = np.asarray(seconds, dtype=np.int64)
    day = date_strings(sec // 86400)
    clock = _clock().gather(sec % 86400)
    return pl.select(pl.concat_str([day, pl.lit(" "), clock])).to_series()
