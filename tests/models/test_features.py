"""Point-in-time features on a hand-built warehouse: the values, and no leakage from the future."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from models_ml.features import NUMERIC_FEATURES, customer_features, customer_features_at
from tests.models.churn_warehouse import AS_OF, LATER_FACTS, build, facts_until


@pytest.fixture
def warehouse(tmp_path):
    con = build(tmp_path / "w.duckdb", facts_until(AS_OF))
    yield con
    con.close()


def _row(frame: pl.DataFrame, key: str) -> dict:
    return frame.filter(pl.col("customer_key") == key).row(0, named=True)


def test_features_are_the_customers_history_as_of_the_date(warehouse):
    features = customer_features(warehouse, AS_OF)
    assert features["customer_key"].to_list() == ["A", "B"]
    a = _row(features, "A")
    assert a["days_since_last_order"] == (AS_OF - dt.date(2024, 5, 2)).days  # O3 unapproved
    assert (a["orders_3m"], a["orders_prev_3m"], a["orders_12m"]) == (1, 1, 2)
    assert a["value_3m"] == pytest.approx(2000) and a["value_prev_3m"] == pytest.approx(1500)
    # I2 (due 2 June) still has 2260 - 565 - 1000 = 695 open: 28 days overdue by 30 June
    assert a["overdue_amount"] == pytest.approx(695)
    assert (a["overdue_invoices"], a["overdue_max_days"]) == (1, 28)
    assert a["delay_3m"] == pytest.approx(28)  # open past due: at least 28 days late
    assert a["delay_prev_3m"] == pytest.approx(30)  # I1 due 11 Feb, paid 12 March
    assert a["delay_trend"] == pytest.approx(-2)
    assert a["credit_notes_12m"] == 1
    assert a["days_since_followup"] == (AS_OF - dt.date(2024, 1, 5)).days
    assert (a["tickets_3m"], a["sla_breaches_3m"]) == (2, 1)
    # last heard from by the ticket of 25 June, after its last order of 2 May
    assert a["days_since_contact"] == 5 and a["last_ticket_date"] == dt.date(2024, 6, 25)
    assert (a["region"], a["industry"], a["channel"]) == ("华东", "manufacturing", "baidu")
    b = _row(features, "B")
    assert b["tenure_days"] == (AS_OF - dt.date(2023, 9, 15)).days
    assert b["days_since_followup"] == 15 and b["followups_3m"] == 1
    assert (b["open_opportunities"], b["open_pipeline_amount"]) == (1, 5000)
    # B has no invoice due yet: no delay is known, so none is assumed
    assert (b["delay_3m"], b["overdue_amount"], b["tickets_3m"]) == (0, 0, 0)
    # no ticket: last heard from by its last order
    assert b["days_since_contact"] == b["days_since_last_order"] and b["last_ticket_date"] is None


def test_customers_quiet_for_a_year_are_not_scored(warehouse):
    later = customer_features(warehouse, dt.date(2025, 5, 10))
    assert later["customer_key"].to_list() == ["B"]  # A's last order: 2 May 2024


def test_facts_dated_after_the_as_of_date_change_no_feature(tmp_path, warehouse):
    before = customer_features(warehouse, AS_OF)
    with_future = {t: rows + LATER_FACTS.get(t, []) for t, rows in facts_until(AS_OF).items()}
    con = build(tmp_path / "future.duckdb", with_future)
    # the open ticket of 25 June is resolved after the as-of date: still a breach on 30 June
    con.execute(
        "update core.fct_tickets set resolved_at = timestamp '2024-07-03 10:00'"
        " where created_at = timestamp '2024-06-25 09:00'"
    )
    after = customer_features(con, AS_OF)
    con.close()
    assert after.equals(before)
    assert set(NUMERIC_FEATURES) <= set(after.columns)
    # and the later facts do show up at a later date (the test could fail)
    moved = customer_features(build(tmp_path / "moved.duckdb", with_future), dt.date(2024, 7, 15))
    assert _row(moved, "A")["orders_3m"] == 2


def test_one_pass_over_many_dates_equals_one_query_per_date(tmp_path):
    """The multi-cutoff query gives each date exactly the single-date features, including an
    order whose lines span two days, a credit note after the invoice was paid and a settled
    invoice more than a year old."""
    facts = {t: rows + LATER_FACTS.get(t, []) for t, rows in facts_until(AS_OF).items()}
    facts["fct_order_lines"] = facts["fct_order_lines"] + [
        ("O7", dt.date(2024, 6, 28), True, "B", 100),
        ("O7", dt.date(2024, 7, 2), True, "B", 50),  # a late line of the same order
    ]
    con = build(tmp_path / "many.duckdb", facts)
    dates = [dt.date(2024, 3, 31), AS_OF, dt.date(2024, 7, 1), dt.date(2024, 7, 31)]
    dates.append(dt.date(2025, 4, 30))
    together = customer_features_at(con, dates)
    separately = {date: customer_features(con, date) for date in dates}
    con.close()
    assert list(together) == sorted(dates)
    for date in dates:
        assert together[date].equals(separately[date]), date
    # the split order counts its first line's date and only the lines known by then
    b = _row(together[AS_OF], "B")
    assert b["orders_3m"] == 2 and b["value_3m"] == pytest.approx(400)
    assert _row(together[dt.date(2024, 7, 31)], "B")["value_3m"] == pytest.approx(450)
