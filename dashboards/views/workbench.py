"""SQL workbench: one read-only query at a time on the published warehouse (analysts)."""

from __future__ import annotations

import streamlit as st

from dashboards.access.roles import sees_personal_data
from dashboards.access.session import require_page
from dashboards.downloads import csv_bytes
from dashboards.workbench.connection import workbench_database
from dashboards.workbench.guard import RefusedStatement
from dashboards.workbench.runner import QueryTimedOut, history, run_for_user
from dashboards.workbench.schema_docs import read_published_docs, read_schema_docs

user = require_page("workbench")
st.title("SQL workbench")
st.caption(
    "One read-only query at a time (SELECT, WITH ... SELECT, FROM ...). "
    + (
        "Phone, mobile and e-mail are shown as stored."
        if sees_personal_data(user.role)
        else "Phone, mobile and e-mail are masked for your role."
    )
)

editor, browser = st.columns([3, 2])
with browser:
    st.subheader("Schema")
    # the docs published with the file this role queries; a home published before the docs
    # were written into the serving file falls back to the dbt manifest
    docs = read_published_docs(workbench_database(user.role)) or read_schema_docs()
    if not docs:
        st.info("No dbt docs yet: run `tandem docs` (or `make manifest`).")
    schemas = sorted({t.schema for t in docs})
    schema = st.selectbox("Schema", schemas, index=None, placeholder="all schemas")
    needle = st.text_input("Find a table or column", key="schema_search").lower()
    for table in docs:
        if schema and table.schema != schema:
            continue
        if needle and needle not in table.relation and not any(needle in c for c in table.columns):
            continue
        with st.expander(table.relation):
            st.write(table.description or "(no description)")
            st.dataframe(
                [
                    {
                        "column": c.name,
                        "type": c.data_type,
                        "description": c.description,
                        "tests": ", ".join(c.tests),
                    }
                    for c in table.columns.values()
                ],
                hide_index=True,
            )
            if table.tests:
                st.caption("Table tests: " + ", ".join(table.tests))

with editor:
    sql = st.text_area(
        "SQL",
        height=200,
        key="workbench_sql",
        placeholder="select * from customer.rpt_customer_360 limit 10",
    )
    limit_col, timeout_col = st.columns(2)
    row_limit = limit_col.number_input("Row limit", 1, 100_000, 1_000, step=1_000)
    timeout = timeout_col.number_input("Timeout (s)", 1, 300, 30)
    if st.button("Run", type="primary") and sql.strip():
        try:
            result = run_for_user(user.username, user.role, sql, int(row_limit), float(timeout))
        except (RefusedStatement, QueryTimedOut) as refused:
            st.error(str(refused))
        except FileNotFoundError as missing:
            st.error(str(missing))
        except Exception as error:  # a query error: show DuckDB's message, keep the page
            st.error(f"DuckDB: {error}")
        else:
            more = " (cut at the row limit)" if result.truncated else ""
            st.success(f"{result.frame.height:,} rows{more} in {result.seconds:.2f} s")
            st.dataframe(result.frame, hide_index=True)
            st.download_button(
                "Download CSV",
                csv_bytes(result.frame),
                file_name="query.csv",
                mime="text/csv",
            )
    st.subheader("Your recent queries")
    past = history(user.username, limit=20)
    if past:
        st.dataframe(past, hide_index=True)
    else:
        st.caption("Nothing run yet.")
