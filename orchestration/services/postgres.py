"""The throw-away PostgreSQL server of ``orchestration/services/postgres.sh``, from Python.

The shell script is the one implementation (install, start on a free port, stop and delete);
this wraps it for pytest fixtures and the benchmark harness, so a server started here is always
stopped, even when the code using it fails.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("postgres.sh")


class PostgresServerError(RuntimeError):
    """The script could not start or stop the server; the message carries its output."""


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: the ``TANDEM_PG_*`` settings the script printed, and its start time."""

    settings: dict[str, str]
    start_seconds: float

    @property
    def directory(self) -> Path:
        """The cluster's folder (data, socket, logs); deleted by :meth:`stop`."""
        return Path(self.settings["TANDEM_PG_DIR"])

    @property
    def port(self) -> int:
        return int(self.settings["TANDEM_PG_PORT"])

    def env(self) -> dict[str, str]:
        """Variables that point the dbt profile's postgres target (and the mirror) at it."""
        return {k: v for k, v in self.settings.items() if k != "TANDEM_PG_DIR"}

    def stop(self) -> float:
        """Stop the server and delete its folder; return the seconds it took."""
        started = time.perf_counter()
        _script("stop", str(self.directory))
        return round(time.perf_counter() - started, 3)


def _script(*args: str, timeout: float = 600) -> str:
    completed = subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise PostgresServerError(
            f"{SCRIPT.name} {' '.join(args)} exited with {completed.returncode}:\n"
            + (completed.stdout + completed.stderr).strip()[-3000:]
        )
    return completed.stdout


def start_server() -> PostgresServer:
    """Install PostgreSQL 15 if needed, start a fresh cluster and wait until it accepts queries."""
    started = time.perf_counter()
    output = _script("start")
    settings = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    missing = {"TANDEM_PG_PORT", "TANDEM_PG_DIR"} - set(settings)
    if missing:
        raise PostgresServerError(f"{SCRIPT.name} start printed no {sorted(missing)}: {output!r}")
    return PostgresServer(settings, round(time.perf_counter() - started, 3))


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A server for the duration of the ``with`` block, stopped and deleted afterwards."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
