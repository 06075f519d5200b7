"""A small hand-built warehouse with the core facts the churn features read (real DuckDB)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

DDL = """
create schema if not exists core;
create schema if not exists intermediate;
create table core.fct_order_lines (
    order_id varchar, order_date date, is_approved boolean, customer_key varchar,
    net_amount decimal(18, 2)
);
create table core.fct_invoice_lines (
    invoice_id varchar, receivable_invoice_id varchar, is_credit_note boolean,
    invoice_date date, due_date date, is_approved boolean, customer_key varchar,
    gross_amount decimal(18, 2)
);
create table core.fct_receipt_allocations (
    invoice_id varchar, receipt_date date, is_approved boolean, customer_key varchar,
    received_amount decimal(18, 2)
);
create table core.fct_activities (
    customer_key varchar, is_followup boolean, activity_date date
);
create table core.fct_tickets (
    customer_key varchar, ticket_date date, created_at timestamp, resolved_at timestamp,
    sla_hours integer
);
create table core.fct_opportunities (
    customer_key varchar, created_date date, closed_date date, expected_amount_gross decimal(18, 2)
);
create table core.dim_customer (
    customer_key varchar, region varchar, industry varchar, source_channel varchar,
    owner_user_id bigint
);
create table core.dim_as_of_date (as_of_date date);
"""

AS_OF = dt.date(2024, 6, 30)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def facts_until(as_of: dt.date) -> dict[str, list[tuple]]:
    """Facts of two customers up to ``as_of`` (A pays late and is ignored, B is looked after)."""
    return {
        "fct_order_lines": [
            ("O1", _d("2024-01-10"), True, "A", 1000),
            ("O1", _d("2024-01-10"), True, "A", 500),  # second line of the same order
            ("O2", _d("2024-05-02"), True, "A", 2000),
            ("O3", _d("2024-06-20"), False, "A", 9999),  # not approved: ignored
            ("O4", _d("2023-09-15"), True, "B", 800),
            ("O5", _d("2024-06-01"), True, "B", 300),
        ],
        "fct_invoice_lines": [
            ("I1", "I1", False, _d("2024-01-12"), _d("2024-02-11"), True, "A", 1695),
            ("I2", "I2", False, _d("2024-05-03"), _d("2024-06-02"), True, "A", 2260),
            ("C1", "I2", True, _d("2024-05-20"), None, True, "A", -565),
            ("I4", "I4", False, _d("2024-06-02"), _d("2024-07-02"), True, "B", 339),
        ],
        "fct_receipt_allocations": [
            ("I1", _d("2024-03-12"), True, "A", 1695),  # 30 days late
            ("I2", _d("2024-06-10"), True, "A", 1000),  # part: 695 still open, 28 days overdue
        ],
        "fct_activities": [
            ("A", True, _d("2024-01-05")),
            ("B", True, _d("2024-06-15")),
            ("B", False, _d("2024-06-25")),  # a call, not a follow-up
        ],
        "fct_tickets": [
            # resolved inside its 24-hour SLA
            ("A", _d("2024-05-10"), dt.datetime(2024, 5, 10, 9), dt.datetime(2024, 5, 10, 20), 24),
            # unresolved on the as-of date, created 5 days before: past SLA
            ("A", _d("2024-06-25"), dt.datetime(2024, 6, 25, 9), None, 24),
        ],
        "fct_opportunities": [("B", _d("2024-06-01"), None, 5000)],
    }


LATER_FACTS = {
    # everything dated after AS_OF: a new order and invoice, payment of the open invoice, a
    # credit note on an old invoice, a follow-up, a ticket, an opportunity (a ticket resolved
    # late is set by the test itself)
    "fct_order_lines": [("O9", _d("2024-07-05"), True, "A", 700)],
    "fct_invoice_lines": [
        ("C9", "I1", True, _d("2024-07-03"), None, True, "A", -100),
        ("I9", "I9", False, _d("2024-07-06"), _d("2024-08-05"), True, "A", 791),
    ],
    "fct_receipt_allocations": [("I2", _d("2024-07-01"), True, "A", 695)],
    "fct_activities": [("A", True, _d("2024-07-01"))],
    "fct_tickets": [
        ("B", _d("2024-07-02"), dt.datetime(2024, 7, 2, 9), None, 24),
    ],
    "fct_opportunities": [("A", _d("2024-07-10"), None, 1000)],
}


def build(path: Path, facts: dict[str, list[tuple]], as_of: dt.date = AS_OF):
    """A DuckDB file at ``path`` holding ``facts`` and two customers' attributes."""
    con = duckdb.connect(str(path))
    con.execute(DDL)
    for table, rows in facts.items():
        for row in rows:
            marks = ", ".join("?" * len(row))
            con.execute(f"insert into core.{table} values ({marks})", list(row))
    con.execute(
        "insert into core.dim_customer values"
        " ('A', '华东', 'manufacturing', 'baidu', 7), ('B', '华南', 'retail', 'referral', 8)"
    )
    con.execute("insert into core.dim_as_of_date values (?)", [as_of])
    return con
