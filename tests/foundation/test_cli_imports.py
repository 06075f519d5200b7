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


def test_make_manifest_leaves_a_fresh_manifest_alone() -> None:
    """`make manifest` (a prerequisite of lint, test and test-fast) starts no dbt parse when no
    project file is newer than the manifest: a parse rewrites manifest.json."""
    from orchestration.dbt_manifest import MANIFEST, ensure_manifest

    ensure_manifest()
    before = MANIFEST.stat().st_mtime_ns
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_manifest"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert MANIFEST.stat().st_mtime_ns == before


def test_a_project_file_newer_than_the_manifest_makes_it_stale(tmp_path) -> None:
    from orchestration.dbt_manifest import manifest_is_stale

    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    assert manifest_is_stale(project)  # no manifest yet
    (project / "target").mkdir()
    manifest = project / "target" / "manifest.json"
    manifest.write_text("{}", encoding="utf-8")
    assert not manifest_is_stale(project)
    model = project / "models" / "m.sql"
    model.write_text("select 1", encoding="utf-8")
    later = manifest.stat().st_mtime + 5
    os.utime(model, (later, later))
    assert manifest_is_stale(project)
