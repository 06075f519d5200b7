"""Whether this process was asked to stop (SIGTERM or Ctrl+C) while a run was going on.

Dagster catches the interrupt inside a step and ends the step as failed, so by the time the run
returns, only this flag tells a stop someone asked for from a step that broke.
"""

from __future__ import annotations

import threading

_requested = threading.Event()


def note_terminated() -> None:
    """Record that a stop was asked for (called from the signal handler)."""
    _requested.set()


def stop_requested() -> bool:
    """Whether a stop was asked for since the process started."""
    return _requested.is_set()
