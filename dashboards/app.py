"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``).

The navigation only: every page draws the shared sidebar (language, filters) itself through
``dashboards.page.start_page``, so it runs the same here and alone in a test.
"""

import streamlit as st

from dashboards.i18n import current_language, t

# (file, label key, icon, url path): the order is the order of the navigation. The folder is
# views/, not pages/: Streamlit runs a file under pages/ directly when its URL is opened first,
# bypassing this navigation. Material icons, because emoji need a font servers often lack.
PAGES = [
    ("views/overview.py", "page.overview", ":material/insights:", "overview"),
    ("views/finance.py", "page.finance", ":material/payments:", "finance"),
    ("views/sales.py", "page.sales", ":material/handshake:", "sales"),
    ("views/customer_360.py", "page.customer_360", ":material/person_search:", "customer-360"),
    ("views/churn.py", "page.churn", ":material/warning:", "churn"),
    ("views/channel_roi.py", "page.channel_roi", ":material/campaign:", "channel-roi"),
    ("views/segments.py", "page.segments", ":material/grid_view:", "segments"),
    ("views/data_quality.py", "page.data_quality", ":material/fact_check:", "data-quality"),
]

st.set_page_config(
    page_title=t("app_title", lang=current_language()), page_icon="📊", layout="wide"
)
pages = [
    st.Page(path, title=t(label), icon=icon, url_path=url, default=index == 0)
    for index, (path, label, icon, url) in enumerate(PAGES)
]
st.navigation(pages).run()
