"""No warehouse, an empty warehouse: every page says what to do and never shows a traceback."""

from __future__ import annotations

import pytest

from dashboards.i18n import t
from orchestration.settings import TandemSettings
from tests.dashboards.conftest import open_page
from tests.dashboards.test_pages import PAGES


@pytest.mark.parametrize("page", PAGES)
def test_no_published_warehouse_says_what_to_run(tandem_home: TandemSettings, page: str) -> None:
    app = open_page(page)
    assert [error.value for error in app.error] == [
        f"no published warehouse at {tandem_home.serving_db}: "
        "run `tandem run` (or `make demo`) first"
    ]
    assert not app.metric and not app.dataframe


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_an_empty_warehouse_gives_guidance(
    empty_published: TandemSettings, page: str, lang: str
) -> None:
    app = open_page(page, lang)
    assert not app.error, [error.value for error in app.error]
    guidance = [info.value for info in app.info]
    assert guidance, "the page says nothing"
    assert any(
        text in (t("no_rows_warehouse", lang=lang), t("model_howto", lang=lang))
        or "tandem run" in text
        for text in guidance + [m.value for m in app.markdown]
    )
