"""Publishing under concurrent readers, with real separate processes.

A reader that opened before publish keeps reading the old build; a reader that opens after sees
the new one; and readers that open again and again while a build is being written never hit a
lock error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import publish
from orchestration.settings import REPO_ROOT


def _write_build(path: Path, version: int, rows: int = 1000) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create or replace table build_info as select ? as version", [version])
        con.execute(f"create or replace table facts as select range as id from range({rows})")
    finally:
        con.close()


def _start_reader(role: str, serving: Path, flag: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.foundation.publish_readers", role, str(serving), str(flag)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_line = process.stdout.readline().strip()  # the reader says when it is ready
    assert first_line in ("opened", "polling"), process.stderr.read()
    return process


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_readers_across_a_publish(tmp_path: Path) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    published_flag, stop_flag = tmp_path / "published", tmp_path / "stop"
    _write_build(build, version=1, rows=1000)
    publish(build, serving)

    early = _start_reader("early", serving, published_flag)
    poller = _start_reader("poll", serving, stop_flag)

    # a long build holds the writer lock on the build file while readers keep reading
    writer = duckdb.connect(str(build))
    writer.execute("create or replace table build_info as select 2 as version")
    writer.execute("create or replace table facts as select range as id from range(2000)")
    for _ in range(20):
        writer.execute("create or replace table scratch as select range as x from range(200000)")
        time.sleep(0.05)
    writer.close()
    publish(build, serving)
    published_flag.touch()

    after = duckdb.connect(str(serving), read_only=True)
    try:
        assert after.execute("select version from build_info").fetchone()[0] == 2
        assert after.execute("select count(*) from facts").fetchone()[0] == 2000
    finally:
        after.close()
    time.sleep(0.5)
    stop_flag.touch()

    assert _result(early) == {"before": 1, "after": 1, "count": 1000}
    polled = _result(poller)
    versions = polled["versions"]
    assert polled["errors"] == []
    assert len(versions) > 20, "the polling reader should have opened the file many times"
    assert versions[0] == 1 and versions[-1] == 2
    assert versions == sorted(versions), "a reader must never go back to an older build"


def test_publish_without_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `tandem build` first"):
        publish(tmp_path / "missing.duckdb", tmp_path / "serving.duckdb")


def test_publish_leaves_no_temporary_files(tmp_path: Path) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    _write_build(build, version=3, rows=3000)
    result = publish(build, serving)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.duckdb", "serving.duckdb"]
    assert result.bytes == serving.stat().st_size > 0
