"""Row limit, a timeout that really interrupts DuckDB, and the per-user query history."""

from __future__ import annotations

import time

import pytest

from dashboards.workbench.connection import hardened_connect
from dashboards.workbench.guard import RefusedStatement
from dashboards.workbench.runner import QueryTimedOut, execute, history, run_for_user
from orchestration.settings import TandemSettings


def test_row_limit_cuts_and_says_so(people_warehouse: TandemSettings) -> None:
    con = hardened_connect(people_warehouse.serving_db)
    try:
        result = execute(con, "select n from core.numbers order by n desc", row_limit=100)
    finally:
        con.close()
    assert result.frame.height == 100
    assert result.truncated is True
    assert result.frame["n"].to_list()[:3] == [4999, 4998, 4997]


def test_timeout_interrupts_the_running_query(people_warehouse: TandemSettings) -> None:
    con = hardened_connect(people_warehouse.serving_db)
    try:
        started = time.perf_counter()
        with pytest.raises(QueryTimedOut, match=r"longer than 0\.5 s and was stopped"):
            execute(
                con,
                "select count(*) from range(1000000000) a, range(1000000000) b"
                " where a.range < b.range",
                timeout_seconds=0.5,
            )
        stopped_after = time.perf_counter() - started
        # the same connection still answers: the interrupt ended that query only
        assert execute(con, "select 42 as answer").frame["answer"].to_list() == [42]
    finally:
        con.close()
    # a full cross join of 10^18 rows would run for years: it was interrupted, not finished
    assert stopped_after < 3600


def test_history_is_per_user_and_survives_a_publish(people_warehouse: TandemSettings) -> None:
    from orchestration.publish import publish

    run_for_user("ana", "analyst", "select count(*) as n from core.numbers")
    with pytest.raises(RefusedStatement):
        run_for_user("ana", "analyst", "drop table core.numbers")
    run_for_user("mark", "marketing", "select 1 as one")
    publish(people_warehouse.build_db, people_warehouse.serving_db)
    ana = history("ana")
    assert [(h["status"], h["row_count"]) for h in ana] == [("refused", None), ("ok", 1)]
    assert "not allowed" in ana[0]["message"]
    assert [h["sql"] for h in history("mark")] == ["select 1 as one"]
    assert people_warehouse.root / "app" / "app.sqlite" != people_warehouse.serving_db
