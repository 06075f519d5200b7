"""Shared fixtures: every test gets its own TANDEM_HOME, so nothing touches ./data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, TandemSettings


@pytest.fixture
def tandem_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TandemSettings]:
    """A fresh runtime home exported as TANDEM_HOME (and the tool variables derived from it)."""
    home = tmp_path / "home"
    monkeypatch.setenv("TANDEM_HOME", str(home))
    settings = TandemSettings()
    settings.ensure_dirs()
    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    yield settings


def run_tandem(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
    """Run the real `tandem` entry point in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
