"""A file lands whole or not at all: a crash or an error part-way leaves no rows of it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import ingestion.landing as landing
import ingestion.ledger as ledger

from .conftest import INVOICE_HEADER, invoice_row, land, query, write_csv

CONTACTS = [
    "contacts_id",
    "customer_id",
    "name",
    "mobile",
    "email",
    "post",
    "create_time",
    "update_time",
]


def _two_files(home: Path) -> None:
    write_csv(
        home / "landing/crm/wk_crm_contacts.csv",
        CONTACTS,
        [[n, 1, "王", "", "", "", "2024-01-02 10:00:00", ""] for n in range(1, 4)],
    )
    write_csv(
        home / "landing/erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(n) for n in range(1, 501)],
        "gb18030",
    )


def test_process_killed_inside_the_transaction_leaves_no_rows(tmp_path: Path) -> None:
    """Kill the process after the invoice rows are inserted but before the ledger commit."""
    _two_files(tmp_path)
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        import ingestion.landing as landing
        import ingestion.staging as staging

        real_insert = staging.insert_rows

        def insert_then_die(con, ctx, bad_rows):
            rows = real_insert(con, ctx, bad_rows)
            if ctx.contract.entity == "sales_invoices":
                assert con.execute(
                    "select count(*) from raw_erp.sales_invoices"
                ).fetchall()[0][0] == 500
                os._exit(3)  # a hard crash: no rollback, no cleanup
            return rows

        staging.insert_rows = insert_then_die
        landing.land_directory(Path({str(tmp_path / "w.duckdb")!r}),
                               Path({str(tmp_path / "landing")!r}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        # the contacts file committed before the crash; nothing of the invoices survived
        assert con.execute("select count(*) from raw_crm.contacts").fetchall() == [(3,)]
        assert con.execute("select file, status from raw_meta.file_ledger").fetchall() == [
            ("crm/wk_crm_contacts.csv", "landed")
        ]
        invoices = con.execute(
            "select count(*) from information_schema.tables where table_name = 'sales_invoices'"
        ).fetchall()[0][0]
        if invoices:
            assert con.execute("select count(*) from raw_erp.sales_invoices").fetchall() == [(0,)]
    # the next landing picks the invoice file up again, whole
    report = landing.land_directory(tmp_path / "w.duckdb", tmp_path / "landing")
    assert [(f.file, f.status, f.rows) for f in report.files] == [
        ("crm/wk_crm_contacts.csv", "skipped", 0),
        ("erp/sales_invoices.csv", "landed", 500),
    ]


def test_error_part_way_rolls_back_the_file_and_the_landing_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_files(tmp_path)
    real_ledger = ledger.record_ledger

    def failing_ledger(con, ctx, status, *args, **kwargs):
        if ctx.contract.entity == "contacts" and status == "landed":
            raise duckdb.IOException("disk full (simulated)")
        return real_ledger(con, ctx, status, *args, **kwargs)

    monkeypatch.setattr(ledger, "record_ledger", failing_ledger)
    report = land(tmp_path)
    by_file = {f.file: f for f in report.files}
    assert by_file["crm/wk_crm_contacts.csv"].status == "failed"
    assert "disk full (simulated)" in by_file["crm/wk_crm_contacts.csv"].problems[0]
    assert by_file["erp/sales_invoices.csv"].rows == 500
    # even the table creation was rolled back with the file
    assert query(
        tmp_path, "select count(*) from information_schema.tables where table_schema = 'raw_crm'"
    ) == [(0,)]
    assert query(tmp_path, "select status from raw_meta.file_ledger where file like 'crm/%'") == [
        ("failed",)
    ]
    monkeypatch.setattr(ledger, "record_ledger", real_ledger)
    retry = land(tmp_path)
    assert [(f.status, f.rows) for f in retry.files] == [("landed", 3), ("skipped", 0)]
