"""One page run reads one build on one connection; the next run reads what was published."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dashboards import serving
from orchestration.settings import TandemSettings


def _build(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create table facts as select ? as x", [value])
    finally:
        con.close()


def test_a_page_run_reads_one_build_and_the_next_run_the_published_one(
    tandem_home: TandemSettings, tmp_path: Path
) -> None:
    serving_db = tandem_home.serving_db
    _build(serving_db, 1)
    opened = []
    real_connect = duckdb.connect
    # ``serving.duckdb`` is the module itself: count the read-only opens, the readers'
    serving.duckdb.connect = lambda *a, **k: (
        (opened.append(a[0]) if k.get("read_only") else None) or real_connect(*a, **k)
    )
    try:
        with serving.page_run():
            first = serving.cached_query("select x from facts").item()
            assert serving.has_table("main.facts")
            # a publish lands mid-run: the file is replaced by a new build
            _build(tmp_path / "next.duckdb", 2)
            os.replace(tmp_path / "next.duckdb", serving_db)
            during = serving.cached_query("select x * 1 as x from facts").item()
        assert serving._run.con is None  # closed when the run ended
        after = serving.cached_query("select x from facts").item()
    finally:
        serving.duckdb.connect = real_connect
    assert (first, during, after) == (1, 1, 2)
    # the run's three reads (two queries, the table list) shared one connection; the read
    # outside a run opened its own
    assert opened == [str(serving_db), str(serving_db)]
