"""Serving files for the page tests (the tiny company, an empty one) and a way to open a page."""

from __future__ import annotations

import time
from collections.abc import Iterator

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access.session import SESSION_KEY
from dashboards.i18n import t
from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.warehouse.conftest import TinyWarehouse, tiny_warehouse  # noqa: F401 (fixture)

PAGES_DIR = REPO_ROOT / "dashboards" / "views"


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


def signed_in_as(app: AppTest, role: str) -> AppTest:
    """Put a signed-in user of ``role`` into the app's session (pages check the role first)."""
    now = time.time()
    app.session_state[SESSION_KEY] = {
        "username": f"test-{role}",
        "role": role,
        "name": role,
        "signed_in": now,
        "last_seen": now,
    }
    return app


def open_page(page: str, lang: str = "en", role: str = "admin", **widgets: object) -> AppTest:
    """Open ``page`` as a reader does, then choose ``lang`` and the given sidebar widgets.

    The page file runs on its own (it draws the shared sidebar itself): AppTest's page switch
    under ``st.navigation`` does not redraw what the entry point draws.
    """
    app = AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=120)
    signed_in_as(app, role)
    app.run()
    assert not app.exception, app.exception
    if lang != "en":
        app.selectbox(key="lang").set_value(lang).run()
    for key, value in widgets.items():
        kind = "selectbox" if key in ("filter_start", "filter_end") else "multiselect"
        getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception, app.exception
    return app


def open_tab(app: AppTest, key: str, label_key: str, lang: str = "en") -> AppTest:
    """Switch the page's section tabs (``open_section``) to ``label_key`` as a click does."""
    app.session_state[key] = t(label_key, lang=lang)
    app.run()
    assert not app.exception, app.exception
    return app


def serving_scalar(settings: TandemSettings, sql: str, params: list | None = None):
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()
