"""The workbench page in-process: a query runs, results are masked per role, refusals shown."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access.session import SESSION_KEY
from dashboards.downloads import csv_bytes, neutralise_text
from dashboards.workbench.runner import history
from orchestration.settings import REPO_ROOT, TandemSettings

PAGE = str(REPO_ROOT / "dashboards" / "views" / "workbench.py")


def _app(role: str) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    now = time.time()
    app.session_state[SESSION_KEY] = {
        "username": f"u-{role}",
        "role": role,
        "name": role,
        "signed_in": now,
        "last_seen": now,
    }
    return app.run()


@pytest.mark.parametrize(
    ("role", "email"),
    [("analyst", "l***@acme.example"), ("marketing", "li.wei@acme.example")],
)
def test_query_result_is_masked_for_the_role(
    people_warehouse: TandemSettings, role: str, email: str
) -> None:
    app = _app(role)
    run = next(b for b in app.button if b.label == "Run")
    app.text_area(key="workbench_sql").input(
        "select customer_key, email from core.dim_customer order by 1"
    )
    run.click().run()
    assert not app.exception
    assert app.success[0].value.startswith("3 rows in")
    shown = app.dataframe[0].value
    assert shown["email"].tolist()[0] == email
    assert history(f"u-{role}")[0]["status"] == "ok"


def test_refused_statement_is_shown_with_what_is_allowed(
    people_warehouse: TandemSettings,
) -> None:
    app = _app("analyst")
    run = next(b for b in app.button if b.label == "Run")
    app.text_area(key="workbench_sql").input("drop table core.dim_customer")
    run.click().run()
    assert app.error[0].value.startswith("Creating, changing or dropping tables")
    assert "one read-only query at a time" in app.error[0].value
    assert history("u-analyst")[0]["status"] == "refused"


def test_schema_browser_shows_the_dbt_docs(people_warehouse: TandemSettings) -> None:
    app = _app("analyst")
    labels = [e.label for e in app.expander]
    assert "customer.dim_contact" in labels
    assert "customer.rpt_customer_360" in labels
    # each table shows its description, and its columns with types, descriptions and tests
    contacts = app.expander[labels.index("customer.dim_contact")]
    assert contacts.markdown[0].value.startswith("Marketing contacts")
    columns = contacts.dataframe[0].value.set_index("column")
    assert list(columns.columns) == ["type", "description", "tests"]
    assert columns.loc["contact_channel_key", "tests"] == "unique, not_null"
    assert "accepted_values" in columns.loc["consent_status", "tests"]
    assert columns.loc["consent_status", "description"]


def test_csv_download_has_a_bom_and_no_live_formula() -> None:
    import polars as pl

    frame = pl.DataFrame({"a": ["=1+2", "@SUM(A1)", "-3", "plain"], "=b": [1, 2, -3, 4]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    # a plain number held as text is no formula; a column a query named "=b" is neutralised too
    assert lines == ["a,'=b", "'=1+2,1", "'@SUM(A1),2", "-3,-3", "plain,4"]
    assert neutralise_text("+86 138") == "'+86 138"
