"""The login gate every page runs first: who is signed in, for how long, and may they be here.

Streamlit keeps ``st.session_state`` on the server, per browser session; a page calls
:func:`require_page` before it reads any data, so typing a page's URL or hiding the sidebar
changes nothing. Sessions expire after ``IDLE_SECONDS`` without a rerun and ``MAX_SECONDS``
after login.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboards.access.credentials import CredentialsError, User, authenticate
from dashboards.access.roles import may_open

IDLE_SECONDS = 30 * 60
MAX_SECONDS = 8 * 60 * 60
SESSION_KEY = "tandem_user"


def current_user(now: float | None = None) -> User | None:
    """The signed-in user, or None when nobody is or the session has expired."""
    now = time.time() if now is None else now
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    if now - session["last_seen"] > IDLE_SECONDS or now - session["signed_in"] > MAX_SECONDS:
        del st.session_state[SESSION_KEY]
        st.session_state["tandem_expired"] = True
        return None
    session["last_seen"] = now
    return User(session["username"], session["role"], session["name"])


def sign_in(user: User, now: float | None = None) -> None:
    now = time.time() if now is None else now
    st.session_state[SESSION_KEY] = {
        "username": user.username,
        "role": user.role,
        "name": user.name,
        "signed_in": now,
        "last_seen": now,
    }


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def login_form() -> None:
    """Render the login form; on success sign in and rerun."""
    st.title("Sign in to Tandem")
    if st.session_state.pop("tandem_expired", False):
        st.info("Your session expired: sign in again.")
    with st.form("login"):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            user = authenticate(username.strip(), password)
        except CredentialsError as error:
            st.error(str(error))
            return
        sign_in(user)
        st.rerun()


def require_page(page: str) -> User:
    """Stop the page unless a signed-in user whose role may open ``page`` is here."""
    user = current_user()
    if user is None:
        login_form()
        st.stop()
    if not may_open(user.role, page):
        st.error(f"Your role ({user.role}) may not open this page.")
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {user.name} ({user.role})")
        if st.button("Sign out"):
            sign_out()
            st.rerun()
    return user
