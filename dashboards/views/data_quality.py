"""Data quality: landings, freshness per source, quarantined files, rejected rows, model runs."""

import polars as pl
import streamlit as st

from dashboards.components import guarded, table
from dashboards.data import quality as data
from dashboards.data.runs import recent_runs, unpublished_run
from dashboards.formatting import format_count
from dashboards.i18n import t
from dashboards.page import sources, start_page


def main() -> None:
    """Draw the page."""
    start_page("page.data_quality")
    _unpublished_run()
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
    _quality_checks()
    _pipeline_runs()
    sources(data.LEDGER, data.REJECTS, "raw_*._loaded_at", "ml.model_runs", data.CHECK_RESULTS)


def _unpublished_run() -> None:
    """Say first when the newest run did not publish (blocked, stopped or failed), with the
    checks that blocked it: the serving file (and so the check results below) stays at the last
    good build."""
    report = unpublished_run()
    if report is None:
        return
    when = str(report.get("finished_at", "")).replace("T", " ")
    message = report.get("message") or ""
    failed = report.get("failed_checks") or []
    if report["status"] == "blocked":
        st.error(
            t("dq.last_run_blocked", when=when, failed=format_count(len(failed)), message=message)
        )
    elif report["status"] == "interrupted":
        # someone stopped it (Ctrl+C, a service stop): nothing is broken, so a warning, and the
        # label says what to do in the reader's language (the run's own message is English)
        st.warning(t("dq.last_run_interrupted", when=when))
    else:
        st.error(t("dq.last_run_failed", when=when, message=message))
    if failed:
        columns = ["check_name", "asset", "layer", "failing_rows", "example", "advice"]
        rows = [{c: str(check.get(c, "")) for c in columns} for check in failed]
        table(pl.DataFrame(rows), "unpublished_run_checks", {"advice": t("dq.what_to_do")})


def _quality_checks() -> None:
    """The newest run's check results (failures first) and the history of every run's checks."""
    st.subheader(t("dq.checks"))
    latest = data.latest_check_results()
    if latest is None or latest.is_empty():
        st.info(t("dq.no_checks"))
        return
    failed = latest.filter(latest["status"] == "fail").height
    warned = latest.filter(latest["status"] == "warn").height
    if failed:
        st.error(t("dq.checks_blocked", failed=format_count(failed)))
    elif warned:
        st.warning(t("dq.checks_warned", warned=format_count(warned)))
    else:
        st.success(t("dq.checks_passed", checks=format_count(latest.height)))
    table(latest, "check_results", {"status": t("status"), "message": t("reason")})
    st.subheader(t("dq.check_history"))
    table(data.check_history(), "check_history")


def _pipeline_runs() -> None:
    """The last pipeline runs with each step's duration (Dagster's run storage)."""
    st.subheader(t("dq.pipeline_runs"))
    runs = recent_runs()
    if runs.is_empty():
        st.info(t("dq.no_pipeline_runs"))
    else:
        table(runs, "pipeline_runs", {"status": t("status")})


with guarded():
    main()
