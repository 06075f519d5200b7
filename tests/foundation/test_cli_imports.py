"""Commands that answer before any build never load Dagster or dbt (about 5 CPU s of imports).

`tandem --help`, and `tandem run` on an empty home, must answer in about a second: the user is
waiting, and the test suite starts dozens of such processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from orchestration.settings import REPO_ROOT, TandemSettings

# run `tandem` in a child with the given arguments, then say which heavy packages it imported
PROBE = """
import contextlib, io, json, sys
from orchestration.cli import main
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as end:
        code = end.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"dagster", "dagster_dbt", "dbt"})
print(json.dumps({"code": code, "heavy": heavy, "stderr": err.getvalue()}))
"""


def probe(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=REPO_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_help_loads_neither_dagster_nor_dbt() -> None:
    result = probe("--help")
    assert result["code"] == 0
    assert result["heavy"] == []


def test_run_on_an_empty_home_answers_without_dagster(tandem_home: TandemSettings) -> None:
    result = probe("run")
    assert result["code"] == 1
    assert result["stderr"].startswith("tandem run: nothing to build: no extract has landed")
    assert result["heavy"] == []
