"""Tandem dashboards: the Streamlit entry point (``tandem serve`` / ``make demo``)."""

import streamlit as st

st.set_page_config(page_title="Tandem", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="📈", default=True),
]
st.navigation(pages).run()
