"""Numbers, money and dates the way each language's readers expect them.

English readers group thousands (¥1,234,567); Chinese readers count in 万 (10^4) and 亿 (10^8),
so ¥1,234,567 reads ¥123.46万. Pure functions: the pages and the tests share them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

WAN = 10_000
YI = 100_000_000


def _number(value: float | Decimal | int | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number  # NaN is "no value"


def format_cny(value: float | Decimal | int | None, lang: str) -> str:
    """Yuan with the ¥ sign: thousands-grouped in English, 万/亿 in Chinese; '—' for no value."""
    number = _number(value)
    if number is None:
        return "—"
    sign = "-" if number < 0 else ""
    size = abs(number)
    if lang == "zh":
        if size >= YI:
            return f"{sign}¥{size / YI:,.2f}亿"
        if size >= WAN:
            return f"{sign}¥{size / WAN:,.2f}万"
        return f"{sign}¥{size:,.2f}"
    return f"{sign}¥{size:,.0f}" if size >= 1000 else f"{sign}¥{size:,.2f}"


def format_count(value: float | int | None) -> str:
    """A whole count with grouped thousands."""
    number = _number(value)
    return "—" if number is None else f"{number:,.0f}"


def format_pct(value: float | Decimal | None, digits: int = 1) -> str:
    """A ratio (0.253) as a percentage (25.3%)."""
    number = _number(value)
    return "—" if number is None else f"{number * 100:.{digits}f}%"


def format_days(value: float | None, lang: str) -> str:
    """A duration in days, with the unit of the language."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{number:,.1f} 天" if lang == "zh" else f"{number:,.1f} days"


def format_date(value: dt.date | dt.datetime | None, lang: str) -> str:
    """A day: 2026年3月5日 in Chinese, 5 Mar 2026 in English."""
    if value is None:
        return "—"
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value:%b %Y}"


def format_month(value: dt.date | None, lang: str) -> str:
    """A month: 2026年3月 in Chinese, Mar 2026 in English."""
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月" if lang == "zh" else f"{value:%b %Y}"


def change_ratio(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period; None when there is nothing to compare to."""
    now, before = _number(current), _number(previous)
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)
