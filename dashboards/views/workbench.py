"""SQL workbench: one read-only query at a time on the published warehouse (analysts)."""

from __future__ import annotations

import streamlit as st

from dashboards.access.roles import sees_personal_data
from dashboards.access.session import require_page
from dashboards.downloads import csv_bytes
from dashboards.i18n import error_text, t
from dashboards.page import render_language
from dashboards.workbench.connection import workbench_database
from dashboards.workbench.guard import RefusedStatement
from dashboards.workbench.runner import QueryTimedOut, history, run_for_user
from dashboards.workbench.schema_docs import read_published_docs, read_schema_docs
from orchestration.settings import get_settings

user = require_page("workbench")
render_language()
st.title(t("page.workbench"))
st.caption(
    t("wb.intro") + " " + t("wb.pii_shown" if sees_personal_data(user.role) else "wb.pii_masked")
)

editor, browser = st.columns([3, 2])
with browser:
    st.subheader(t("wb.schema"))
    # the docs published with the file this role queries; a home published before the docs
    # were written into the serving file falls back to the dbt manifest
    docs = read_published_docs(workbench_database(user.role)) or read_schema_docs()
    if not docs:
        st.info(t("wb.no_docs"))
    schemas = sorted({table.schema for table in docs})
    schema = st.selectbox(t("wb.schema_pick"), schemas, index=None, placeholder=t("wb.all_schemas"))
    needle = st.text_input(t("wb.find"), key="schema_search").lower()
    for table in docs:
        if schema and table.schema != schema:
            continue
        if needle and needle not in table.relation and not any(needle in c for c in table.columns):
            continue
        # table and column names and dbt's descriptions stay as written: they are what is typed
        with st.expander(table.relation):
            st.write(table.description or t("wb.no_description"))
            st.dataframe(
                [
                    {
                        t("wb.column"): c.name,
                        t("wb.type"): c.data_type,
                        t("wb.description"): c.description,
                        t("wb.tests"): ", ".join(c.tests),
                    }
                    for c in table.columns.values()
                ],
                hide_index=True,
            )
            if table.tests:
                st.caption(t("wb.table_tests", tests=", ".join(table.tests)))

with editor:
    sql = st.text_area(
        t("wb.sql"),
        height=200,
        key="workbench_sql",
        placeholder="select * from customer.rpt_customer_360 limit 10",
    )
    limit_col, timeout_col = st.columns(2)
    row_limit = limit_col.number_input(t("wb.row_limit"), 1, 100_000, 1_000, step=1_000)
    timeout = timeout_col.number_input(t("wb.timeout"), 1, 300, 30)
    if st.button(t("wb.run"), type="primary", key="workbench_run") and sql.strip():
        try:
            result = run_for_user(user.username, user.role, sql, int(row_limit), float(timeout))
        except RefusedStatement as refused:
            st.error(refused.in_language())
        except QueryTimedOut as timed_out:
            st.error(error_text(timed_out))
        except FileNotFoundError:
            st.error(t("wb.no_warehouse", path=get_settings().serving_db))
        except Exception as error:  # a query error: show DuckDB's message, keep the page
            st.error(t("wb.query_error", error=error))
        else:
            shown = {"rows": f"{result.frame.height:,}", "seconds": f"{result.seconds:.2f}"}
            st.success(t("wb.rows_cut_in" if result.truncated else "wb.rows_in", **shown))
            st.dataframe(result.frame, hide_index=True)
            st.download_button(
                t("download_csv"),
                csv_bytes(result.frame),
                file_name="query.csv",
                mime="text/csv",
            )
    st.subheader(t("wb.recent"))
    past = history(user.username, limit=20)
    if past:
        labels = {
            "ran_at": t("wb.ran_at"),
            "sql": t("wb.sql"),
            "status": t("wb.status"),
            "row_count": t("wb.row_count"),
            "seconds": t("wb.seconds"),
            "message": t("wb.message"),
        }
        st.dataframe(
            [{labels.get(k, k): v for k, v in row.items()} for row in past], hide_index=True
        )
    else:
        st.caption(t("wb.nothing_run"))
