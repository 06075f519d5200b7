"""The frame of every page: language switch and filter bar, title, the marts named under it.

Each page draws the shared sidebar itself (rather than the entry point) so a page runs the same
under ``st.navigation`` and alone in a test; the reader's choices follow them between pages.
"""

from __future__ import annotations

import streamlit as st

from dashboards.access.session import require_page
from dashboards.components import PageStop
from dashboards.filters import Filters, current_filters, remember, remembered, render_filter_bar
from dashboards.formatting import format_month
from dashboards.i18n import DEFAULT_LANGUAGE, KEY_LANGUAGE, LANGUAGES, current_language, t
from dashboards.serving import build_id, has_table

# the filter bar's options come from these marts; without them the bar is not drawn
FILTER_TABLES = (
    "finance.rpt_revenue_monthly",
    "core.dim_customer",
    "core.dim_sales_rep",
    "core.dim_channel",
)


def render_language() -> None:
    """The language switch at the top of the sidebar (``?lang=zh`` in a link picks it too)."""
    asked = st.query_params.get(KEY_LANGUAGE)
    if asked in LANGUAGES and f"_{KEY_LANGUAGE}" not in st.session_state:
        st.session_state[f"_{KEY_LANGUAGE}"] = asked  # a shared link opens in its language
    remembered(KEY_LANGUAGE)
    st.sidebar.selectbox(
        "Language / 语言",
        list(LANGUAGES),
        index=0 if KEY_LANGUAGE in st.session_state else list(LANGUAGES).index(DEFAULT_LANGUAGE),
        format_func=LANGUAGES.get,
        key=KEY_LANGUAGE,
    )
    remember(KEY_LANGUAGE)


def start_page(title_key: str, needs: tuple[str, ...] = ()) -> tuple[str, Filters]:
    """Draw the sidebar and the page title; return the reader's language and filters.

    Raises ``WarehouseNotPublished`` (the page guard turns it into "run `tandem run`") before a
    page draws anything from a warehouse that does not exist; a page that cannot draw without
    the marts in ``needs`` stops with guidance when one is missing.
    """
    # the page checks the reader's role itself: the sidebar only hides what it may not open
    require_page(title_key.removeprefix("page."))
    render_language()
    build_id()
    st.title(t(title_key))
    if all(has_table(name) for name in FILTER_TABLES):
        render_filter_bar()
    lang, filters = current_language(), current_filters()
    if filters.start is not None and filters.end is not None:
        st.caption(f"{format_month(filters.start, lang)} – {format_month(filters.end, lang)}")
    if not all(has_table(name) for name in needs):
        st.info(t("no_rows_warehouse"))
        raise PageStop
    return lang, filters


def sources(*tables: str) -> None:
    """Name the marts a section reads (the same list as its dbt exposure)."""
    st.caption(t("source", tables=", ".join(f"`{name}`" for name in tables)))
