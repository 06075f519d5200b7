"""The Streamlit app ``bench.browser_costs`` times: one page per kind of element, drawn ``n``
times, and a blank page to come from (a sidebar link per page, as the dashboards' navigation)."""

import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# page title -> (element, how many, rows of its data)
CASES = {
    "blank-page": ("none", 0, 12),
    "table-x1": ("table", 1, 12),
    "table-x4": ("table", 4, 12),
    "table-x1-1000-rows": ("table", 1, 1000),
    "folded-table-x4": ("folded", 4, 12),
    "html-table-x4": ("html", 4, 12),
    "chart-x1": ("chart", 1, 12),
    "chart-x1-no-modebar": ("chart_bare", 1, 12),
    "chart-x1-static": ("chart_static", 1, 12),
    "radio-x1": ("radio", 1, 12),
    "metric-x8": ("metric", 8, 12),
    "caption-x8": ("caption", 8, 12),
    "download-x4": ("download", 4, 12),
}


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.date_range("2024-01-01", periods=rows, freq="D"),
            "name": [f"customer {i}" for i in range(rows)],
            "amount": np.arange(rows) * 1234.5,
            "share": np.arange(rows) * 0.1,
        }
    )


def _chart(frame: pd.DataFrame, config: dict | None) -> None:
    figure = go.Figure()
    figure.add_bar(x=frame["month"], y=frame["amount"])
    figure.add_bar(x=frame["month"], y=frame["share"])
    figure.update_layout(height=340)
    st.plotly_chart(figure, width="stretch", config=config)


def _draw(title: str) -> None:
    kind, count, rows = CASES[title]
    st.title(title)
    frame = _frame(rows)
    for number in range(count):
        if kind == "table":
            st.dataframe(frame, hide_index=True, width="stretch")
        elif kind == "folded":
            with st.expander("figures"):
                st.dataframe(frame, hide_index=True, width="stretch")
        elif kind == "html":
            st.table(frame)
        elif kind.startswith("chart"):
            config = {"chart": None, "chart_bare": {"displayModeBar": False}}.get(
                kind, {"staticPlot": True}
            )
            _chart(frame, config)
        elif kind == "radio":
            st.radio("by", ["a", "b", "c", "d"], horizontal=True, key=f"radio{number}")
        elif kind == "metric":
            st.metric("metric", "¥1,234", "+1.2%", help="help")
        elif kind == "caption":
            st.caption(f"Source `a.b`, `c.d` {number}")
        elif kind == "download":
            st.download_button(
                "csv", data=lambda: b"x", file_name="x.csv", key=f"dl{number}", on_click="ignore"
            )


st.set_page_config(layout="wide")
st.navigation(
    [
        st.Page(functools.partial(_draw, title), title=title, url_path=title, default=index == 0)
        for index, title in enumerate(CASES)
    ]
).run()
