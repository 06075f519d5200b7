"""``tandem docs``: dbt's documentation site for the warehouse (models, columns, lineage).

``dbt docs generate`` reads the catalog (actual column types, row counts) from the build file,
so it needs a warehouse built by ``tandem run`` or ``tandem build``. The site is written next
to the other dbt artefacts of this home (``TANDEM_HOME/dbt_target``): ``index.html`` for
``dbt docs serve`` and ``static_index.html``, one self-contained file to open or send.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from orchestration.dbt_manifest import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR, TandemSettings, get_settings

DOCS_PORT = 8080


class DocsError(RuntimeError):
    """The docs could not be generated; the message says why and what to do."""


def target_dir(settings: TandemSettings) -> Path:
    return settings.root / "dbt_target"


def _dbt(settings: TandemSettings, *args: str) -> list[str]:
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_dir(settings)),
    ]


def generate(settings: TandemSettings) -> Path:
    """Generate the docs site; returns the self-contained ``static_index.html``."""
    if not settings.build_db.exists():
        raise DocsError(
            f"no warehouse at {settings.build_db}: run `tandem run` (or `make demo`) first, "
            "the docs read column types and row counts from it"
        )
    env = {**os.environ, **settings.tool_env()}
    completed = subprocess.run(
        _dbt(settings, "docs", "generate", "--static"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise DocsError(f"dbt docs generate failed:\n{tail}")
    return target_dir(settings) / "static_index.html"


def cmd_docs(args: argparse.Namespace) -> int:
    settings = get_settings()
    page = generate(settings)
    print(f"dbt docs: {page}")
    if not args.serve:
        return 0
    env = {**os.environ, **settings.tool_env()}
    print(f"serving on http://127.0.0.1:{args.port}  (Ctrl+C to stop)", flush=True)
    command = [*_dbt(settings, "docs", "serve"), "--host", "127.0.0.1", "--port", str(args.port)]
    command += ["--no-browser"]
    os.execve(command[0], command, env)
    return 0  # not reached


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--serve", action="store_true", help="serve the site after generating it")
    parser.add_argument("--port", type=int, default=DOCS_PORT, help=f"default {DOCS_PORT}")
