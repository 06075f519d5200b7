"""The revenue trend skips, with a reason, when no month before the as-of date has revenue."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from models_ml.model_runs import NotEnoughData
from models_ml.revenue_trend import fit_revenue_trend


def test_no_revenue_before_the_as_of_date_is_not_enough_data() -> None:
    # a customers-only extract: the monthly revenue mart is empty
    empty = pl.DataFrame(schema={"revenue_month": pl.Date, "net_revenue": pl.Float64})
    with pytest.raises(NotEnoughData, match=r"no revenue before the as-of date 2026-12-01"):
        fit_revenue_trend(empty, dt.date(2026, 12, 1))


def test_a_line_through_the_months_before_the_as_of_date() -> None:
    monthly = pl.DataFrame(
        {
            "revenue_month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)],
            "net_revenue": [100.0, 300.0, 900.0],
        }
    )
    trend = fit_revenue_trend(monthly, dt.date(2026, 3, 1))
    assert trend["revenue_month"].to_list() == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert trend["slope_per_month"][0] == pytest.approx(200.0)
