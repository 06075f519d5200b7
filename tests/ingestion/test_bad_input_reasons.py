"""Bad input, said so that a person can act on it (issue #18): every broken file ends landed,
quarantined or skipped with a message that says what the file looks like.

Each test writes a small file as a real exporter (or a failed download) would, lands it, and
asserts its fate and the words of the message. Companion of ``test_bad_input.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion import landing, ledger
from ingestion.ledger import ledger_frame
from orchestration.assets.landing import land_extracts
from orchestration.commands.pipeline import stage_summaries
from orchestration.resources import TandemConfig

from .conftest import INVOICE_HEADER, invoice_row, land, query, write_csv
from .test_bad_input import CONTACTS_HEADER, contact_row, quarantine_report

CONTACTS = "crm/wk_crm_contacts.csv"
INVOICES = "erp/sales_invoices.csv"


def _contacts(home: Path, n: int = 49) -> Path:
    return write_csv(
        home / "landing" / CONTACTS, CONTACTS_HEADER, [contact_row(i) for i in range(1, n + 1)]
    )


def _ledger_status(home: Path) -> list[tuple[str, str]]:
    return [
        (r["file"], r["status"])
        for r in ledger_frame(home / "warehouse/build.duckdb").iter_rows(named=True)
    ]


# ---------------------------------------------------------------- stray bytes and binary junk


def test_one_stray_byte_rejects_its_row_and_the_rest_lands(tmp_path: Path) -> None:
    path = _contacts(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"\n3,10001,", b"\n3,1000\xff,", 1))
    outcome = land(tmp_path).files[0]
    # before: "UnicodeError: UTF-16 stream does not start with BOM", status failed, retried forever
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", 48, 1)
    assert (
        "the first is row 3, column '(whole row)': malformed row: column 'customer_id' holds "
        "bytes that are not valid text: '1000\\\\xff'"
    ) in outcome.problems[-1]
    rejects = query(tmp_path, "select row_number, column_name, reason, value from raw_meta.rejects")
    assert rejects[0][:2] == (3, "(whole row)")
    assert rejects[0][2].startswith("malformed row: column 'customer_id' holds bytes")
    assert rejects[0][3].startswith("3,1000\\xff,张伟")
    assert query(
        tmp_path, "select min(_row_number), max(_row_number), count(*) from raw_crm.contacts"
    ) == [(1, 49, 48)]


def test_stray_bytes_in_many_rows_quarantine_with_rows_named(tmp_path: Path) -> None:
    path = _contacts(tmp_path, 10)
    path.write_bytes(path.read_bytes().replace(b",10001,", b",1000\xfe,"))
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    message = outcome.problems[0]
    assert "wrong_encoding" in message and "UTF-16" not in message
    assert "10 of 10 data rows cannot be read as 10 fields of utf-8 text" in message
    assert "row 1 (line 2): column 'customer_id' holds bytes that are not valid text" in message
    assert _ledger_status(tmp_path) == [(CONTACTS, "quarantined")]
    assert quarantine_report(tmp_path, CONTACTS)[0]["what_to_do"].startswith("Re-export")


def test_binary_junk_is_quarantined_as_binary(tmp_path: Path) -> None:
    rng = random.Random(7)
    junk = bytes(rng.randrange(1, 256) for _ in range(4000))  # no NUL byte, no magic number
    (tmp_path / "landing/crm").mkdir(parents=True)
    (tmp_path / "landing" / CONTACTS).write_bytes(junk)
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert "looks like binary data, not a CSV text file" in outcome.problems[0]
    assert "control characters" in outcome.problems[0]


def test_an_error_no_check_foresaw_quarantines_instead_of_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _contacts(tmp_path, 3)

    def broken_reader(*args: object, **kwargs: object) -> None:
        raise UnicodeError("UTF-16 stream does not start with BOM")

    monkeypatch.setattr(landing, "read_extract", broken_reader)
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert outcome.problems[0].startswith(
        "error unreadable_file: crm/wk_crm_contacts.csv could not be read: UnicodeError"
    )
    monkeypatch.undo()
    # not retried while the file and its contract stay the same
    assert land(tmp_path).files[0].status == "skipped"


# ------------------------------------------------------------- what the file looks like


@pytest.mark.parametrize(("sep", "said"), [(";", "semicolons (;)"), ("\t", "tabs")])
def test_other_delimiter_is_named_instead_of_missing_columns(
    tmp_path: Path, sep: str, said: str
) -> None:
    path = _contacts(tmp_path, 3)
    path.write_text(path.read_text("utf-8").replace(",", sep), "utf-8")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert len(outcome.problems) == 1  # not ten "add the new header to its aliases"
    assert (
        f"is separated by {said}, not commas: its header splits into 10 fields"
        in outcome.problems[0]
    )
    assert "Export with commas" in quarantine_report(tmp_path, CONTACTS)[0]["what_to_do"]


@pytest.mark.parametrize("relative", [CONTACTS, "marketing/trade_shows.xlsx"])
def test_html_error_page_is_named(tmp_path: Path, relative: str) -> None:
    page = tmp_path / "landing" / relative
    page.parent.mkdir(parents=True)
    page.write_text(
        "\n<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
        "<body><h1>502 Bad Gateway</h1></body></html>\n",
        "utf-8",
    )
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert "is an HTML web page titled '502 Bad Gateway', not a data export" in outcome.problems[0]


def test_few_malformed_rows_in_a_gbk_file_become_rejects(tmp_path: Path) -> None:
    rows = [invoice_row(n) for n in range(1, 30)]
    rows[11] = [*rows[11], "多余"]  # row 12: 15 fields
    write_csv(tmp_path / "landing" / INVOICES, INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", 28, 1)
    assert (
        "the first is row 12, column '(whole row)': malformed row: 15 fields where the header "
        "has 14" in (outcome.problems[-1])
    )
    assert "'多余'" in outcome.problems[-1]
    # the rows after it keep their own row numbers
    assert query(
        tmp_path, "select _row_number from raw_erp.sales_invoices where invoice_no = 'FP00000013'"
    ) == [(13,)]


def test_many_malformed_rows_quarantine_with_row_line_and_no_temporary_path(tmp_path: Path) -> None:
    rows = [invoice_row(n) for n in range(1, 30)]
    for k in (4, 9, 20):
        rows[k] = rows[k][:12]  # rows 5, 10, 21: two fields short
    write_csv(tmp_path / "landing" / INVOICES, INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    first = outcome.problems[0]
    assert "3 of 29 data rows cannot be read as 14 fields of gb18030 text" in first
    assert "more than the contract's tolerance allows (2 rows)" in first
    assert (
        "row 5 (line 6): 12 fields where the header has 14: no value for '价税合计', '销售成本'"
        in first
    )
    assert "sniffing" not in first and "/tmp" not in first and "tandem-" not in first
    report = quarantine_report(tmp_path, INVOICES)
    assert [r["row"] for r in report[1:]] == ["5", "10", "21"]


def test_header_with_spaces_around_it_lands(tmp_path: Path) -> None:
    header = [f" {h} " if h in ("mobile", "create_time") else h for h in CONTACTS_HEADER]
    write_csv(tmp_path / "landing" / CONTACTS, header, [contact_row(1), contact_row(2)])
    outcome = land(tmp_path).files[0]
    # before: accepted by the header check, then "Binder Error: Referenced column ' mobile '"
    assert (outcome.status, outcome.rows) == ("landed", 2)
    assert query(
        tmp_path, "select distinct mobile, create_time::varchar from raw_crm.contacts"
    ) == [("13800138000", "2024-01-02 09:30:00")]


def test_closest_header_hint_never_names_a_column_the_file_already_maps(tmp_path: Path) -> None:
    header = [h for h in CONTACTS_HEADER if h != "customer_id"]
    rows = [
        [v for h, v in zip(CONTACTS_HEADER, contact_row(n), strict=True) if h != "customer_id"]
        for n in (1, 2)
    ]
    write_csv(tmp_path / "landing" / CONTACTS, header, rows)
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    message = outcome.problems[0]
    assert "lacks the required column 'customer_id'" in message
    # before: "the closest header in the file is 'unsubscribe_time'" (a column of its own)
    assert "unsubscribe_time" not in message and "closest header" not in message


# ------------------------------------------------------------------ numbers in Chinese exports


def test_full_width_digits_currency_signs_and_null_words_are_normalised(tmp_path: Path) -> None:
    sent = ["１０００", "¥1,000.50", "￥２,０００.00", "NULL", "无", "-", "1 000", "12.5元"]
    rows = [invoice_row(n, net=value) for n, value in enumerate(sent, start=1)]
    write_csv(tmp_path / "landing" / INVOICES, INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", 6, 2)
    landed = query(
        tmp_path, "select _row_number, net_amount::varchar from raw_erp.sales_invoices order by 1"
    )
    assert landed == [
        (1, "1000.00"),
        (2, "1000.50"),
        (3, "2000.00"),
        (4, None),
        (5, None),
        (6, None),
    ]
    # ambiguous text stays as sent and is rejected: a space or a unit word is not guessed at
    assert query(tmp_path, "select row_number, value, reason from raw_meta.rejects order by 1") == [
        (7, "1 000", "unparseable value"),
        (8, "12.5元", "unparseable value"),
    ]


def test_null_word_in_a_required_number_is_a_missing_value(tmp_path: Path) -> None:
    # marketing_consent (the 7th column) is an optional integer; customer ids are text
    rows = [
        [*contact_row(n)[:6], "NULL" if n == 2 else 1, *contact_row(n)[7:]] for n in range(1, 6)
    ]
    write_csv(tmp_path / "landing" / CONTACTS, CONTACTS_HEADER, rows)
    assert land(tmp_path).files[0].status == "landed"
    counted = query(tmp_path, "select count(*), count(marketing_consent) from raw_crm.contacts")
    assert counted == [(5, 4)]
    rows[1][0] = "无"  # the key column is not nullable
    write_csv(tmp_path / "landing" / CONTACTS, CONTACTS_HEADER, rows)
    outcome = land(tmp_path).files[-1]
    assert (outcome.status, outcome.rejected_rows) == ("landed", 1)
    assert query(tmp_path, "select reason from raw_meta.rejects") == [("missing value",)]


# --------------------------------------------------------- unmatched and skipped files, named


def test_unmatched_and_skipped_files_are_listed_in_the_run_summary(tandem_home) -> None:
    landing_dir = tandem_home.landing_dir
    write_csv(landing_dir / CONTACTS, CONTACTS_HEADER, [contact_row(1)])
    write_csv(landing_dir / "crm/wk_crm_contacts_backup.txt", ["a"], [[1]])
    resources = {"tandem": TandemConfig(home=str(tandem_home.root))}
    with dg.instance_for_test() as instance:
        dg.materialize([land_extracts], instance=instance, resources=resources)
        again = dg.materialize([land_extracts], instance=instance, resources=resources)
        (stage,) = stage_summaries(instance, again)
    assert stage.files == {
        "skipped": [CONTACTS],
        "unmatched": ["crm/wk_crm_contacts_backup.txt"],
    }
    assert "unmatched crm/wk_crm_contacts_backup.txt: no contract claims it; left in landing/" in (
        stage.problems
    )
    assert (landing_dir / "crm/wk_crm_contacts_backup.txt").exists()  # left where it is


def test_a_file_the_machine_failed_to_land_fails_the_run(
    tandem_home, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv(tandem_home.landing_dir / CONTACTS, CONTACTS_HEADER, [contact_row(1)])
    real_ledger = ledger.record_ledger

    def disk_full(con, ctx, status, *args, **kwargs):
        if status == "landed":
            raise duckdb.IOException("No space left on device (simulated)")
        return real_ledger(con, ctx, status, *args, **kwargs)

    monkeypatch.setattr(ledger, "record_ledger", disk_full)
    resources = {"tandem": TandemConfig(home=str(tandem_home.root))}
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [land_extracts], instance=instance, resources=resources, raise_on_error=False
        )
        (stage,) = stage_summaries(instance, result)
    # before: the file ended `failed` and the run said success
    assert not result.success
    assert stage.status == "failure"
    assert stage.files["failed"] == [CONTACTS]
    assert any(
        # a full disk is said as such (orchestration/no_room.py), the file and cause kept
        "1 file(s) could not be landed: error load_failed: crm/wk_crm_contacts.csv" in p
        and "No space left on device (simulated)" in p
        for p in stage.problems
    ), stage.problems
