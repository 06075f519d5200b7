"""A reader who switches language keeps what they chose: every page, every section tab.

On each page (and on each of its section tabs) a choice other than the one the page opens with
is made in every select box, radio and multiselect of the page, and a shorter period in the
sidebar; on Overview, a choice in every filter of the sidebar. Then the language goes
en -> zh -> en -> zh -> en. After each switch the page must draw without an exception, on the
same section, with every widget holding the value chosen (the values, not their labels: those
follow the language).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.filters import KEY_CHANNELS, KEY_END, KEY_REGIONS, KEY_REPS, KEY_START
from dashboards.i18n import KEY_LANGUAGE, t
from dashboards.navigation import DASHBOARD_PAGES, PAGE_BY_ID
from tests.dashboards.conftest import open_page, open_tab
from tests.warehouse.conftest import TinyWarehouse

CASES = [(page, tab) for page in DASHBOARD_PAGES for tab in (PAGE_BY_ID[page].tabs or (None,))]


SIDEBAR = (KEY_LANGUAGE, KEY_START, KEY_END, KEY_REGIONS, KEY_REPS, KEY_CHANNELS)


def _choose_other(app: AppTest, keys: tuple[str, ...] | None = None) -> None:
    """Choose, in every choice widget of the page body (or those named by ``keys``), an option
    other than the one shown: the last, or the first when the last is shown."""
    for kind in ("selectbox", "radio", "multiselect"):
        for number in range(len(getattr(app, kind))):
            widget = getattr(app, kind)[number]
            wanted = widget.key in keys if keys else widget.key not in SIDEBAR
            if not wanted or len(widget.options) < 2:
                continue
            if kind == "multiselect":
                widget.select(widget.options[-1])
            else:
                shown = widget.options.index(widget.format_func(widget.value))
                last = len(widget.options) - 1
                widget.set_value(widget.options[0 if shown == last else last])
            app.run()
            assert not app.exception, f"{kind} {widget.key or widget.label}: {app.exception}"


def _shorter_period(app: AppTest) -> None:
    """Start the sidebar's period one month later (the page keeps rows to show)."""
    start = app.selectbox(key=KEY_START)
    start.set_value(start.options[start.options.index(start.format_func(start.value)) + 1])
    app.run()
    assert not app.exception, app.exception


def _chosen(app: AppTest) -> dict[str, object]:
    """Every choice widget's value, by kind and position (some widgets have no key)."""
    return {
        f"{kind}[{number}]": widget.value
        for kind in ("selectbox", "radio", "multiselect")
        for number, widget in enumerate(getattr(app, kind))
        if widget.key != KEY_LANGUAGE
    }


def _open_tab_index(app: AppTest, page: str, lang: str) -> int | None:
    spec = PAGE_BY_ID[page]
    if not spec.tabs:
        return None
    return [t(label, lang=lang) for label in spec.tabs].index(app.session_state[spec.tab_key])


@pytest.mark.parametrize(("page", "tab"), CASES)
def test_a_language_switch_keeps_the_readers_choices(
    tiny: TinyWarehouse, page: str, tab: str | None
) -> None:
    app = open_page(page)
    if tab is not None:
        open_tab(app, PAGE_BY_ID[page].tab_key, tab)
    if page == "customer_360":  # its choice of customer appears once something is searched
        name = tiny.scalar(
            "select customer_name from customer.rpt_customer_360 where not is_deleted "
            "order by lifetime_net_revenue desc limit 1"
        )
        app.text_input(key="c360_query").set_value(name[:2]).run()
        assert len(app.selectbox(key="c360_customer").options) > 1
    _choose_other(app)
    _shorter_period(app)
    _switch_back_and_forth(app, page)


def test_a_language_switch_keeps_every_filter_of_the_sidebar(tiny: TinyWarehouse) -> None:
    app = open_page("overview")
    _choose_other(app, keys=SIDEBAR[1:])
    assert all(app.multiselect(key=key).value for key in (KEY_REGIONS, KEY_REPS, KEY_CHANNELS))
    _switch_back_and_forth(app, "overview")


def _switch_back_and_forth(app: AppTest, page: str) -> None:
    """Switch the language en -> zh -> en twice; each time the choices must be as they were."""
    chosen, section = _chosen(app), _open_tab_index(app, page, "en")
    for lang in ("zh", "en", "zh", "en"):
        app.selectbox(key=KEY_LANGUAGE).set_value(lang).run()
        assert not app.exception, f"after switching to {lang}: {app.exception}"
        assert [title.value for title in app.title] == [t(f"page.{page}", lang=lang)]
        assert _open_tab_index(app, page, lang) == section, f"section lost switching to {lang}"
        assert _chosen(app) == chosen, f"choices lost switching to {lang}"
