"""Data quality: landings, freshness per source, quarantined files, rejected rows, model runs."""

import streamlit as st

from dashboards.components import guarded, table
from dashboards.data import quality as data
from dashboards.formatting import format_count
from dashboards.i18n import t
from dashboards.page import sources, start_page


def main() -> None:
    """Draw the page."""
    start_page("page.data_quality")
    runs = data.landing_runs()
    quarantined = data.quarantined_files()
    st.subheader(t("dq.runs"))
    st.markdown(
        t(
            "dq.summary",
            files=format_count(runs["landed_files"].sum() if runs.height else 0),
            quarantined=format_count(quarantined.height),
        )
    )
    table(runs, "landing_runs")
    st.subheader(t("dq.freshness"))
    table(
        data.freshness(),
        "freshness",
        {
            "table_name": t("table"),
            "rows": t("rows"),
            "latest_load": t("dq.latest_load"),
            "hours_since": t("dq.stale_hours"),
        },
    )
    st.subheader(t("dq.quarantine"))
    if quarantined.is_empty():
        st.success(t("dq.no_quarantine"))
    else:
        table(
            quarantined,
            "quarantined_files",
            {"file": t("file"), "status": t("status"), "problems": t("reason")},
        )
    st.subheader(t("dq.rejects"))
    rejects = data.rejects_by_reason()
    if rejects.is_empty():
        st.success(t("dq.no_rejects"))
    else:
        table(
            rejects, "rejected_rows", {"file": t("file"), "reason": t("reason"), "rows": t("rows")}
        )
    st.subheader(t("dq.models"))
    runs_of_models = data.model_runs()
    if runs_of_models is None or runs_of_models.is_empty():
        st.info(t("model_never_ran"))
    else:
        table(runs_of_models, "model_runs", {"status": t("status"), "reason": t("reason")})
    sources(data.LEDGER, data.REJECTS, "raw_*._loaded_at", "ml.model_runs")


with guarded():
    main()
