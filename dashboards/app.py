"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``).

The navigation only: every page draws the shared sidebar (language, filters) itself through
``dashboards.page.start_page``, so it runs the same here and alone in a test.
"""

import streamlit as st

from dashboards.i18n import current_language, t

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

st.set_page_config(
    page_title=t("app_title", lang=current_language()), page_icon="📊", layout="wide"
)
pages = [
    st.Page(path, title=t(label), icon=icon, url_path=url, default=index == 0)
    for index, (path, label, icon, url) in enumerate(PAGES)
]
st.navigation(pages).run()
