"""Telling a write that found no room (full disk, file-size limit, quota) from other failures.

DuckDB, SQLite (Dagster's run storage) and plain file writes each say it in their own words,
often wrapped in another library's error or followed by a second one (a rollback with no
transaction left) that would hide it; the run then ends in one line that says what to do.
"""

from __future__ import annotations

import errno

NO_ROOM_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
NO_ROOM_TEXT = ("no space left on device", "database or disk is full", "file too large")


def says_no_room(text: str) -> bool:
    lowered = text.lower()
    return any(words in lowered for words in NO_ROOM_TEXT)


def disk_full(error: BaseException) -> BaseException | None:
    """The error in ``error``'s chain (causes and contexts) that says a write found no room."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in NO_ROOM_ERRNOS:
            return current
        if says_no_room(str(current)):
            return current
        current = current.__cause__ or current.__context__
    return None


def no_room_message(root: object, detail: str) -> str:
    """The one line a run ends with when a write found no room under TANDEM_HOME ``root``."""
    return (
        f"no room to write under {root} ({detail}): free disk space there "
        "(or raise the file-size limit) and run the command again; what landed before is intact"
    )


def is_no_room_message(text: str) -> bool:
    """Whether ``text`` is a line made by :func:`no_room_message`."""
    return text.startswith("no room to write under ")
