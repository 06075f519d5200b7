"""The global filter bar: period, region, sales rep and channel, honoured by every page.

The widgets live in the sidebar (drawn once by app.py, before the page runs); pages read the
choice as a ``Filters`` value and turn it into SQL with the helpers here, so every page applies
the same rule: region, rep and channel select customers (the golden customer's region, owner and
acquisition channel); opportunity-level marts use their own rep and channel columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import streamlit as st

from dashboards.formatting import format_month
from dashboards.i18n import current_language, t
from dashboards.serving import cached_query

# session-state keys of the widgets (tests set them the same way a reader does)
KEY_START, KEY_END = "filter_start", "filter_end"
KEY_REGIONS, KEY_REPS, KEY_CHANNELS = "filter_regions", "filter_reps", "filter_channels"
# how many months the period covers when the reader has chosen nothing
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Filters:
    """What the reader chose; empty tuples mean "all"."""

    start: dt.date | None = None
    end: dt.date | None = None
    regions: tuple[str, ...] = field(default_factory=tuple)
    reps: tuple[int, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def narrows_customers(self) -> bool:
        return bool(self.regions or self.reps or self.channels)

    def previous(self) -> Filters:
        """The period of the same length right before this one (for "change vs previous")."""
        if self.start is None or self.end is None:
            return self
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return Filters(
            _shift(self.start, -months),
            _shift(self.end, -months),
            self.regions,
            self.reps,
            self.channels,
        )

    def period_sql(self, column: str) -> tuple[str, list]:
        """``column`` (a date or month) inside the chosen months."""
        if self.start is None or self.end is None:
            return "true", []
        return f"({column} >= ? and {column} < ?)", [self.start, _shift(self.end, 1)]

    def customer_sql(self, column: str = "customer_key") -> tuple[str, list]:
        """``column`` is a golden customer that matches region, owner and acquisition channel."""
        if not self.narrows_customers:
            return "true", []
        parts, params = [], []
        if self.regions:
            parts.append("list_contains(?, region)")
            params.append(list(self.regions))
        if self.reps:
            parts.append("list_contains(?, owner_user_id)")
            params.append(list(self.reps))
        if self.channels:
            parts.append("list_contains(?, source_channel)")
            params.append(list(self.channels))
        sql = (
            f"{column} in (select customer_key from core.dim_customer where {' and '.join(parts)})"
        )
        return sql, params

    def opportunity_sql(
        self, rep_column: str = "sales_rep_id", channel_column: str = "channel"
    ) -> tuple[str, list]:
        """Opportunity-level rows: their own rep and channel (region has no meaning there)."""
        parts, params = ["true"], []
        if self.reps:
            parts.append(f"list_contains(?, {rep_column})")
            params.append(list(self.reps))
        if self.channels:
            parts.append(f"list_contains(?, {channel_column})")
            params.append(list(self.channels))
        return " and ".join(parts), params


def where(*clauses: tuple[str, list]) -> tuple[str, list]:
    """Join filter clauses with ``and`` into one SQL condition and its parameters."""
    sql = " and ".join(clause for clause, _ in clauses) or "true"
    params = [param for _, clause_params in clauses for param in clause_params]
    return sql, params


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _options() -> dict[str, list]:
    months = cached_query(
        "select distinct revenue_month from finance.rpt_revenue_monthly order by 1"
    )["revenue_month"].to_list()
    regions = cached_query(
        "select distinct region from core.dim_customer where region is not null order by 1"
    )["region"].to_list()
    reps = cached_query(
        "select sales_rep_id, sales_rep_name from core.dim_sales_rep order by sales_rep_name"
    )
    channels = cached_query("select channel, channel_name from core.dim_channel order by 1")
    return {
        "months": months,
        "regions": regions,
        "reps": dict(zip(reps["sales_rep_id"], reps["sales_rep_name"], strict=True)),
        "channels": dict(zip(channels["channel"], channels["channel_name"], strict=True)),
    }


def remembered(key: str) -> None:
    """Give the widget ``key`` the value the reader chose on another page.

    Streamlit drops a widget's state when a run does not draw it (a page switch), so every page
    draws the bar and the choice is kept under a plain session key between pages.
    """
    saved = st.session_state.get(f"_{key}")
    if saved is not None and key not in st.session_state:
        st.session_state[key] = saved


def remember(key: str) -> None:
    """Keep the widget's current value for the next page (see ``remembered``)."""
    st.session_state[f"_{key}"] = st.session_state.get(key)


def render_filter_bar() -> None:
    """Draw the filter widgets in the sidebar (every page, before its body)."""
    lang = current_language()
    keys = (KEY_START, KEY_END, KEY_REGIONS, KEY_REPS, KEY_CHANNELS)
    for key in keys:
        remembered(key)
    options = _options()
    months = options["months"]
    bar = st.sidebar
    bar.subheader(t("filters"))
    if months:
        default_start = months[max(0, len(months) - DEFAULT_MONTHS)]
        bar.selectbox(
            t("period_from"),
            months,
            # a restored choice sets the value; a second default would trip Streamlit's warning
            index=0 if KEY_START in st.session_state else months.index(default_start),
            format_func=lambda m: format_month(m, lang),
            key=KEY_START,
        )
        bar.selectbox(
            t("period_to"),
            months,
            index=0 if KEY_END in st.session_state else len(months) - 1,
            format_func=lambda m: format_month(m, lang),
            key=KEY_END,
        )
    bar.multiselect(t("region"), options["regions"], key=KEY_REGIONS, placeholder=t("all"))
    reps = options["reps"]
    bar.multiselect(
        t("sales_rep"),
        list(reps),
        format_func=lambda rep: reps.get(rep, str(rep)),
        key=KEY_REPS,
        placeholder=t("all"),
    )
    channels = options["channels"]
    bar.multiselect(
        t("channel"),
        list(channels),
        # the language bound, as for the months: the label must not depend on where Streamlit
        # calls this (outside the script run, where the reader's language is not known, it
        # would map a Chinese choice back to no option and drop it after a switch)
        format_func=lambda channel: t(f"channel.{channel}", lang, default=channels[channel]),
        key=KEY_CHANNELS,
        placeholder=t("all"),
    )
    for key in keys:
        remember(key)


def current_filters() -> Filters:
    """The reader's choice from session state (defaults when the bar was never drawn)."""
    state = st.session_state
    start, end = state.get(KEY_START), state.get(KEY_END)
    if start is not None and end is not None and start > end:
        start, end = end, start  # a reversed range means the same months
    return Filters(
        start=start,
        end=end,
        regions=tuple(state.get(KEY_REGIONS) or ()),
        reps=tuple(state.get(KEY_REPS) or ()),
        channels=tuple(state.get(KEY_CHANNELS) or ()),
    )
