"""Channel ROI: spend per channel, attribution side by side, MMM ROI, response curves, budget."""

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboards.components import (
    cached_figure,
    chart_table,
    guarded,
    last_model_run,
    model_guidance,
    open_section,
    require_rows,
    table,
)
from dashboards.data import channel_roi as roi
from dashboards.data import models as data
from dashboards.filters import Filters
from dashboards.formatting import format_cny, format_date
from dashboards.i18n import current_language, t
from dashboards.page import sources, start_page

CHART_HEIGHT = 340


def _labels(*columns: str) -> dict[str, str]:
    return {column: t(column) for column in columns}


def spend_section(filters: Filters, draw: bool = True) -> None:
    """Spend per channel in the chosen months (the model's input); stops when there is none.
    Its table is drawn on the first tab only (``draw``)."""
    spend = data.spend_by_channel(filters)
    require_rows(spend, filtered=bool(filters.channels))
    if not draw:
        return
    # a table, no chart: the attribution chart below carries the tab, and each chart costs a
    # real browser about 0.28 s of CPU to draw (docs/BENCHMARKS.md)
    st.subheader(t("roi.spend"))
    table(
        spend,
        "marketing_spend",
        _labels("channel", "clicks", "reported_leads") | {"spend_yuan": t("spend")},
    )
    sources("core.fct_marketing_spend")


# the figures (built once per build, filters and language: components.cached_figure)
def _attribution_figure(paid: pl.DataFrame) -> go.Figure:
    figure = px.bar(
        paid.to_pandas(),
        x="channel",
        y="roi",
        color="model",
        barmode="group",
        labels=_labels("channel", "roi") | {"model": t("attribution_model")},
    )
    return figure.update_layout(height=CHART_HEIGHT)


def _mmm_figure(shown: pl.DataFrame) -> go.Figure:
    figure = px.bar(
        shown.to_pandas(),
        x="channel",
        y="roi",
        error_y="above",
        error_y_minus="below",
        labels=_labels("channel", "roi"),
    )
    return figure.update_layout(height=CHART_HEIGHT)


def _curves_figure(curves: pl.DataFrame) -> go.Figure:
    figure = px.line(
        curves.to_pandas(),
        x="spend",
        y="expected_margin",
        color="channel",
        labels=_labels("channel", "expected_margin") | {"spend": t("spend")},
    )
    today = curves.filter(pl.col("spend_multiplier") == 1.0).to_pandas()
    figure.add_scatter(
        x=today["spend"],
        y=today["expected_margin"],
        mode="markers",
        marker={"size": 10, "color": "black"},
        name=t("current_spend"),
    )
    return figure.update_layout(height=CHART_HEIGHT)


def attribution_section(filters: Filters) -> None:
    """ROI and conversions of every attribution model, one column per model."""
    st.subheader(t("roi.attribution"))
    st.caption(t("roi.attribution_note"))
    long = roi.attribution(filters)
    if long.is_empty():
        st.info(t("no_rows_filter"))
        return
    names = {model: t(f"attr.{model}", default=model) for model in long["model"].unique()}
    named = long.with_columns(pl.col("model").replace_strict(names))
    paid = named.filter(pl.col("roi").is_not_null())
    if not paid.is_empty():
        figure = cached_figure(
            "roi.attribution", lambda: _attribution_figure(paid), filters, current_language()
        )
        st.plotly_chart(figure, width="stretch")
    st.markdown(f"**{t('roi.roi_by_model')}**")
    # the chart's figures: folded, as drawing a table costs the browser (components.chart_table)
    chart_table(roi.side_by_side(named, "roi"), "attribution_roi", _labels("channel"))
    st.markdown(f"**{t('roi.conversions_by_model')}**")
    table(roi.side_by_side(named, "conversions"), "attribution_conversions", _labels("channel"))
    sources(roi.ATTRIBUTION)


def mmm_section(filters: Filters, lang: str) -> bool:
    """The MMM's ROI with its interval; False (after saying why) when there is none to show,
    so the curves and the plan, which come from the same fit, are not drawn either."""
    st.subheader(t("roi.mmm"))
    mmm = roi.mmm_roi(filters)
    if mmm.is_empty():
        if filters.channels:  # the chosen channels are not among those the MMM fitted
            st.info(t("no_rows_filter"))
            return False
        st.info(t("roi.mmm_empty"))
        reason = last_model_run(roi.MMM_RUN)
        if reason:
            st.caption(reason)
        return False
    st.caption(t("roi.mmm_note", as_of=format_date(mmm["as_of_date"].max(), lang)))
    shown = mmm.with_columns(
        above=pl.col("roi_upper") - pl.col("roi"), below=pl.col("roi") - pl.col("roi_lower")
    )
    figure = cached_figure("roi.mmm", lambda: _mmm_figure(shown), filters, lang)
    st.plotly_chart(figure, width="stretch")
    columns = ["channel", "spend", "gross_margin", "roi", "roi_lower", "roi_upper"]
    chart_table(
        mmm.select(*columns, "share_of_spend"),
        "mmm_roi",
        _labels(*columns[1:], "share_of_spend") | {"channel": t("channel"), "spend": t("spend")},
    )
    sources(roi.ROI)
    return True


def curves_section(filters: Filters) -> None:
    """Expected margin against spend per channel, today's spend marked."""
    st.subheader(t("roi.curves"))
    st.caption(t("roi.curves_note"))
    curves = roi.curves(filters)
    if curves.is_empty():
        st.info(t("roi.mmm_empty"))
        return
    figure = cached_figure(
        "roi.curves", lambda: _curves_figure(curves), filters, current_language()
    )
    st.plotly_chart(figure, width="stretch")
    columns = curves.columns[1:]
    chart_table(curves, "response_curves", _labels(*columns) | {"channel": t("channel")})
    sources(roi.CURVES)


def budget_section(lang: str) -> None:
    """The suggested split of today's total spend and the margin it is expected to add (cards
    and a table, no chart: each chart costs a real browser time to draw, see BENCHMARKS.md)."""
    st.subheader(t("roi.budget"))
    st.caption(t("roi.budget_note"))
    plan = roi.budget_plan()
    if plan.is_empty():
        st.info(t("roi.mmm_empty"))
        return
    total = plan.filter(pl.col("channel") == "total").row(0, named=True)
    left, right = st.columns(2)
    left.metric(
        t("roi.uplift"),
        format_cny(total["uplift"], lang),
        help=t(
            "roi.uplift_interval",
            lower=format_cny(total["uplift_lower"], lang),
            upper=format_cny(total["uplift_upper"], lang),
        ),
    )
    right.metric(t("roi.planned_total"), format_cny(total["planned_spend"], lang))
    shown = plan.with_columns(
        pl.when(pl.col("channel") == "total")
        .then(pl.lit(t("roi.total")))
        .otherwise(pl.col("channel"))
        .alias("channel")
    )
    table(shown, "budget_plan", _labels(*plan.columns[1:]) | {"channel": t("channel")})
    sources(roi.PLAN)


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.channel_roi")
    # the spend (the models' input) on every tab: with none, nothing else can be shown
    index, tab = open_section("channel_roi")
    with tab:
        spend_section(filters, draw=index == 0)
        if not model_guidance("channel_roi", [roi.ATTRIBUTION, roi.ROI, roi.CURVES, roi.PLAN]):
            return
        if index == 0:
            attribution_section(filters)
        elif index == 1 and mmm_section(filters, lang):
            curves_section(filters)
        elif index == 2:
            budget_section(lang)


with guarded():
    main()
