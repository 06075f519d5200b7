"""The frame of a page: title, the filters in force, and the source marts named under it."""

from __future__ import annotations

import streamlit as st

from dashboards.filters import Filters, current_filters
from dashboards.formatting import format_month
from dashboards.i18n import current_language, t


def start_page(title_key: str) -> tuple[str, Filters]:
    """Draw the page title and return the reader's language and filters."""
    lang = current_language()
    filters = current_filters()
    st.title(t(title_key))
    if filters.start is not None and filters.end is not None:
        st.caption(f"{format_month(filters.start, lang)} – {format_month(filters.end, lang)}")
    return lang, filters


def sources(*tables: str) -> None:
    """Name the marts a section reads (the same list as its dbt exposure)."""
    st.caption(t("source", tables=", ".join(f"`{name}`" for name in tables)))
