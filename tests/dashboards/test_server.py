"""`tandem serve` imports what the pages need before its first reader (dashboards/server.py)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboards.server import SCRIPTS, imported_modules
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.warehouse.conftest import TinyWarehouse

# one fresh process: warm up (or not), then the first signed-in view of Overview in AppTest;
# prints the modules that view imported
FIRST_VIEW = """
import json, sys, time
from streamlit.testing.v1 import AppTest
from dashboards.access.session import SESSION_KEY
from dashboards.navigation import PAGE_BY_ID

if sys.argv[1] == "warm":
    from dashboards.server import warm_up
    warm_up()
before = set(sys.modules)
app = AppTest.from_file(str(PAGE_BY_ID["overview"].file), default_timeout=120)
now = time.time()
app.session_state[SESSION_KEY] = {
    "username": "test", "role": "admin", "name": "test", "signed_in": now, "last_seen": now
}
app.run()
assert not app.exception, app.exception
assert [title.value for title in app.title] == ["Overview"], app.title
print(json.dumps(sorted(set(sys.modules) - before)))
"""
# the libraries behind a page view and the app's own modules
PAGE_LIBRARIES = {"dashboards", "plotly", "pandas", "pyarrow", "polars", "narwhals", "numpy"}


def _first_view_imports(warm: bool) -> set[str]:
    """The top-level packages whose modules Overview's first view imported."""
    completed = subprocess.run(
        [sys.executable, "-c", FIRST_VIEW, "warm" if warm else "cold"],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return {name.split(".")[0] for name in json.loads(completed.stdout.splitlines()[-1])}


def test_the_first_view_after_the_warm_up_imports_none_of_the_pages_libraries(
    tiny: TinyWarehouse,
) -> None:
    cold = _first_view_imports(warm=False)
    # without the warm-up the first view imports them itself (what the reader waited for)
    assert {"plotly", "pandas", "pyarrow", "dashboards"} <= cold, cold
    warm = _first_view_imports(warm=True)
    assert not warm & PAGE_LIBRARIES, warm & PAGE_LIBRARIES


def test_the_modules_are_read_from_the_pages_imports(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text(
        "from __future__ import annotations\n"
        "import plotly.express as px\n"
        "from dashboards.data import overview as data\n"
        "from dashboards.i18n import t\n"
        "from . import nearby\n"
        "def draw():\n"
        "    import tempfile\n",
        encoding="utf-8",
    )
    assert imported_modules([script]) == [
        "dashboards.data",
        "dashboards.data.overview",  # a module, though named in a from-import
        "dashboards.i18n",  # t is a function of it, not a module
        "plotly.express",
        "tempfile",
    ]
    # a page that cannot be parsed is left to show its own error; the others are still read
    broken = tmp_path / "broken.py"
    broken.write_text("import polars as pl\nif True\n", encoding="utf-8")
    assert imported_modules([broken, script])[-1] == "tempfile"
    assert "polars" not in imported_modules([broken, script])
    # the real pages: the entry point and every view, Overview's data module among them
    assert len(SCRIPTS) >= 9 and "dashboards.data.overview" in imported_modules(SCRIPTS)


def test_serve_starts_streamlit_through_the_warm_up(
    empty_published: TandemSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exec'd command is Streamlit's own `run` command line, behind dashboards.server."""
    from orchestration.commands import serve

    started: list[list[str]] = []

    class Exec(Exception):
        pass

    def execve(_path: str, command: list[str], _env: dict) -> None:
        started.append(command)
        raise Exec

    monkeypatch.setattr(os, "execve", execve)
    with pytest.raises(Exec):
        serve.cmd_serve(argparse.Namespace(port=8765))
    command = started[0]
    assert command[1:5] == ["-m", "dashboards.server", "run", str(REPO_ROOT / "dashboards/app.py")]
    assert command[command.index("--server.port") + 1] == "8765"
