"""The segment builder page on the tiny company: live count and value, save, export, log."""

from __future__ import annotations

import shutil
import time

import duckdb
from streamlit.testing.v1 import AppTest

from dashboards.access.session import SESSION_KEY
from dashboards.segments.definition import from_dict
from dashboards.segments.export import export_log
from dashboards.segments.query import segment_size
from dashboards.segments.store import load_segment
from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.warehouse.conftest import TinyWarehouse

PAGE = str(REPO_ROOT / "dashboards" / "views" / "segment_builder.py")


def _serving_rows(settings: TandemSettings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_build_save_and_export_a_segment_on_the_page(
    tiny_warehouse: TinyWarehouse, tandem_home: TandemSettings
) -> None:
    shutil.copyfile(tiny_warehouse.settings.serving_db, tandem_home.build_db)
    publish(tandem_home.build_db, tandem_home.serving_db)
    app = AppTest.from_file(PAGE, default_timeout=120)
    now = time.time()
    app.session_state[SESSION_KEY] = {
        "username": "mia",
        "role": "marketing",
        "name": "Mia",
        "signed_in": now,
        "last_seen": now,
    }
    app.run()
    assert not app.exception
    # the churn model ran on the tiny company: its risk bands are there to choose from
    bands = {
        row[0]
        for row in _serving_rows(
            tandem_home,
            "select distinct risk_band from ml.churn_scores where risk_band is not null",
        )
    }
    assert set(app.multiselect(key="c_churn_band").options) == bands
    app.text_input[0].input("champions")
    app.multiselect(key="c_rfm_segment").select("champions").run()
    metrics = {m.label: m.value for m in app.metric}
    con = duckdb.connect(str(tandem_home.serving_db), read_only=True)
    try:
        expected = segment_size(
            con, from_dict({"name": "x", "conditions": {"rfm_segment": ["champions"]}})
        )
    finally:
        con.close()
    assert metrics["Customers"] == f"{expected.customers:,}"
    assert metrics["Lifetime net revenue (yuan)"] == f"{expected.lifetime_net_revenue:,.2f}"
    assert metrics["Consented contacts to export"] == f"{expected.consented_contacts:,}"
    assert expected.customers > 0
    next(b for b in app.button if b.label == "Save segment").click().run()
    assert app.success[0].value == "saved champions as version 1"
    assert load_segment("champions").definition.lists == {"rfm_segment": ("champions",)}
    next(b for b in app.button if b.label == "Export consented contacts").click().run()
    assert not app.exception
    log = export_log(1)[0]
    assert (log["username"], log["segment_name"], log["format"]) == ("mia", "champions", "csv")
    assert log["row_count"] == expected.consented_contacts
