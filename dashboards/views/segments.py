"""Segments: the RFM grid, segment sizes and value, clusters, migration between two dates."""

import plotly.express as px
import streamlit as st

from dashboards.components import guarded, model_guidance, require_rows, table
from dashboards.data import models as data
from dashboards.formatting import format_date
from dashboards.i18n import t
from dashboards.page import sources, start_page


def rfm_section(filters) -> None:
    """The grid (recency × frequency-monetary) and the segment table."""
    st.subheader(t("seg.grid"))
    grid = data.rfm_grid(filters)
    require_rows(grid, filtered=filters.narrows_customers)
    heat = grid.pivot(on="fm_score", index="r_score", values="customers").sort("r_score")
    figure = px.imshow(
        heat.drop("r_score").to_pandas().fillna(0),
        x=[str(c) for c in heat.columns[1:]],
        y=[str(r) for r in heat["r_score"]],
        text_auto=True,
        labels={"x": t("frequency_score"), "y": t("recency_score"), "color": t("customers")},
        aspect="auto",
    )
    figure.update_layout(height=340)
    st.plotly_chart(figure, width="stretch")
    st.subheader(t("seg.sizes"))
    table(
        data.rfm_segments(filters),
        "rfm_segments",
        {"segment_label": t("segment"), "customers": t("customers"), "monetary": t("monetary")},
    )
    sources("ml.rfm", "ml.rfm_segments")


def clusters_section(filters) -> None:
    """Cluster profiles, or why there are none."""
    st.subheader(t("seg.clusters"))
    if model_guidance("clusters", data.CLUSTER_TABLES):
        table(data.latest("ml.cluster_profiles"), "cluster_profiles")
        sources(*data.CLUSTER_TABLES)


def migration_section(filters, lang: str) -> None:
    """Segment moves between two as-of dates of the segment history."""
    st.subheader(t("seg.migration"))
    if not model_guidance("segment_history", [data.MIGRATION_TABLE]):
        return
    dates = data.migration_dates()
    if len(dates) < 2:
        st.info(t("no_rows_warehouse"))
        return
    left, right = st.columns(2)
    # keyed: an unkeyed select box is known by its label and options, which a switch of
    # language changes, so the reader's two dates went back to the defaults
    before = left.selectbox(
        t("period_from"),
        dates,
        index=0,
        format_func=lambda d: format_date(d, lang),
        key="seg_migration_from",
    )
    after = right.selectbox(
        t("period_to"),
        dates,
        index=len(dates) - 1,
        format_func=lambda d: format_date(d, lang),
        key="seg_migration_to",
    )
    table(data.migration(before, after, filters), "segment_migration")
    sources(data.MIGRATION_TABLE)


def main() -> None:
    """Draw the page."""
    lang, filters = start_page("page.segments")
    if model_guidance("rfm", ["ml.rfm", "ml.rfm_segments"]):
        rfm_section(filters)
    clusters_section(filters)
    migration_section(filters, lang)


with guarded():
    main()
