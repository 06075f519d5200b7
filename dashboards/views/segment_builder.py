"""Segment builder: conditions, a live count and value, save a version, export (marketing)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboards.access.session import require_page
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

LABELS = {
    "rfm_segment": "RFM segment",
    "cluster": "Cluster",
    "churn_band": "Churn risk band",
    "clv_band": "CLV band",
    "acquisition_channel": "Acquisition channel",
    "region": "Region",
    "industry": "Industry",
    "owner": "Owner",
    "consent": "Customer consent status",
}

user = require_page("segment_builder")
st.title("Segment builder")

serving = get_settings().serving_db
if not serving.exists():
    st.error(f"no published warehouse at {serving}: run `tandem run` (or `make demo`) first")
    st.stop()

saved_names = segment_names()
start_from = st.selectbox("Start from a saved segment", ["(new)", *saved_names])
base = load_segment(start_from).definition if start_from != "(new)" else None

con = hardened_connect(serving)
try:
    choices = condition_choices(con)
finally:
    con.close()

name = st.text_input("Name", value=base.name if base else "", placeholder="vip-north")
description = st.text_input("Description", value=base.description if base else "")
conditions: dict = {}
left, right = st.columns(2)
for index, key in enumerate(LIST_CONDITIONS):
    column = left if index % 2 == 0 else right
    options = choices.get(key)
    if options is None:
        column.selectbox(LABELS[key], ["not available yet"], disabled=True, key=f"c_{key}")
        continue
    default = [v for v in (base.lists.get(key, ()) if base else ()) if v in options]
    picked = column.multiselect(LABELS[key], options, default=default, key=f"c_{key}")
    if picked:
        conditions[key] = picked
recency = left.number_input("Days since last order at most (0: any)", 0, 5000, 0)
spend = right.number_input("Lifetime net revenue at least, yuan (0: any)", 0, 10**9, 0)
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
    st.error(str(problem))
    st.stop()

a, b, c = st.columns(3)
a.metric("Customers", f"{size.customers:,}")
b.metric("Lifetime net revenue (yuan)", f"{size.lifetime_net_revenue:,.2f}")
c.metric("Consented contacts to export", f"{size.consented_contacts:,}")
with st.expander("Definition (YAML)"):
    st.code(definition.to_yaml(), language="yaml")

if st.button("Save segment", disabled=not name):
    try:
        saved = save_segment(from_dict({**definition.to_dict(), "name": name}), user.username)
    except InvalidSegment as problem:
        st.error(str(problem))
    else:
        st.session_state["saved_segment"] = (saved.definition.name, saved.version)
        st.success(f"saved {saved.definition.name} as version {saved.version}")

saved_key = st.session_state.get("saved_segment")
if saved_key:
    fmt = st.selectbox("Export format", FORMATS)
    if st.button("Export consented contacts"):
        saved = load_segment(*saved_key)
        suffix = ".xlsx" if fmt == "xlsx" else ".csv"
        out = Path(tempfile.mkdtemp(dir=get_settings().exports_dir)) / f"{saved_key[0]}{suffix}"
        result = export_segment(saved, fmt, out, user.username)
        st.success(f"{result.row_count:,} contacts, sha256 {result.sha256[:16]}...")
        st.download_button(
            f"Download {out.name}", out.read_bytes(), file_name=f"{saved_key[0]}-{fmt}{suffix}"
        )

st.subheader("Export log")
st.dataframe(export_log(20), hide_index=True)
