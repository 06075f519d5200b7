"""Reader processes for test_publish (run as `python -m tests.foundation.publish_readers`).

They are plain child processes, so nothing of the test process (DuckDB handles, Streamlit's
``__main__``) leaks into them. They talk back through stdout and wait on flag files.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def _wait_for(flag: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not flag.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{flag} never appeared")
        time.sleep(0.01)


def early_reader(serving: str, published_flag: Path) -> dict:
    """Open before publish, read, wait for the publish, read again on the same connection."""
    con = duckdb.connect(serving, read_only=True)
    before = con.execute("select version from build_info").fetchone()[0]
    print("opened", flush=True)
    _wait_for(published_flag)
    after = con.execute("select version from build_info").fetchone()[0]
    count = con.execute("select count(*) from facts").fetchone()[0]
    con.close()
    return {"before": before, "after": after, "count": count}


def polling_reader(serving: str, stop_flag: Path) -> dict:
    """Open, read and close again and again until told to stop; record every error."""
    versions: list[int] = []
    errors: list[str] = []
    print("polling", flush=True)
    while not stop_flag.exists():
        try:
            con = duckdb.connect(serving, read_only=True)
            try:
                version = con.execute("select version from build_info").fetchone()[0]
                count = con.execute("select count(*) from facts").fetchone()[0]
            finally:
                con.close()
            versions.append(version)
            if count != version * 1000:  # each test build has version * 1000 facts
                errors.append(f"inconsistent build: version {version} with {count} facts")
        except Exception as error:  # a lock or I/O error is exactly what must never happen
            errors.append(repr(error))
    return {"versions": versions, "errors": errors}


if __name__ == "__main__":
    role, serving_path, flag = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    reader = early_reader if role == "early" else polling_reader
    print(json.dumps(reader(serving_path, flag)), flush=True)
