"""A published serving file with a revenue mart, made directly (page tests need no pipeline)."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.publish import publish
from orchestration.settings import TandemSettings

MONTHS = [
    ("2026-01-01", 3, 2, "1234.50"),
    ("2026-02-01", 1, 1, "-100.25"),
    ("2026-03-01", 5, 4, "98765.00"),
]


@pytest.fixture
def published(tandem_home: TandemSettings) -> TandemSettings:
    con = duckdb.connect(str(tandem_home.build_db))
    try:
        con.execute("create schema finance")
        con.execute(
            "create table finance.rpt_revenue_monthly (revenue_month date, invoice_count bigint,"
            " customer_count bigint, net_revenue decimal(18,2), gross_revenue decimal(18,2))"
        )
        for month, invoices, customers, net in MONTHS:
            con.execute(
                "insert into finance.rpt_revenue_monthly values "
                "(?, ?, ?, ?, cast(? as decimal(18, 2)) * 1.13)",
                [month, invoices, customers, net, net],
            )
    finally:
        con.close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


def serving_scalar(settings: TandemSettings, sql: str):
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()
