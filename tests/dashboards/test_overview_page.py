"""The overview page, run in-process with Streamlit's AppTest against a real serving file."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from orchestration.settings import REPO_ROOT, TandemSettings
from tests.dashboards.conftest import serving_scalar

PAGE = str(REPO_ROOT / "dashboards" / "pages" / "overview.py")


def test_metrics_match_sql_on_the_serving_file(published: TandemSettings) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    net = serving_scalar(published, "select sum(net_revenue) from finance.rpt_revenue_monthly")
    assert metrics["Net revenue (yuan)"] == f"{float(net):,.2f}" == "99,899.25"
    assert metrics["Months invoiced"] == "3"
    chart = app.get("plotly_chart")[0].proto.spec
    assert '"net_revenue"' in chart or "Net revenue" in chart


def test_missing_warehouse_says_what_to_run(tandem_home: TandemSettings) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception
    assert len(app.error) == 1
    assert "run `tandem run`" in app.error[0].value
    assert str(tandem_home.serving_db) in app.error[0].value
    assert len(app.metric) == 0
