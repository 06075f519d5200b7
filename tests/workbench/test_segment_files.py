"""The files a segment export writes, on a small published warehouse made directly: the one
writer of files for people (dashboards/downloads.py) neutralises formulas in every format, keeps
E.164 phones as they are, and only consented contacts reach any file."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dashboards.segments.definition import from_dict
from dashboards.segments.export import export_log, export_segment
from dashboards.segments.store import save_segment
from orchestration.publish import publish
from orchestration.settings import TandemSettings

# contact_id, customer_key, contact_name, job_title, mobile, email, consent, current
CONTACTS = [
    ("P1", "C1", "=HYPERLINK(\"http://x.example\",\"hi\")", "@buyer", "+8613812345678",
     "Li.Wei@acme.example", "consented", True),
    ("P2", "C1", "Wang Fang", "-2+3", None, "wang@acme.example", "consented", True),
    ("P3", "C2", "Opted Out", "owner", "+8613987654321", "out@bao.example", "opted_out", True),
    ("P4", "C2", "Old Address", "owner", "+8613900000000", "old@bao.example", "consented", False),
]  # fmt: skip
SENT = {"Li.Wei@acme.example", "wang@acme.example"}  # by e-mail (exports carry no id)


@pytest.fixture
def contacts_warehouse(tandem_home: TandemSettings) -> TandemSettings:
    """A serving file with the two tables an export reads: the customer 360 and the contacts."""
    con = duckdb.connect(str(tandem_home.build_db))
    try:
        con.execute("create schema customer")
        con.execute(
            "create table customer.rpt_customer_360 as select * from (values"
            " ('C1', '+Acme|cmd', 120000.0, false), ('C2', 'Bao Metals', 5000.0, false))"
            " as t(customer_key, customer_name, lifetime_net_revenue, is_deleted)"
        )
        con.execute(
            "create table customer.dim_contact (contact_id varchar, customer_key varchar,"
            " contact_name varchar, job_title varchar, mobile_e164 varchar, email varchar,"
            " consent_status varchar, is_current_for_address boolean,"
            " has_marketing_consent boolean, consent_recorded_at timestamp)"
        )
        for row in CONTACTS:
            con.execute(
                "insert into customer.dim_contact values"
                " (?, ?, ?, ?, ?, ?, ?, ?, ? = 'consented', timestamp '2025-03-01 09:30:00')",
                [*row, row[6]],
            )
    finally:
        con.close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


def _export(fmt: str, out: Path) -> tuple[Path, int]:
    saved = save_segment(from_dict({"name": "everyone", "conditions": {}}), "mia")
    result = export_segment(saved, fmt, out, "mia")
    assert export_log(1)[0]["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    return out, result.row_count


def test_csv_export_is_neutralised_utf8_with_bom(
    contacts_warehouse: TandemSettings, tmp_path: Path
) -> None:
    path, count = _export("csv", tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert count == len(rows) == 2
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == SENT
    first, second = by_email["Li.Wei@acme.example"], by_email["wang@acme.example"]
    assert first["contact_name"] == '\'=HYPERLINK("http://x.example","hi")'
    assert first["job_title"] == "'@buyer"
    assert second["job_title"] == "'-2+3"
    assert first["customer_name"] == "'+Acme|cmd"
    assert first["mobile_e164"] == "+8613812345678"  # a plain number, not a formula
    assert second["mobile_e164"] == ""


def test_xlsx_export_holds_text_cells_never_formulas(
    contacts_warehouse: TandemSettings, tmp_path: Path
) -> None:
    path, count = _export("xlsx", tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "contacts"
    header, *rows = list(sheet.values)
    assert count == len(rows) == 2
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in cells)  # no formula cell ("f")
    first = dict(zip(header, rows[0], strict=True))
    assert first["contact_name"] == '\'=HYPERLINK("http://x.example","hi")'
    assert first["mobile_e164"] == "+8613812345678"


def test_hashed_export_holds_only_digests_of_consented_addresses(
    contacts_warehouse: TandemSettings, tmp_path: Path
) -> None:
    path, count = _export("hashed", tmp_path / "out.csv")
    rows = list(csv.DictReader(path.read_text("utf-8-sig").splitlines()))
    assert count == len(rows) == 2

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    assert {row["mobile_sha256"] for row in rows} == {digest("+8613812345678"), ""}
    # the e-mail is lower-cased before hashing, the form ad platforms match on
    assert {row["email_sha256"] for row in rows} == {
        digest("li.wei@acme.example"),
        digest("wang@acme.example"),
    }
    assert "out@bao.example" not in path.read_text("utf-8-sig")
