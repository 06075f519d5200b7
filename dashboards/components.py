"""Pieces every page shares: the error guard, downloadable tables, KPI cards, model guidance.

No page shows a traceback: ``guarded`` turns a missing warehouse into "run `tandem run`" and any
other failure into one sentence naming what failed, logged in full for the operator.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboards.downloads import csv_bytes
from dashboards.formatting import change_ratio, format_date
from dashboards.i18n import LANGUAGES, current_language, t
from dashboards.navigation import PAGE_BY_ID
from dashboards.serving import (
    WarehouseNotPublished,
    cached_query,
    current_build,
    has_table,
    page_run,
)

if TYPE_CHECKING:  # Plotly is imported by the pages that draw charts, not by every page
    import plotly.graph_objects as go

log = logging.getLogger("tandem.dashboards")
# the name a model's runs carry in ml.model_runs, where it is not the page's name for it
RUN_NAMES = {
    "clusters": "segments",
    "segment_history": "segments",
    "channel_roi": "channel_attribution",
}
# a browser table beyond this many rows is slow to draw and nobody reads it; the CSV has all
MAX_SHOWN_ROWS = 1000


class PageStop(Exception):
    """Raised by a page helper to end the page after it has shown its guidance."""


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a page body (its queries sharing one connection); show guidance instead of a
    traceback whatever goes wrong."""
    try:
        with page_run():
            yield
    except PageStop:
        return
    except WarehouseNotPublished as missing:
        st.error(str(missing))
    except duckdb.CatalogException as missing:
        # a mart the page reads is not in this build (an empty or partial warehouse)
        log.warning("dashboard page reads a missing table: %s", missing)
        st.info(t("no_rows_warehouse"))
    except Exception as error:  # the last line of defence: a reader never sees a traceback
        log.exception("dashboard page failed")
        st.error(t("page_failed", error=f"{type(error).__name__}: {error}"))


