"""The quality table round trip and what the gate says, on small hand-made results."""

from __future__ import annotations

import datetime as dt

import duckdb

from data_tests.check_results import CheckResult, has_run, load, status_for, store
from orchestration.quality_gate import blocked_message
from orchestration.source_freshness import freshness_results

NOW = dt.datetime(2026, 12, 5, 6, 0)


def _result(status: str, severity: str = "error", **extra) -> CheckResult:
    values = {
        "run_id": "r1",
        "checked_at": NOW,
        "check_name": "gx:expect_column_values_to_be_in_set(aging_bucket)",
        "layer": "marts",
        "asset": "finance.rpt_open_receivables",
        "severity": severity,
        "status": status,
        "failing_rows": 2,
        "rows_checked": 40,
        "example": "120+, -",
        "message": None,
    }
    return CheckResult(**{**values, **extra})


def test_severity_decides_whether_a_failure_blocks() -> None:
    assert status_for(True, "error") == "pass"
    assert status_for(False, "error") == "fail"
    assert status_for(False, "warn") == "warn"


def test_results_are_stored_with_history_and_read_back() -> None:
    con = duckdb.connect()
    assert not has_run(con, "r1")
    store(con, [_result("fail"), _result("pass", check_name="other")])
    store(con, [_result("pass", run_id="r2")])
    assert has_run(con, "r1") and has_run(con, "r2")
    assert [r.status for r in load(con, "r1")] == ["fail", "pass"]
    assert con.execute("select count(distinct run_id) from quality.check_results").fetchall() == [
        (2,)
    ]


def test_only_error_level_failures_block_and_the_message_names_check_rows_and_advice() -> None:
    assert blocked_message([_result("warn", "warn"), _result("pass")]) is None
    message = blocked_message([_result("fail"), _result("warn", "warn", asset="core.x")])
    assert message is not None
    assert message.startswith("publishing blocked by 1 error-level check(s)")
    assert "aging_bucket) on finance.rpt_open_receivables on 2 rows" in message
    assert "e.g. 120+, -" in message
    assert "data_tests/mart_suites.yml" in message  # what to do, and where the rule lives
    assert "core.x" not in message  # warnings publish


def test_freshness_status_follows_the_sources_yaml_criteria() -> None:
    criteria = {
        "warn_after": {"count": 2, "period": "day"},
        "error_after": {"count": 7, "period": "day"},
    }
    sources = {
        "results": [
            {
                "unique_id": f"source.tandem.raw_erp.{name}",
                "status": status,
                "max_loaded_at": "2026-11-25T06:00:00",
                "max_loaded_at_time_ago_in_s": days * 86400 + 3600,
                "criteria": criteria,
            }
            for name, status, days in (
                ("customers", "pass", 0),
                ("receipts", "warn", 3),
                ("sales_invoices", "error", 10),
            )
        ]
    }
    results = {r.asset: r for r in freshness_results(sources, "r1")}
    assert results["raw_erp.customers"].status == "pass"
    assert (results["raw_erp.receipts"].severity, results["raw_erp.receipts"].status) == (
        "warn",
        "warn",
    )
    stale = results["raw_erp.sales_invoices"]
    assert (stale.severity, stale.status) == ("error", "fail")
    assert stale.message == (
        "newest row of raw_erp.sales_invoices landed 10 d 1 h ago (at 2026-11-25T06:00:00);"
        " warn after 2 days, error after 7 days"
    )
