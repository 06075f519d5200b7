"""Monthly revenue trend: a least-squares line through net revenue per month.

The thin first model of the pipeline; it proves the path mart -> Python -> ``ml_*`` table ->
serving file. Later models (RFM, churn, CLV, channel ROI) follow the same shape: a pure function
over a frame, plus a writer that stamps model version and as-of date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models_ml.model_runs import NotEnoughData

MODEL_VERSION = "revenue_trend-1"


def fit_revenue_trend(monthly: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Fit ``net_revenue ~ a + b * month_index`` on months strictly before ``as_of``.

    Returns one row per month with the actual and fitted revenue and the monthly slope. Raises
    :class:`NotEnoughData` when no month before ``as_of`` has revenue (a customers-only extract,
    or an as-of date before the first invoice): the asset records a skipped run.
    """
    known = monthly.filter(pl.col("revenue_month") < as_of).sort("revenue_month")
    if known.height == 0:
        raise NotEnoughData(
            f"no revenue before the as-of date {as_of}: land ERP sales invoices (or set "
            "TANDEM_AS_OF_DATE after the first invoiced month) to fit a trend"
        )
    x = np.arange(known.height, dtype=float)
    y = known["net_revenue"].cast(pl.Float64).to_numpy()
    slope, intercept = np.polyfit(x, y, 1) if known.height > 1 else (0.0, float(y[0]))
    return known.select(
        "revenue_month",
        pl.col("net_revenue").cast(pl.Float64).alias("net_revenue"),
        pl.Series("fitted_net_revenue", intercept + slope * x),
        pl.lit(float(slope)).alias("slope_per_month"),
        pl.lit(as_of).alias("as_of_date"),
        pl.lit(MODEL_VERSION).alias("model_version"),
    )
