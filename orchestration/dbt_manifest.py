"""Keep dbt's manifest in step with the dbt project, outside of any import.

dagster-dbt builds its assets from ``target/manifest.json`` when the definitions are imported;
importing them runs nothing. dagster-dbt's ``DbtProject.prepare_if_dev()`` re-parses under
``dagster dev`` only, so every other entry point (the CLI, the benchmark children, pytest's
session start, the Makefile's ``manifest`` target) calls :func:`ensure_manifest` first, which runs
``dbt parse`` when the manifest is missing or older than any project file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, get_settings

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
PARTIAL_PARSE = "partial_parse.msgpack"
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


def home_independent(env: Mapping[str, str]) -> tuple[dict[str, str], Path | None]:
    """``env`` for a dbt process whose profile renders the same in every home, and the folder
    to start it in (None: keep the caller's).

    dbt re-parses the whole project (about 25 CPU seconds) whenever the rendered profile differs
    from the one its ``partial_parse.msgpack`` was written with, and the absolute path of the
    build file differs in every home and every copy of one. Started in the build file's folder
    with the bare file name, the profile is the same everywhere, so a fresh home reuses the
    project's parse and the quality gate reuses the build's.
    """
    build = Path(env.get("TANDEM_BUILD_DB", ""))
    if not build.is_absolute():
        return dict(env), None
    return {**env, "TANDEM_BUILD_DB": build.name}, build.parent


def seed_partial_parse(target: Path, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Give a new dbt target folder the project's parse, so its first dbt call parses only
    what changed since (dagster-dbt does the same for the targets it runs in)."""
    parsed = project_dir / "target" / PARTIAL_PARSE
    if parsed.exists() and not (target / PARTIAL_PARSE).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parsed, target / PARTIAL_PARSE)


def parse(project_dir: Path = DBT_PROJECT_DIR) -> subprocess.CompletedProcess:
    """``dbt parse`` of the project into its own target folder, as a home's dbt steps see it."""
    env, _ = home_independent({**os.environ, **get_settings().tool_env()})
    return subprocess.run(
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


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Return the manifest path, running ``dbt parse`` first if it is missing or stale."""
    if manifest_is_stale(project_dir):
        completed = parse(project_dir)
        if completed.returncode != 0:
            raise RuntimeError(
                "dbt parse failed; fix the dbt project and retry:\n"
                + (completed.stdout + completed.stderr).strip()[-4000:]
            )
    return project_dir / "target" / "manifest.json"


def require_manifest() -> Path:
    """The manifest the Dagster definitions load; prepared by an entry point, never here."""
    # imported here, not at the top: dagster_dbt costs about 5 CPU s, and every `tandem`
    # command, pytest's session start and `make manifest` import this module without needing it
    from dagster_dbt import DbtProject

    # `dagster dev` only: re-parse so edits show on reload
    DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR).prepare_if_dev()
    if not MANIFEST.exists():
        raise RuntimeError(
            f"dbt's manifest {MANIFEST} is missing: run `make manifest` (dbt parse) before"
            " loading the Dagster definitions; every `tandem` command prepares it itself"
        )
    return MANIFEST


def main(argv: list[str] | None = None) -> int:
    """``python -m orchestration.dbt_manifest [--force]`` (`make manifest`): parse the project
    when the manifest is missing or older than a project file (``--force``: always), partially
    (only what changed since the last parse). A fresh manifest costs a stat of each project file
    instead of a dbt start (about 9 CPU s), which every make target that needs it paid."""
    force = "--force" in (sys.argv[1:] if argv is None else argv)
    if not force and not manifest_is_stale():
        return 0
    result = parse()
    if result.returncode != 0:
        print((result.stdout + result.stderr).strip()[-4000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
