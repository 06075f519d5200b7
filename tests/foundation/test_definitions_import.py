"""Importing the Dagster definitions runs nothing: no dbt parse, no change to the environment."""

from __future__ import annotations

import subprocess
import sys

from orchestration.settings import REPO_ROOT

PROBE = """
import os, subprocess
before = dict(os.environ)

real_popen_init = subprocess.Popen.__init__

def no_dbt(self, args, *rest, **kwargs):
    # libraries may ask `file` about the interpreter (platform.architecture); dbt must not run
    if any("dbt" in str(part) for part in ([args] if isinstance(args, str) else args)):
        raise AssertionError(f"dbt was started at import: {args}")
    real_popen_init(self, args, *rest, **kwargs)

subprocess.Popen.__init__ = no_dbt
import orchestration.definitions as definitions
ours = ("TANDEM_", "DBT_", "DAGSTER_")  # libraries set their own (polars: _RJEM_MALLOC_CONF)
changed = {
    k for k in set(before) | set(os.environ)
    if k.startswith(ours) and before.get(k) != os.environ.get(k)
}
assert not changed, f"importing the definitions changed the environment: {sorted(changed)}"
print(len(definitions.defs.resolve_asset_graph().get_all_asset_keys()))
"""


def test_importing_the_definitions_has_no_side_effects() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DAGSTER_HOME": "/tmp"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert int(completed.stdout.strip().splitlines()[-1]) > 100  # the whole graph loaded
