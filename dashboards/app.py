"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``).

The login gate and the navigation only. The sidebar lists the pages the signed-in role may open;
every page checks the role again itself (``dashboards.access.session.require_page``, through
``dashboards.page.start_page``) and draws the shared sidebar (language, filters), so it runs the
same here and alone in a test.
"""

import streamlit as st

from dashboards.access.roles import may_open
from dashboards.access.session import current_user, login_form
from dashboards.i18n import KEY_LANGUAGE, current_language, t

# (file, label key, icon, url path = page id with dashes): the order is the navigation's. The
# folder is views/, not pages/: Streamlit runs a file under pages/ directly when its URL is
# opened first, bypassing this navigation. Material icons: emoji need fonts servers often lack.
PAGES = [
    ("views/overview.py", "page.overview", ":material/insights:", "overview"),
    ("views/finance.py", "page.finance", ":material/payments:", "finance"),
    ("views/sales.py", "page.sales", ":material/handshake:", "sales"),
    ("views/customer_360.py", "page.customer_360", ":material/person_search:", "customer-360"),
    ("views/churn.py", "page.churn", ":material/warning:", "churn"),
    ("views/channel_roi.py", "page.channel_roi", ":material/campaign:", "channel-roi"),
    ("views/segments.py", "page.segments", ":material/grid_view:", "segments"),
    ("views/data_quality.py", "page.data_quality", ":material/fact_check:", "data-quality"),
    ("views/workbench.py", "page.workbench", ":material/terminal:", "workbench"),
    ("views/segment_builder.py", "page.segment_builder", ":material/group_add:", "segment-builder"),
]

st.set_page_config(
    page_title=t("app_title", lang=current_language()), page_icon="📊", layout="wide"
)
user = current_user()
if user is None:
    # a ?lang= link keeps its language through the login (the reader's own choice still wins)
    st.session_state.setdefault(f"_{KEY_LANGUAGE}", current_language())
    login_form()
    st.stop()
allowed = [page for page in PAGES if may_open(user.role, page[3].replace("-", "_"))]
pages = [
    st.Page(path, title=t(label), icon=icon, url_path=url, default=index == 0)
    for index, (path, label, icon, url) in enumerate(allowed)
]
st.navigation(pages).run()
