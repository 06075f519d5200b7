"""What every `tandem` command shares: one-line errors, progress on stderr, stdout kept clean."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


class CommandError(RuntimeError):
    """A failure to report as one line, with a non-zero exit code."""


def progress(message: str) -> None:
    """Progress for people: on stderr, so stdout stays for machine-readable output."""
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout (also by child processes) to stderr meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
