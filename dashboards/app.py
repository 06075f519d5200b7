"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``).

Draws what every page shares (language switch, filter bar) and then runs the chosen page.
"""

import streamlit as st

from dashboards.components import guarded
from dashboards.filters import render_filter_bar
from dashboards.i18n import DEFAULT_LANGUAGE, KEY_LANGUAGE, LANGUAGES, t
from dashboards.serving import serving_path

# (file, label key, icon, url path): the order is the order of the navigation
PAGES = [
    ("pages/overview.py", "page.overview", "📈", "overview"),
    ("pages/finance.py", "page.finance", "💴", "finance"),
    ("pages/sales.py", "page.sales", "🤝", "sales"),
    ("pages/customer_360.py", "page.customer_360", "🧭", "customer-360"),
    ("pages/churn.py", "page.churn", "⚠️", "churn"),
    ("pages/channel_roi.py", "page.channel_roi", "📣", "channel-roi"),
    ("pages/segments.py", "page.segments", "🧩", "segments"),
    ("pages/data_quality.py", "page.data_quality", "🩺", "data-quality"),
]

st.set_page_config(page_title="Tandem", page_icon="📊", layout="wide")
st.sidebar.selectbox(
    "Language / 语言",
    list(LANGUAGES),
    index=list(LANGUAGES).index(DEFAULT_LANGUAGE),
    format_func=LANGUAGES.get,
    key=KEY_LANGUAGE,
)
if serving_path().exists():  # without a warehouse the page itself says what to run
    with st.sidebar, guarded():  # a broken bar says so in the sidebar; the page still runs
        render_filter_bar()

pages = [
    st.Page(path, title=t(label), icon=icon, url_path=url, default=index == 0)
    for index, (path, label, icon, url) in enumerate(PAGES)
]
st.navigation(pages).run()
