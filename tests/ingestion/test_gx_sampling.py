"""Great Expectations validates every row of a raw batch, or says plainly that it sampled."""

from __future__ import annotations

import duckdb

from data_tests.raw_quality import validate_raw_table
from ingestion.contracts import load_contracts
from ingestion.landing import land_directory
from orchestration.settings import TandemSettings

from .conftest import INVOICE_HEADER, invoice_row, write_csv

ROWS = 40


def _landed(home: TandemSettings) -> duckdb.DuckDBPyConnection:
    write_csv(
        home.landing_dir / "erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(n) for n in range(ROWS)],
        "gb18030",
    )
    land_directory(home.build_db, home.landing_dir)
    return duckdb.connect(str(home.build_db))


def _invoices():
    return next(c for c in load_contracts() if c.name == "erp.sales_invoices")


def test_every_row_is_validated_without_a_cap(tandem_home: TandemSettings) -> None:
    with _landed(tandem_home) as con:
        result = validate_raw_table(con, _invoices(), max_rows=0)
    assert (result.rows_in_batch, result.rows_validated) == (ROWS, ROWS)
    assert not result.sampled
    assert result.coverage == f"all {ROWS} rows"
    assert result.success, result.failures


def test_a_sample_says_how_many_of_how_many(tandem_home: TandemSettings) -> None:
    with _landed(tandem_home) as con:
        result = validate_raw_table(con, _invoices(), max_rows=15)
    assert (result.rows_in_batch, result.rows_validated) == (ROWS, 15)
    assert result.sampled
    assert result.coverage == f"sampled 15 of {ROWS} rows"
