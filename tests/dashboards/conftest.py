"""Serving files for the page tests: a hand-made one-mart file, the tiny company, an empty one."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.warehouse.conftest import TinyWarehouse, tiny_warehouse  # noqa: F401 (fixture)

APP = str(REPO_ROOT / "dashboards" / "app.py")
MONTHS = [
    ("2026-01-01", 3, 2, "1234.50"),
    ("2026-02-01", 1, 1, "-100.25"),
    ("2026-03-01", 5, 4, "98765.00"),
]


@pytest.fixture
def published(tandem_home: TandemSettings) -> TandemSettings:
    con = duckdb.connect(str(tandem_home.build_db))
    try:
        con.execute("create schema finance")
        con.execute(
            "create table finance.rpt_revenue_monthly (revenue_month date, invoice_count bigint,"
            " customer_count bigint, net_revenue decimal(18,2), gross_revenue decimal(18,2))"
        )
        for month, invoices, customers, net in MONTHS:
            con.execute(
                "insert into finance.rpt_revenue_monthly values "
                "(?, ?, ?, ?, cast(? as decimal(18, 2)) * 1.13)",
                [month, invoices, customers, net, net],
            )
    finally:
        con.close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


@pytest.fixture
def empty_published(tandem_home: TandemSettings) -> TandemSettings:
    """A published warehouse with no tables at all (a pipeline that built nothing yet)."""
    duckdb.connect(str(tandem_home.build_db)).close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


@pytest.fixture
def tiny(
    tiny_warehouse: TinyWarehouse,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TinyWarehouse]:
    """The tiny company's serving file, as the dashboards' TANDEM_HOME."""
    for key, value in tiny_warehouse.env.items():
        monkeypatch.setenv(key, value)
    yield tiny_warehouse


def open_page(page: str, lang: str = "en", **widgets: object) -> AppTest:
    """Run the app, choose ``lang`` and the given sidebar widgets, then open ``page``."""
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    if lang != "en":
        app.selectbox(key="lang").set_value(lang).run()
    for key, value in widgets.items():
        kind = "selectbox" if key in ("filter_start", "filter_end") else "multiselect"
        getattr(app, kind)(key=key).set_value(value).run()
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, app.exception
    return app


def serving_scalar(settings: TandemSettings, sql: str, params: list | None = None):
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()
