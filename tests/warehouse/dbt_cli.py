"""The real dbt CLI on Tandem's project, for tests that build their own warehouse.

Every call keeps dbt's artefacts and logs in the test's own ``target`` folder (never in the
repository) and fails the test with the tail of dbt's output when dbt fails. It starts dbt the way
the pipeline does (orchestration/dbt_manifest.py: ``home_independent``), so the first call of a
module reuses the project's parse instead of parsing every model and test again.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from orchestration.dbt_manifest import home_independent, seed_partial_parse
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, TandemSettings

DBT = REPO_ROOT / ".venv" / "bin" / "dbt"


def dbt_env(settings: TandemSettings, **overrides: str) -> dict[str, str]:
    """This process's environment plus the Tandem tool variables of ``settings``."""
    return {**os.environ, **settings.tool_env(), **overrides}


def run_dbt(
    env: dict[str, str], target: Path, *args: str, timeout: int = 600, check: bool = True
) -> subprocess.CompletedProcess:
    """``dbt ARGS`` with ``env``; with ``check`` a non-zero exit fails the calling test."""
    env, cwd = home_independent(env)
    if cwd is not None:
        cwd.mkdir(parents=True, exist_ok=True)
    seed_partial_parse(target)
    completed = subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        cwd=cwd or REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert completed.returncode == 0, f"dbt {' '.join(args)}:\n{completed.stdout[-4000:]}"
    return completed
