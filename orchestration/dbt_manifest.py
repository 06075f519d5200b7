"""Keep dbt's manifest in step with the dbt project.

dagster-dbt builds its assets from ``target/manifest.json``. ``DbtProject.prepare_if_dev`` only
parses under ``dagster dev``, so every other entry point (CLI, tests, CI) calls
:func:`ensure_manifest`, which runs ``dbt parse`` when the manifest is missing or older than any
project file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, get_settings

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
