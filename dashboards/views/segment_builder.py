"""Segment builder: conditions, a live count and value, save a version, export (marketing)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboards.access.session import require_page
from dashboards.i18n import current_language, error_text, t
from dashboards.page import render_language
from dashboards.segments.definition import (
    LIST_CONDITIONS,
    InvalidSegment,
    SegmentDefinition,
    from_dict,
)
from dashboards.segments.export import FORMATS, export_log, export_segment
from dashboards.segments.query import ConditionNotAvailable, condition_choices, segment_size
from dashboards.segments.store import load_segment, save_segment, segment_names
from dashboards.workbench.connection import hardened_connect
from orchestration.settings import get_settings

# each condition's label; the values stay as the warehouse stores them (they are what the
# saved definition holds), except channels, whose ids the catalogue names
CONDITION_LABELS = {
    "rfm_segment": t("sb.cond.rfm_segment"),
    "cluster": t("sb.cond.cluster"),
    "churn_band": t("sb.cond.churn_band"),
    "clv_band": t("sb.cond.clv_band"),
    "acquisition_channel": t("sb.cond.acquisition_channel"),
    "region": t("sb.cond.region"),
    "industry": t("sb.cond.industry"),
    "owner": t("sb.cond.owner"),
    "consent": t("sb.cond.consent"),
}


def _value_label(condition: str, lang: str) -> Callable[[str], str]:
    """How a condition's values are shown (the language is bound: the label must not depend on
    where the function is called from)."""
    if condition == "acquisition_channel":
        return lambda value: t(f"channel.{value}", lang, default=value)
    return str


user = require_page("segment_builder")
render_language()
st.title(t("page.segment_builder"))

serving = get_settings().serving_db
if not serving.exists():
    st.error(t("sb.no_warehouse", path=serving))
    st.stop()

saved_names = segment_names()
start_from = st.selectbox(
    t("sb.start_from"),
    [None, *saved_names],
    format_func=lambda saved: t("sb.new") if saved is None else saved,
    key="sb_start_from",
)
base = load_segment(start_from).definition if start_from is not None else None

con = hardened_connect(serving)
try:
    # the segments are drawn from the customer 360 mart: a warehouse published before any
    # customer was built has nothing to segment yet (guidance, not a traceback)
    built = con.execute(
        "select count(*) from duckdb_tables()"
        " where schema_name = 'customer' and table_name = 'rpt_customer_360'"
    ).fetchone()[0]
    choices = condition_choices(con) if built else None
finally:
    con.close()
if choices is None:
    st.info(t("sb.no_customers"))
    st.stop()

name = st.text_input(t("sb.name"), value=base.name if base else "", placeholder="vip-north")
description = st.text_input(t("sb.description"), value=base.description if base else "")
conditions: dict = {}
left, right = st.columns(2)
for index, key in enumerate(LIST_CONDITIONS):
    column = left if index % 2 == 0 else right
    options = choices.get(key)
    if options is None:
        column.selectbox(
            CONDITION_LABELS[key], [t("sb.not_available")], disabled=True, key=f"c_{key}"
        )
        continue
    default = [v for v in (base.lists.get(key, ()) if base else ()) if v in options]
    picked = column.multiselect(
        CONDITION_LABELS[key],
        options,
        default=default,
        format_func=_value_label(key, current_language()),
        key=f"c_{key}",
    )
    if picked:
        conditions[key] = picked
recency = left.number_input(t("sb.recency"), 0, 5000, 0, key="sb_recency")
spend = right.number_input(t("sb.spend"), 0, 10**9, 0, key="sb_spend")
if recency:
    conditions["recency_days"] = {"max": recency}
if spend:
    conditions["spend"] = {"min": spend}

definition: SegmentDefinition | None = None
try:
    definition = from_dict(
        {"name": name or "draft", "description": description, "conditions": conditions}
    )
    con = hardened_connect(serving)
    try:
        size = segment_size(con, definition)
    finally:
        con.close()
except (InvalidSegment, ConditionNotAvailable) as problem:
    st.error(error_text(problem))
    st.stop()

a, b, c = st.columns(3)
a.metric(t("sb.customers"), f"{size.customers:,}")
b.metric(t("sb.revenue"), f"{size.lifetime_net_revenue:,.2f}")
c.metric(t("sb.contacts"), f"{size.consented_contacts:,}")
with st.expander(t("sb.definition")):
    st.code(definition.to_yaml(), language="yaml")

if st.button(t("sb.save"), disabled=not name, key="sb_save"):
    try:
        saved = save_segment(from_dict({**definition.to_dict(), "name": name}), user.username)
    except InvalidSegment as problem:
        st.error(error_text(problem))
    else:
        st.session_state["saved_segment"] = (saved.definition.name, saved.version)
        st.success(t("sb.saved", name=saved.definition.name, version=saved.version))

saved_key = st.session_state.get("saved_segment")
if saved_key:
    fmt = st.selectbox(t("sb.format"), FORMATS, key="sb_format")
    if st.button(t("sb.export"), key="sb_export"):
        saved = load_segment(*saved_key)
        suffix = ".xlsx" if fmt == "xlsx" else ".csv"
        out = Path(tempfile.mkdtemp(dir=get_settings().exports_dir)) / f"{saved_key[0]}{suffix}"
        result = export_segment(saved, fmt, out, user.username)
        st.success(t("sb.exported", rows=f"{result.row_count:,}", digest=result.sha256[:16]))
        st.download_button(
            t("sb.download", file=out.name),
            out.read_bytes(),
            file_name=f"{saved_key[0]}-{fmt}{suffix}",
        )

st.subheader(t("sb.export_log"))
LOG_COLUMNS = {
    "id": t("sb.log.id"),
    "username": t("sb.log.username"),
    "exported_at": t("sb.log.exported_at"),
    "segment_name": t("sb.log.segment_name"),
    "segment_version": t("sb.log.segment_version"),
    "format": t("sb.log.format"),
    "row_count": t("sb.log.row_count"),
    "file_sha256": t("sb.log.file_sha256"),
    "file_name": t("sb.log.file_name"),
}
st.dataframe(
    [{LOG_COLUMNS.get(k, k): v for k, v in row.items()} for row in export_log(20)],
    hide_index=True,
)
