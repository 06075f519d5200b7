"""Keep dbt's manifest in step with the dbt project, outside of any import.

dagster-dbt builds its assets from ``target/manifest.json`` when the definitions are imported;
importing them runs nothing. ``DBT_PROJECT.prepare_if_dev()`` re-parses under ``dagster dev``
only, so every other entry point (the CLI, the benchmark children, pytest's session start, the
Makefile's ``manifest`` target) calls :func:`ensure_manifest` first, which runs ``dbt parse`` when
the manifest is missing or older than any project file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, get_settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_PROJECT_GLOBS = (
    "dbt_project.yml",
    "profiles.yml",
    "models/**/*",
    "macros/**/*",
    "seeds/**/*",
    "snapshots/**/*",
    "tests/**/*",
)


def _newest_project_mtime(project_dir: Path) -> float:
    return max(
        (
            p.stat().st_mtime
            for pattern in _PROJECT_GLOBS
            for p in project_dir.glob(pattern)
            if p.is_file()
        ),
        default=0.0,
    )


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or manifest.stat().st_mtime < _newest_project_mtime(project_dir)


def dbt_executable() -> str:
    """The dbt next to this interpreter (the project's venv), falling back to PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


DBT_CHILD = Path(__file__).with_name("bin") / "dbt-child"


def dbt_child_executable() -> str:
    """The dbt that Dagster runs: on Linux a launcher that ties dbt's life to the process that
    starts it (``bin/dbt-child``), elsewhere dbt itself.

    A `tandem run` killed by SIGTERM or kill -9 cannot stop its children itself; left running,
    a dbt child keeps the build file locked and the next run fails. The launcher reads the real
    dbt, its Python and the parent's id from the environment :func:`bind_dbt_child` sets.
    """
    return str(DBT_CHILD) if sys.platform.startswith("linux") else dbt_executable()


def bind_dbt_child() -> None:
    """Tell ``bin/dbt-child`` which dbt to run and which process it must not outlive; called
    by the step that starts dbt (importing the definitions changes no environment)."""
    os.environ["TANDEM_DBT_REAL"] = dbt_executable()
    os.environ["TANDEM_DBT_PYTHON"] = sys.executable
    os.environ["TANDEM_DBT_PARENT"] = str(os.getpid())


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Return the manifest path, running ``dbt parse`` first if it is missing or stale."""
    if manifest_is_stale(project_dir):
        env = {**os.environ, **get_settings().tool_env()}
        completed = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                "dbt parse failed; fix the dbt project and retry:\n"
                + (completed.stdout + completed.stderr).strip()[-4000:]
            )
    return project_dir / "target" / "manifest.json"


def require_manifest() -> Path:
    """The manifest the Dagster definitions load; prepared by an entry point, never here."""
    DBT_PROJECT.prepare_if_dev()  # `dagster dev` only: re-parse so edits show on reload
    if not MANIFEST.exists():
        raise RuntimeError(
            f"dbt's manifest {MANIFEST} is missing: run `make manifest` (dbt parse) before"
            " loading the Dagster definitions; every `tandem` command prepares it itself"
        )
    return MANIFEST
