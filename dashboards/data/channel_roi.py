"""Queries behind the Channel ROI page: attribution side by side, MMM ROI, curves, budget.

Every query reads one table of the channel-ROI model (``models_ml/channel_roi.py``) at its newest
as-of date and returns a small, pre-aggregated frame: the page draws what it gets.
"""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.serving import cached_query

ATTRIBUTION = "ml.channel_attribution"
ROI = "ml.channel_roi"
CURVES = "ml.channel_response_curves"
PLAN = "ml.channel_budget_plan"
# the model runs the page reports on (names in ml.model_runs)
ATTRIBUTION_RUN = "channel_attribution"
MMM_RUN = "channel_mmm"


def _latest(table: str) -> str:
    return f"as_of_date = (select max(as_of_date) from {table})"


def _channels(filters: Filters, params: list) -> str:
    if not filters.channels:
        return "true"
    params.append(list(filters.channels))
    return "list_contains(?, channel)"


def attribution(filters: Filters) -> pl.DataFrame:
    """Per attribution model and channel, over the chosen months: conversions, margin, spend,
    ROI (attributed gross margin per yuan of spend; null without spend)."""
    period_sql, params = filters.period_sql("month")
    channel_sql = _channels(filters, params)
    return cached_query(
        f"""
        select model, channel, sum(conversions) as conversions,
            sum(gross_margin) as gross_margin, sum(spend) as spend,
            case when sum(spend) > 0 then sum(gross_margin) / sum(spend) end as roi
        from {ATTRIBUTION}
        where {_latest(ATTRIBUTION)} and {period_sql} and {channel_sql}
        group by all
        order by channel, model
        """,
        params,
    )


def side_by_side(long: pl.DataFrame, value: str) -> pl.DataFrame:
    """One row per channel, one column per attribution model, cells ``value``."""
    if long.is_empty():
        return pl.DataFrame({"channel": []}, schema={"channel": pl.String})
    models = sorted(long["model"].unique().to_list())
    wide = long.pivot(on="model", index="channel", values=value).sort("channel")
    return wide.select("channel", *models)


def mmm_roi(filters: Filters) -> pl.DataFrame:
    """The marketing-mix model's ROI per paid channel with its 90% interval (whole window)."""
    params: list = []
    channel_sql = _channels(filters, params)
    return cached_query(
        f"""
        select channel, spend, gross_margin, roi, roi_lower, roi_upper, share_of_spend,
            as_of_date
        from {ROI}
        where method = 'mmm' and {_latest(ROI)} and {channel_sql}
        order by roi desc
        """,
        params,
    )


def curves(filters: Filters) -> pl.DataFrame:
    """Expected margin (with its interval) against spend per channel, from zero to twice today."""
    params: list = []
    channel_sql = _channels(filters, params)
    return cached_query(
        f"""
        select channel, spend_multiplier, spend, expected_margin, margin_lower, margin_upper,
            marginal_roi
        from {CURVES}
        where {_latest(CURVES)} and {channel_sql}
        order by channel, spend_multiplier
        """,
        params,
    )


def budget_plan() -> pl.DataFrame:
    """Today's spend against the suggested split of the same total, channel rows then the total.

    Not narrowed by the channel filter: the plan moves money between all paid channels."""
    return cached_query(
        f"""
        select channel, current_spend, planned_spend, change_pct, expected_margin_current,
            expected_margin_planned, uplift, uplift_lower, uplift_upper
        from {PLAN}
        where {_latest(PLAN)}
        order by channel = 'total', channel
        """
    )
