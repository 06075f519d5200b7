"""dbt started through ``bin/dbt-child`` dies with the process that started it, kill -9 too.

A stand-in for dbt (``sleep``) keeps the test to seconds; the launcher is the same one the
Dagster resource uses (orchestration/definitions.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil

from orchestration.dbt_manifest import DBT_CHILD

# a parent that starts a long "dbt" (through the launcher or not), says its pid, then waits
PARENT = """
import os, subprocess, sys, time
os.environ.update(TANDEM_DBT_REAL="/bin/sleep", TANDEM_DBT_PYTHON=sys.executable,
                  TANDEM_DBT_PARENT=str(os.getpid()))
command = [sys.argv[1], "120"] if sys.argv[1] != "-" else ["/bin/sleep", "120"]
child = subprocess.Popen(command)
print(child.pid, flush=True)
time.sleep(300)
"""


def _start(launcher: str) -> tuple[subprocess.Popen, psutil.Process]:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, launcher], stdout=subprocess.PIPE, text=True
    )
    child = psutil.Process(int(parent.stdout.readline()))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and child.name() != "sleep":
        time.sleep(0.05)  # the launcher has exec'd into the real program
    assert child.name() == "sleep"
    return parent, child


def _alive(child: psutil.Process, seconds: float) -> bool:
    try:
        child.wait(timeout=seconds)
    except psutil.TimeoutExpired:
        return True
    return False


def test_the_child_dies_with_a_killed_parent() -> None:
    parent, child = _start(str(DBT_CHILD))
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    assert not _alive(child, 10)


def test_without_the_launcher_the_child_would_survive() -> None:
    # the control: what `tandem run` did before, and why the launcher exists
    parent, child = _start("-")
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    try:
        assert _alive(child, 2)
    finally:
        child.kill()