def table(
    frame: pl.DataFrame,
    name: str,
    labels: dict[str, str] | None = None,
    max_rows: int = MAX_SHOWN_ROWS,
    full: Callable[[], pl.DataFrame] | None = None,
    total: int | None = None,
) -> None:
    """Show a table with translated headers and a CSV download (all rows) under it.

    A table too long to read is queried as its first rows only: ``full`` then reads every row
    when the reader clicks the download, and ``total`` says how many there are.
    """
    labels = labels or {}

    def named(rows: pl.DataFrame) -> pl.DataFrame:
        return rows.rename({col: labels[col] for col in rows.columns if col in labels})

    shown = named(frame)
    total = shown.height if total is None else total
    if total > min(max_rows, shown.height):
        st.caption(t("rows_shown", shown=f"{min(max_rows, shown.height):,}", total=f"{total:,}"))
    st.dataframe(shown.head(max_rows), hide_index=True, width="stretch")
    st.download_button(
        t("download_csv"),
        # built only when the reader clicks
        data=lambda: csv_bytes(named(full()) if full is not None else shown),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(name: str, key: str, build: str, _make: Callable[[], go.Figure]) -> go.Figure:
    # ``build`` is only part of the key (a publish draws new figures); ``_make`` is not hashed
    del name, key, build
    return _make()


def cached_figure(name: str, make: Callable[[], go.Figure], *key: object) -> go.Figure:
    """The figure ``make`` builds, built once per published build and ``key`` (the filters and
    the language it depends on) and shared by every reader: Plotly Express spends 0.1-0.2 s of
    server CPU validating one figure, the largest part of a warm Channel ROI run. The figure
    is shared, so nobody may change it after (``st.plotly_chart`` only reads it)."""
    return _figure(name, repr(key), current_build(), make)


def chart_table(
    frame: pl.DataFrame,
    name: str,
    labels: dict[str, str] | None = None,
    title: str | None = None,
    **options: object,
) -> None:
    """The numbers behind the chart (or card) above it, as a ``table`` (with its download) in
    a closed expander titled ``title`` (default: "the chart's figures"): a real browser draws a
    table it shows for about 0.12 s of CPU and one it keeps folded for a third of that
    (docs/BENCHMARKS.md), and the chart already shows the same figures."""
    with st.expander(title or t("chart_data")):
        table(frame, name, labels, **options)


def open_section(page: str) -> tuple[int, DeltaGenerator]:
    """The tabs of ``page``'s sections (``dashboards.navigation``), of which only the open one
    runs: its index and its container.

    A real browser pays for every chart and table it draws (most of a warm page view at medium,
    docs/BENCHMARKS.md), hidden tabs included, so a switch reruns the page with the chosen
    section alone (``on_change="rerun"``); the first section opens by default.
    """
    spec = PAGE_BY_ID[page]
    _keep_open_section(spec.tab_key, spec.tabs)
    tabs = st.tabs([t(label) for label in spec.tabs], key=spec.tab_key, on_change="rerun")
    index = next((number for number, tab in enumerate(tabs) if tab.open), 0)
    return index, tabs[index]


def _keep_open_section(key: str, label_keys: Sequence[str]) -> None:
    """Keep the reader's section open across a language switch.

    Streamlit keeps the open tab by its label, and a switch of language changes every label:
    the tabs then open on the first section. The label kept from the last run (in whichever
    language) names a section; it is put back in the reader's language before the tabs are
    drawn, as the choice of section.
    """
    shown = st.session_state.get(key)
    if shown is None:
        return
    for label_key in label_keys:
        if shown in {t(label_key, lang=lang) for lang in LANGUAGES}:
            if shown != t(label_key):
                st.session_state[key] = t(label_key)
            return


def kpi(
    column: st.delta_generator.DeltaGenerator,
    label: str,
    current: float | None,
    previous: float | None,
    fmt: Callable[[float | None], str],
    inverse: bool = False,
) -> None:
    """A KPI card: the value in the period and its change against the previous period."""
    change = change_ratio(current, previous)
    delta = None if change is None else f"{change * 100:+.1f}%"
    column.metric(
        label,
        fmt(current),
        delta,
        delta_color="inverse" if inverse else "normal",
        help=t("vs_previous", value=fmt(previous)),
    )


def require_rows(frame: pl.DataFrame, filtered: bool) -> None:
    """Stop the page with guidance when there is nothing to show (and say why)."""
    if frame.is_empty():
        st.info(t("no_rows_filter") if filtered else t("no_rows_warehouse"))
        raise PageStop


def model_guidance(model: str, tables: Sequence[str]) -> bool:
    """Whether ``tables`` exist; if not, say why (from ml.model_runs when it exists) and stop."""
    missing = [name for name in tables if not has_table(name)]
    if not missing:
        return True
    st.info(t("model_missing", model=t(f"model.{model}"), tables=", ".join(missing)))
    reason = last_model_run(RUN_NAMES.get(model, model))
    if reason:
        st.caption(reason)
    st.markdown(t("model_howto"))
    return False


def last_model_run(model: str) -> str | None:
    """The last ml.model_runs row of ``model`` as one sentence, when the run log exists."""
    if not has_table("ml.model_runs"):
        return None
    runs = cached_query(
        "select status, reason, as_of_date, run_at from ml.model_runs "
        "where model = ? order by run_at desc limit 1",
        [model],
    )
    if runs.is_empty():
        return t("model_never_ran")
    row = runs.row(0, named=True)
    return t(
        "model_last_run",
        status=row["status"],
        reason=row["reason"] or "—",
        as_of=format_date(row["as_of_date"], current_language()),
    )


def parse_reasons(value: str | list | None) -> str:
    """Churn reasons come as a list, JSON or text; show them as one readable line."""
    if value is None or len(value) == 0:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(parsed, list):
        return "; ".join(str(item) for item in parsed)
    return str(parsed)
