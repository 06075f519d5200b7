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
from dashboards.navigation import PAGES

st.set_page_config(
    page_title=t("app_title", lang=current_language()), page_icon="📊", layout="wide"
)
user = current_user()
if user is None:
    # a ?lang= link keeps its language through the login (the reader's own choice still wins)
    st.session_state.setdefault(f"_{KEY_LANGUAGE}", current_language())
    login_form()
    st.stop()
allowed = [page for page in PAGES if may_open(user.role, page.id)]
pages = [
    st.Page(
        f"views/{page.id}.py",
        title=t(page.title_key),
        icon=page.icon,
        url_path=page.url_path,
        default=index == 0,
    )
    for index, page in enumerate(allowed)
]
st.navigation(pages).run()
