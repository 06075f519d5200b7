"""Users and passwords (bcrypt, lock-out), the role x page matrix, and the login gate."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access import credentials
from dashboards.access.credentials import CredentialsError, authenticate
from dashboards.access.roles import PAGE_ROLES, ROLES, may_open
from dashboards.access.session import IDLE_SECONDS, MAX_SECONDS, SESSION_KEY
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.conftest import run_tandem

PAGES = {page: str(REPO_ROOT / "dashboards" / "views" / f"{page}.py") for page in PAGE_ROLES}
BUSINESS = ("finance", "sales", "data_quality")  # managers' and analysts' pages, not marketing's
OPEN = ("overview", "customer_360", "churn", "channel_roi", "segments")
EXPECTED = {
    **{
        (role, page): True for role in ("manager", "analyst", "marketing", "admin") for page in OPEN
    },
    **{(role, page): role != "marketing" for role in ROLES for page in BUSINESS},
    ("manager", "workbench"): False,
    ("manager", "segment_builder"): False,
    ("analyst", "workbench"): True,
    ("analyst", "segment_builder"): False,
    ("marketing", "workbench"): True,
    ("marketing", "segment_builder"): True,
    ("admin", "workbench"): True,
    ("admin", "segment_builder"): True,
}


def test_role_page_matrix_is_what_the_issue_asks() -> None:
    assert {(r, p): may_open(r, p) for r in ROLES for p in PAGE_ROLES} == EXPECTED
    assert not may_open("intruder", "overview")
    assert not may_open("admin", "a-page-nobody-listed")


def _signed_in(role: str, seconds_ago: float = 0) -> dict:
    now = time.time() - seconds_ago
    return {"username": f"u-{role}", "role": role, "name": role, "signed_in": now, "last_seen": now}


def _page_cases() -> list[tuple[str, str]]:
    """Every refused (page, role) pair, and per page the first role (in ROLES' order, least
    privileged first) that may open it: together they prove each page file asks for its own
    id, so the page enforces the matrix above (admin opens every page in tests/dashboards)."""
    refused = [(page, role) for (role, page), allowed in EXPECTED.items() if not allowed]
    first_allowed = [
        (page, next(role for role in ROLES if EXPECTED[(role, page)])) for page in PAGE_ROLES
    ]
    return sorted(refused + first_allowed)


@pytest.mark.parametrize(("page", "role"), _page_cases())
def test_pages_check_the_role_themselves(
    people_warehouse: TandemSettings, page: str, role: str
) -> None:
    """Every page file, opened directly (as a typed URL reaches it), enforces the matrix."""
    app = AppTest.from_file(PAGES[page], default_timeout=60)
    app.session_state[SESSION_KEY] = _signed_in(role)
    app.run()
    refused = [e.value for e in app.error if "may not open this page" in e.value]
    if EXPECTED[(role, page)]:
        assert not refused
        assert app.title  # the page drew itself (this small warehouse lacks most marts)
    else:
        assert refused == [f"Your role ({role}) may not open this page."]
        assert not app.title  # nothing of the page was rendered
        assert not app.dataframe and not app.get("download_button")


def test_no_session_and_expired_session_get_the_login_form(
    people_warehouse: TandemSettings,
) -> None:
    app = AppTest.from_file(PAGES["workbench"], default_timeout=60).run()
    assert app.title[0].value == "Sign in to Tandem"
    app = AppTest.from_file(PAGES["workbench"], default_timeout=60)
    app.session_state[SESSION_KEY] = _signed_in("analyst", seconds_ago=IDLE_SECONDS + 5)
    app.run()
    assert app.title[0].value == "Sign in to Tandem"
    assert app.info[0].value == "Your session expired: sign in again."
    # active all along, but signed in longer than a working day ago: expired too
    app = AppTest.from_file(PAGES["workbench"], default_timeout=60)
    session = _signed_in("analyst")
    session["signed_in"] -= MAX_SECONDS + 5
    app.session_state[SESSION_KEY] = session
    app.run()
    assert app.title[0].value == "Sign in to Tandem"
    assert app.info[0].value == "Your session expired: sign in again."
    # and a session inside both limits opens the page
    app = AppTest.from_file(PAGES["workbench"], default_timeout=60)
    session = _signed_in("analyst", seconds_ago=IDLE_SECONDS - 60)
    session["signed_in"] -= MAX_SECONDS - IDLE_SECONDS - 120
    app.session_state[SESSION_KEY] = session
    app.run()
    assert app.title[0].value == "SQL workbench"


def test_login_form_signs_in_and_opens_the_page(people_warehouse: TandemSettings) -> None:
    password = credentials.add_user("ana", "analyst")
    app = AppTest.from_file(PAGES["workbench"], default_timeout=60).run()
    app.text_input[0].input("ana")
    app.text_input[1].input(password)
    app.button[0].click().run()
    assert app.title[0].value == "SQL workbench"


def test_passwords_are_bcrypt_hashes_and_lockout_follows_failures(
    tandem_home: TandemSettings,
) -> None:
    password = credentials.add_user("mark", "marketing", name="Mark")
    text = credentials.credentials_path().read_text(encoding="utf-8")
    assert password not in text
    assert "$2b$" in text
    assert credentials.credentials_path().stat().st_mode & 0o077 == 0
    assert authenticate("mark", password).role == "marketing"
    now = time.time()
    for _ in range(credentials.MAX_FAILURES):
        with pytest.raises(CredentialsError, match="user name or password is wrong"):
            authenticate("mark", "wrong password", now=now)
    with pytest.raises(CredentialsError, match="locked for 15 more minute"):
        authenticate("mark", password, now=now)
    # after the lock has run out the right password works again
    assert authenticate("mark", password, now=now + credentials.LOCK_SECONDS + 1).username == "mark"
    new = credentials.reset_password("mark")
    with pytest.raises(CredentialsError):
        authenticate("mark", password)
    assert authenticate("mark", new).username == "mark"
    credentials.remove_user("mark")
    with pytest.raises(CredentialsError, match="user name or password is wrong"):
        authenticate("mark", new)
    with pytest.raises(CredentialsError, match="at least 10 characters"):
        credentials.add_user("short", "analyst", password="abc")
    with pytest.raises(CredentialsError, match="role 'boss'"):
        credentials.add_user("boss", "boss")


def test_users_command_and_demo_users(tandem_home: TandemSettings) -> None:
    env = {"TANDEM_HOME": str(tandem_home.root)}
    added = run_tandem("users", "add", "lin", "--role", "analyst", env=env)
    assert added.returncode == 0, added.stderr
    password = added.stdout.strip().rsplit(" ", 1)[-1]
    assert authenticate("lin", password).role == "analyst"
    assert run_tandem("users", "add", "lin", "--role", "admin", env=env).returncode == 1
    listed = run_tandem("users", "list", env=env).stdout.splitlines()
    assert listed == ["lin\tanalyst\tlin"]
    assert run_tandem("users", "remove", "lin", env=env).returncode == 0
    credentials.credentials_path().unlink()
    demo = credentials.ensure_demo_users()
    assert sorted(demo) == [f"demo-{role}" for role in sorted(ROLES)]
    for username, demo_password in demo.items():
        assert authenticate(username, demo_password).role == username.removeprefix("demo-")
    assert credentials.ensure_demo_users() == {}  # an existing file is never touched


def test_first_serve_prints_a_demo_user_per_role(
    people_warehouse: TandemSettings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """What `make demo` ends with: `tandem serve` creates the demo users and prints their
    passwords before it becomes the Streamlit server (the exec is stopped here)."""
    import argparse
    import os

    from orchestration.commands import serve

    class Exec(Exception):
        pass

    def stop(*_: object) -> None:
        raise Exec

    monkeypatch.setattr(os, "execve", stop)
    with pytest.raises(Exec):
        serve.cmd_serve(argparse.Namespace(port=8765))
    printed = capsys.readouterr()
    lines = [line.split() for line in (printed.out + printed.err).splitlines()]
    demo = {words[2]: words[4] for words in lines if words[:2] == ["demo", "user"]}
    assert sorted(demo) == [f"demo-{role}" for role in sorted(ROLES)]
    for username, password in demo.items():
        assert authenticate(username, password).role == username.removeprefix("demo-")
    with pytest.raises(Exec):  # a second serve prints no password again
        serve.cmd_serve(argparse.Namespace(port=8765))
    printed = capsys.readouterr()
    assert "password" not in printed.out + printed.err
