"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``)."""

import streamlit as st

from dashboards.access.roles import may_open
from dashboards.access.session import current_user, login_form

st.set_page_config(page_title="Tandem", page_icon="📊", layout="wide")

user = current_user()
if user is None:
    login_form()
    st.stop()

# the sidebar lists what the role may open; each page checks the role again itself
pages = [
    (st.Page("pages/overview.py", title="Overview", icon="📈", default=True), "overview"),
    (st.Page("pages/workbench.py", title="SQL workbench", icon="🧮"), "workbench"),
    (st.Page("pages/segment_builder.py", title="Segments", icon="🎯"), "segment_builder"),
]
st.navigation([page for page, page_id in pages if may_open(user.role, page_id)]).run()
