"""Users, their roles and bcrypt password hashes, in ``TANDEM_HOME/app/credentials.yaml``.

Passwords are hashed with bcrypt (a maintained, salted, deliberately slow hasher); the file
holds hashes only and is written with owner-only permissions. Failed logins are counted in the
application store: after ``MAX_FAILURES`` in a row an account is locked for ``LOCK_SECONDS``.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from dashboards.access.roles import ROLES
from dashboards.appstore import app_dir
from dashboards.appstore import connect as store

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
MIN_PASSWORD_LENGTH = 10


class CredentialsError(ValueError):
    """A user command or login that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    name: str


def credentials_path() -> Path:
    return app_dir() / "credentials.yaml"


def _read(path: Path | None = None) -> dict[str, dict]:
    path = path or credentials_path()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("users") or {})


def _write(users: dict[str, dict], path: Path | None = None) -> None:
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"users": users}, handle, allow_unicode=True, sort_keys=True)
    os.replace(partial, path)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialsError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def list_users() -> list[User]:
    return [
        User(name, entry["role"], entry.get("name", name))
        for name, entry in sorted(_read().items())
    ]


def add_user(username: str, role: str, password: str | None = None, name: str = "") -> str:
    """Create a user; returns the password (generated when none is given)."""
    if role not in ROLES:
        raise CredentialsError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if not username or not username.replace("_", "").replace("-", "").isalnum():
        raise CredentialsError("a user name is letters, digits, '-' or '_'")
    users = _read()
    if username in users:
        raise CredentialsError(f"user {username!r} exists: use `tandem users reset`")
    password = password or generate_password()
    users[username] = {"role": role, "name": name or username, "password": hash_password(password)}
    _write(users)
    return password


def remove_user(username: str) -> None:
    users = _read()
    if username not in users:
        raise CredentialsError(f"no user {username!r}")
    del users[username]
    _write(users)
    _clear_failures(username)


def reset_password(username: str, password: str | None = None) -> str:
    """Set a new password (generated when none is given) and lift any lock-out."""
    users = _read()
    if username not in users:
        raise CredentialsError(f"no user {username!r}")
    password = password or generate_password()
    users[username]["password"] = hash_password(password)
    _write(users)
    _clear_failures(username)
    return password


def _clear_failures(username: str) -> None:
    with store() as con:
        con.execute("delete from login_failures where username = ?", [username])


def _locked_until(username: str) -> float | None:
    with store() as con:
        row = con.execute(
            "select locked_until from login_failures where username = ?", [username]
        ).fetchone()
    return row["locked_until"] if row and row["locked_until"] else None


def _record_failure(username: str, now: float) -> None:
    with store() as con:
        con.execute(
            "insert into login_failures (username, failures) values (?, 1)"
            " on conflict (username) do update set failures = failures + 1",
            [username],
        )
        con.execute(
            "update login_failures set locked_until = ?, failures = 0"
            " where username = ? and failures >= ?",
            [now + LOCK_SECONDS, username, MAX_FAILURES],
        )


def authenticate(username: str, password: str, now: float | None = None) -> User:
    """The user if the password is right; otherwise :class:`CredentialsError`. Unknown users
    and wrong passwords get the same message, and both count towards the lock-out."""
    now = time.time() if now is None else now
    locked = _locked_until(username)
    if locked and locked > now:
        minutes = max(1, round((locked - now) / 60))
        raise CredentialsError(
            f"too many failed logins: this account is locked for {minutes} more minute(s)"
        )
    entry = _read().get(username)
    stored = (entry or {}).get("password", "")
    if entry and bcrypt.checkpw(password.encode("utf-8"), stored.encode("ascii")):
        _clear_failures(username)
        return User(username, entry["role"], entry.get("name", username))
    _record_failure(username, now)
    raise CredentialsError("user name or password is wrong")


def ensure_demo_users() -> dict[str, str]:
    """When no credentials file exists, create one demo user per role; returns their
    passwords (to print once). An existing file is never touched."""
    if credentials_path().exists():
        return {}
    return {f"demo-{role}": add_user(f"demo-{role}", role) for role in ROLES}
