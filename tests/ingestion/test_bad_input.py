"""Bad input: every quarantine reason, drift, units and date formats, with real files on disk.

Each test writes the file a real exporter would produce, lands it, and asserts what landed,
what was quarantined, and what the user is told.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from ingestion.contracts import load_contracts
from ingestion.landing import land_directory

from .conftest import INVOICE_HEADER, invoice_row, land, query, write_csv

CONTACTS_HEADER = [
    "contacts_id",
    "customer_id",
    "name",
    "mobile",
    "email",
    "post",
    "marketing_consent",
    "unsubscribe_time",
    "create_time",
    "update_time",
]


def contact_row(n: int) -> list[object]:
    return [
        n,
        10001,
        "张伟",
        "13800138000",
        "zw@example.cn",
        "总经理",
        1,
        "",
        "2024-01-02 09:30:00",
        "2024-01-02 09:30:00",
    ]


def ledger(home: Path) -> list[dict]:
    rows = query(
        home,
        "select file, status, rows, rejected_rows, problems, version "
        "from raw_meta.file_ledger order by loaded_at, file",
    )
    keys = ["file", "status", "rows", "rejected_rows", "problems", "version"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def quarantine_report(home: Path, relative: str) -> list[dict[str, str]]:
    folder = home / "quarantine" / Path(relative).parent
    reports = sorted(folder.glob(f"{Path(relative).stem}.*.report.csv"))
    assert reports, f"no report for {relative} in {folder}"
    with open(reports[-1], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------ quarantine reasons


def test_missing_required_column_names_the_closest_header(tmp_path: Path) -> None:
    header = [h if h != "价税合计" else "价税合计金额" for h in INVOICE_HEADER]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", header, [invoice_row(1)], "gb18030")
    report = land(tmp_path)
    outcome = report.files[0]
    assert outcome.status == "quarantined"
    assert "lacks the required column '价税合计' (gross_amount)" in outcome.problems[0]
    assert "the closest header in the file is '价税合计金额'" in outcome.problems[0]
    rows = quarantine_report(tmp_path, "erp/sales_invoices.csv")
    assert rows[0]["column"] == "价税合计"
    assert rows[0]["value"] == "价税合计金额"
    assert "aliases" in rows[0]["what_to_do"]
    assert (tmp_path / "quarantine/erp").glob("sales_invoices.*.csv")
    assert query(
        tmp_path, "select count(*) from information_schema.tables where table_schema = 'raw_erp'"
    ) == [(0,)]


def test_gbk_file_declared_utf8_is_quarantined_with_the_encoding_it_has(tmp_path: Path) -> None:
    # CRM contracts accept UTF-8 only; a CRM export saved by Excel on Chinese Windows is GBK
    write_csv(
        tmp_path / "landing/crm/wk_crm_contacts.csv",
        CONTACTS_HEADER,
        [contact_row(1), contact_row(2)],
        encoding="gbk",
    )
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    message = outcome.problems[0]
    assert "wrong_encoding" in message
    assert "is not utf-8" in message
    assert "(line 2)" in message
    assert "it decodes as gb18030" in message
    assert quarantine_report(tmp_path, "crm/wk_crm_contacts.csv")[0]["expected"] == "utf-8"


def test_gbk_erp_file_is_detected_and_lands(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "landing/erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(1), invoice_row(2)],
        encoding="gbk",
        newline="\r\n",
    )
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows) == ("landed", 2)
    assert query(
        tmp_path,
        "select customer_name, gross_amount from raw_erp.sales_invoices "
        "order by _row_number limit 1",
    ) == [("上海某某科技有限公司", Decimal("113.00"))]
    assert query(tmp_path, "select encoding from raw_meta.file_ledger") == [("gb18030",)]


def test_zero_byte_and_header_only_files_are_quarantined_as_empty(tmp_path: Path) -> None:
    (tmp_path / "landing/crm").mkdir(parents=True)
    (tmp_path / "landing/crm/wk_crm_contacts.csv").write_bytes(b"")
    write_csv(tmp_path / "landing/crm/wk_crm_ticket.csv", ["ticket_id", "ticket_no"], [])
    report = land(tmp_path)
    by_file = {f.file: f for f in report.files}
    assert by_file["crm/wk_crm_contacts.csv"].status == "quarantined"
    assert "is empty (0 bytes)" in by_file["crm/wk_crm_contacts.csv"].problems[0]
    assert by_file["crm/wk_crm_ticket.csv"].status == "quarantined"
    assert "has a header but no data rows" in by_file["crm/wk_crm_ticket.csv"].problems[0]
    assert report.count("quarantined") == 2


def test_truncated_file_is_quarantined_and_the_rest_lands(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "landing/erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(n) for n in range(1, 6)],
        "gb18030",
        "\r\n",
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])  # the export stopped mid-row
    write_csv(tmp_path / "landing/crm/wk_crm_contacts.csv", CONTACTS_HEADER, [contact_row(1)])
    report = land(tmp_path)
    by_file = {f.file: f for f in report.files}
    assert by_file["erp/sales_invoices.csv"].status == "quarantined"
    assert "ends in the middle of a row" in by_file["erp/sales_invoices.csv"].problems[0]
    assert "of 14 fields and no line end" in by_file["erp/sales_invoices.csv"].problems[0]
    assert by_file["crm/wk_crm_contacts.csv"].rows == 1
    assert query(tmp_path, "select count(*) from raw_crm.contacts") == [(1,)]


def test_binary_file_with_csv_name_is_quarantined(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(INVOICE_HEADER)
    (tmp_path / "landing/erp").mkdir(parents=True)
    workbook.save(tmp_path / "landing/erp/sales_invoices.csv")  # an XLSX saved as .csv
    (tmp_path / "landing/erp/receipts.csv").write_bytes(bytes(range(256)) * 4)
    report = land(tmp_path)
    by_file = {f.file: f for f in report.files}
    assert (
        "is a ZIP archive (an XLSX workbook?), not a CSV"
        in (by_file["erp/sales_invoices.csv"].problems[0])
    )
    assert "contains NUL bytes" in by_file["erp/receipts.csv"].problems[0]
    assert report.count("quarantined") == 2


def test_too_many_unparseable_values_quarantine_with_row_column_value(tmp_path: Path) -> None:
    rows = [invoice_row(n) for n in range(1, 11)]
    rows[3][1] = "2024-13-45"  # row 4: an impossible date
    rows[6][10] = "一百"  # row 7: text in an amount
    rows[8][10] = "abc"
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert "3 of 10 rows (30.0%) have bad values" in outcome.problems[0]
    assert "tolerance allows (2 rows)" in outcome.problems[0]
    report = quarantine_report(tmp_path, "erp/sales_invoices.csv")
    cells = [(r["row"], r["column"], r["value"]) for r in report[1:]]
    assert cells == [("4", "开票日期", "2024-13-45"), ("7", "金额", "一百"), ("9", "金额", "abc")]
    assert report[1]["expected"].startswith("a date in one of the formats %Y-%m-%d")
    assert query(tmp_path, "select count(*) from raw_meta.rejects") == [(0,)]


def test_rows_within_tolerance_go_to_rejects_and_the_file_lands(tmp_path: Path) -> None:
    rows = [invoice_row(n) for n in range(1, 11)]
    rows[4][10] = "n/a"
    rows[5][7] = ""  # 客户编码 is not nullable
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", 8, 2)
    rejects = query(
        tmp_path,
        "select row_number, column_name, value, reason, record "
        "from raw_meta.rejects order by row_number",
    )
    assert [r[:4] for r in rejects] == [
        (5, "net_amount", "n/a", "unparseable value"),
        (6, "customer_code", None, "missing value"),
    ]
    assert json.loads(rejects[0][4])["发票号码"] == "FP00000005"
    assert query(
        tmp_path, "select list(_row_number order by _row_number) from raw_erp.sales_invoices"
    ) == [([1, 2, 3, 4, 7, 8, 9, 10],)]


def test_row_numbers_hold_in_a_file_read_in_parallel(tmp_path: Path) -> None:
    # ~40 MB: DuckDB splits the read across threads; rows must still be numbered in file order
    n = 400_000
    rows = [contact_row(i) for i in range(1, n + 1)]
    rows[2][8] = "not a time"
    rows[n - 3][8] = "2024-13-45 25:61:00"
    rows[250_000][6] = 7  # an unknown marketing_consent code
    write_csv(tmp_path / "landing/crm/wk_crm_contacts.csv", CONTACTS_HEADER, rows)
    assert (tmp_path / "landing/crm/wk_crm_contacts.csv").stat().st_size > 32 << 20
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", n - 2, 2)
    rejects = query(tmp_path, "select row_number, value, record from raw_meta.rejects order by 1")
    assert [r[:2] for r in rejects] == [(3, "not a time"), (n - 2, "2024-13-45 25:61:00")]
    assert [json.loads(r[2])["contacts_id"] for r in rejects] == ["3", str(n - 2)]
    assert query(
        tmp_path,
        "select count(*), count(*) filter (where _row_number <> contacts_id), "
        "max(_row_number) from raw_crm.contacts",
    ) == [(n - 2, 0, n)]
    assert any("not known codes (e.g. 7)" in p for p in outcome.problems)


def test_files_converted_ahead_leave_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    good = [invoice_row(n) for n in range(1, 4)]
    doubled = [invoice_row(1), invoice_row(1)]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", INVOICE_HEADER, good, "gb18030")
    write_csv(tmp_path / "landing/erp/sales_invoices_2.csv", INVOICE_HEADER, doubled, "gb18030")
    write_csv(tmp_path / "landing/crm/wk_crm_contacts.csv", CONTACTS_HEADER, [contact_row(1)])
    first = [(f.file, f.status) for f in land(tmp_path).files]
    assert first == [
        ("crm/wk_crm_contacts.csv", "landed"),
        ("erp/sales_invoices.csv", "landed"),
        ("erp/sales_invoices_2.csv", "quarantined"),
    ]
    assert list(scratch.iterdir()) == []
    assert {f.status for f in land(tmp_path).files} == {"skipped"}
    assert list(scratch.iterdir()) == []
    assert query(tmp_path, "select count(*) from raw_erp.sales_invoices") == [(3,)]


def test_duplicate_keys_within_a_file_quarantine_it(tmp_path: Path) -> None:
    rows = [invoice_row(1), invoice_row(2), invoice_row(1), invoice_row(3)]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", INVOICE_HEADER, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "quarantined"
    assert (
        "1 value(s) of the primary key (invoice_no, tax_rate_pct) occur more than once, "
        "in 2 rows" in outcome.problems[0]
    )
    assert "key (FP00000001, 13) is on rows 1, 3" in outcome.problems[1]


def test_malformed_row_with_extra_fields_is_rejected_and_the_rest_lands(tmp_path: Path) -> None:
    # one row of three within the contract's tolerance (2 rows): a row-level reject (issue #18);
    # tests/ingestion/test_bad_input_reasons.py has the over-tolerance quarantine
    path = write_csv(
        tmp_path / "landing/crm/wk_crm_contacts.csv",
        CONTACTS_HEADER,
        [contact_row(1), contact_row(2)],
    )
    path.write_text(path.read_text(encoding="utf-8") + "3,1,a,b,c,d,1,,x,y,EXTRA\n", "utf-8")
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.rejected_rows) == ("landed", 2, 1)
    assert "row 3, column '(whole row)': malformed row: 11 fields" in outcome.problems[-1]


# ------------------------------------------------------------------- readers, units, dates


def test_bom_and_crlf_land_cleanly(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "landing/crm/wk_crm_contacts.csv",
        CONTACTS_HEADER,
        [contact_row(1), contact_row(2)],
        newline="\r\n",
        bom=True,
    )
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows, outcome.problems) == ("landed", 2, [])
    assert query(tmp_path, "select contacts_id, update_time from raw_crm.contacts order by 1") == [
        (1, dt.datetime(2024, 1, 2, 9, 30)),
        (2, dt.datetime(2024, 1, 2, 9, 30)),
    ]
    assert query(tmp_path, "select encoding from raw_meta.file_ledger") == [("utf-8-sig",)]


def _trade_show_workbook(path: Path, blank_rows: int) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "展会"
    for _ in range(blank_rows):
        sheet.append([None])
    sheet.append(
        [
            "展会名称",
            "开始日期",
            "结束日期",
            "城市",
            "展位费",
            "搭建费",
            "差旅费",
            "收集线索数",
            "备注",
        ]
    )
    sheet.append(
        [
            "工博会",
            dt.datetime(2024, 9, 24),
            dt.datetime(2024, 9, 28),
            "上海",
            12000,
            3500.5,
            2100,
            35,
            "与经销商合租",
        ]
    )
    # a date typed as a number: Excel serial 45566 = 2024-10-01
    sheet.append(["医博会", 45566, 45569, "深圳", 8000, 2000, 1500, 12, None])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_xlsx_with_blank_first_row_and_excel_serial_dates(tmp_path: Path) -> None:
    _trade_show_workbook(tmp_path / "landing/marketing/trade_shows.xlsx", blank_rows=1)
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows) == ("landed", 2)
    assert query(
        tmp_path,
        "select show_name, start_date, end_date, build_cost, note, "
        "_row_number from raw_marketing.trade_shows order by 1 desc",
    ) == [
        (
            "工博会",
            dt.date(2024, 9, 24),
            dt.date(2024, 9, 28),
            Decimal("3500.50"),
            "与经销商合租",
            1,
        ),
        ("医博会", dt.date(2024, 10, 1), dt.date(2024, 10, 4), Decimal("2000.00"), None, 2),
    ]


def test_mixed_receipt_dates_excel_serial_and_chinese(tmp_path: Path) -> None:
    header = [
        "收款单号",
        "收款日期",
        "客户编码",
        "客户名称",
        "结算方式",
        "收款科目",
        "核销发票号码",
        "应收金额",
        "实收金额",
        "单据状态",
    ]
    dates = ["2024-03-05", "2024/3/5", "2024年3月5日", "45356", "2024-3-5"]
    rows = [
        [f"SK{n}", d, "CUST000001", "某公司", "电汇", "1002", f"FP{n}", "113.00", "113.00", "C"]
        for n, d in enumerate(dates)
    ]
    write_csv(tmp_path / "landing/erp/receipts.csv", header, rows, "gb18030", "\r\n")
    assert land(tmp_path).files[0].rows == 5
    assert query(tmp_path, "select distinct receipt_date from raw_erp.receipts") == [
        (dt.date(2024, 3, 5),)
    ]


def test_baidu_period_rows_land_with_start_and_end(tmp_path: Path) -> None:
    header = ["日期", "账户", "推广计划ID", "推广计划", "展现", "点击", "消费", "转化"]
    rows = [
        ["2024-03-31", "acct", "101", "品牌词", 1000, 20, "35.50", 1],
        ["2024-03-31 23:00", "acct", "101", "品牌词", 80, 2, "3.10", 0],
        ["2024-03-01至2024-03-31", "acct", "102", "竞品词[已删除]", 9000, 150, "1200.00", 9],
    ]
    write_csv(tmp_path / "landing/marketing/baidu_sem.csv", header, rows, "gb18030", "\r\n")
    assert land(tmp_path).files[0].rows == 3
    assert query(
        tmp_path,
        "select period_start, period_end, period_grain, period_hour, "
        "campaign_name, cost from raw_marketing.baidu_sem order by _row_number",
    ) == [
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31), "day", None, "品牌词", Decimal("35.50")),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31), "hour", 23, "品牌词", Decimal("3.10")),
        (
            dt.date(2024, 3, 1),
            dt.date(2024, 3, 31),
            "range",
            None,
            "竞品词[已删除]",
            Decimal("1200.00"),
        ),
    ]


def test_amounts_in_fen_land_in_yuan(tmp_path: Path) -> None:
    header = [
        "date",
        "account_id",
        "campaign_id",
        "campaign_name",
        "view_count",
        "valid_click_count",
        "cost",
        "conversions",
    ]
    rows = [
        ["2024-05-01", "a1", "c1", "朋友圈", 5000, 40, 123456, 3],
        ["2024-05-01", "a1", "c2", "公众号", 100, 1, 5, 0],
    ]
    write_csv(tmp_path / "landing/marketing/tencent_ads.csv", header, rows)
    land(tmp_path)
    assert query(
        tmp_path, "select campaign_id, cost from raw_marketing.tencent_ads order by 1"
    ) == [("c1", Decimal("1234.56")), ("c2", Decimal("0.05"))]


def test_unix_seconds_become_beijing_wall_time(tmp_path: Path) -> None:
    header = [
        "leads_id",
        "leads_name",
        "customer_id",
        "contact_name",
        "mobile",
        "email",
        "source",
        "utm_source",
        "owner_user_id",
        "is_transform",
        "status",
        "create_time",
        "update_time",
    ]
    base = ["某公司", "", "李", "13900000000", "", "百度推广", "baidu", 3, 0, 1]
    rows = [
        [200001, *base, "1704158400", ""],  # 2024-01-02 01:20 UTC
        [200002, *base, "2024/01/02 09:20", ""],
    ]
    write_csv(tmp_path / "landing/crm/wk_crm_leads.csv", header, rows)
    land(tmp_path)
    assert query(tmp_path, "select distinct create_time from raw_crm.leads") == [
        (dt.datetime(2024, 1, 2, 9, 20),)
    ]


def test_parquet_extract_lands(tmp_path: Path) -> None:
    contracts = load_contracts()
    (tmp_path / "contracts").mkdir()
    text = next(c for c in contracts if c.name == "crm.contacts").path.read_text("utf-8")
    (tmp_path / "contracts/crm_contacts.yml").write_text(
        text.replace('"crm/wk_crm_contacts.csv"', '"crm/contacts*.parquet"'), "utf-8"
    )
    frame = pl.DataFrame(
        {
            h: [str(v) if v != "" else None]
            for h, v in zip(CONTACTS_HEADER, contact_row(1), strict=True)
        }
    ).with_columns(pl.lit(dt.datetime(2024, 1, 2, 9, 30)).alias("create_time"))
    (tmp_path / "landing/crm").mkdir(parents=True)
    frame.write_parquet(tmp_path / "landing/crm/contacts_2024.parquet")
    report = land_directory(
        tmp_path / "w.duckdb",
        tmp_path / "landing",
        contracts=load_contracts(tmp_path / "contracts"),
    )
    outcome = report.files[0]
    assert (outcome.status, outcome.rows, outcome.problems) == ("landed", 1, [])
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute(
            "select contacts_id, create_time, marketing_consent from raw_crm.contacts"
        ).fetchall() == [(1, dt.datetime(2024, 1, 2, 9, 30), 1)]


# ------------------------------------------------------------------------------ schema drift


def test_header_renamed_by_upgrade_lands_through_alias(tmp_path: Path) -> None:
    header = [h if h != "价税合计" else "价税合计_本位币" for h in INVOICE_HEADER]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", header, [invoice_row(1)], "gb18030")
    outcome = land(tmp_path).files[0]
    assert (outcome.status, outcome.rows) == ("landed", 1)
    assert "header '价税合计_本位币' read as '价税合计' -> gross_amount" in outcome.problems[0]
    assert query(tmp_path, "select gross_amount from raw_erp.sales_invoices") == [
        (Decimal("113.00"),)
    ]


def test_extra_column_is_kept_and_missing_optional_is_null(tmp_path: Path) -> None:
    header = [h for h in INVOICE_HEADER if h != "销售成本"] + ["备注"]
    rows = [[*invoice_row(1)[:13], "加急"]]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", header, rows, "gb18030")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "landed"
    kinds = sorted(p.split(":")[0] for p in outcome.problems)
    assert kinds == ["warning extra_column", "warning missing_optional_column"]
    assert query(tmp_path, 'select cost_amount, "备注" from raw_erp.sales_invoices') == [
        (None, "加急")
    ]
    assert query(tmp_path, "select kind from raw_meta.file_problems order by kind") == [
        ("extra_column",),
        ("missing_optional_column",),
    ]


def test_unknown_enum_code_lands_with_a_warning(tmp_path: Path) -> None:
    row = invoice_row(1)
    row[3] = "Z"
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", INVOICE_HEADER, [row], "gb18030")
    outcome = land(tmp_path).files[0]
    assert outcome.status == "landed"
    assert "1 value(s) of '单据状态' are not known codes (e.g. Z)" in outcome.problems[0]


# -------------------------------------------------------------------- ledger and idempotence


def test_same_file_twice_changes_nothing_and_a_changed_file_is_a_new_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "landing/erp/sales_invoices.csv"
    write_csv(path, INVOICE_HEADER, [invoice_row(1), invoice_row(2)], "gb18030")
    first = land(tmp_path)
    snapshot = query(tmp_path, "select * from raw_erp.sales_invoices order by _row_number")
    second = land(tmp_path)
    assert (first.count("landed"), second.count("skipped"), second.count("landed")) == (1, 1, 0)
    assert query(tmp_path, "select * from raw_erp.sales_invoices order by _row_number") == snapshot
    write_csv(path, INVOICE_HEADER, [invoice_row(1, net="90.00"), invoice_row(3)], "gb18030")
    third = land(tmp_path)
    assert third.files[0].status == "landed"
    assert [(r["status"], r["version"]) for r in ledger(tmp_path)] == [("landed", 1), ("landed", 2)]
    assert query(
        tmp_path, "select count(*), count(distinct _file_hash) from raw_erp.sales_invoices"
    ) == [(4, 2)]


def test_quarantined_file_is_not_retried_until_the_contract_changes(tmp_path: Path) -> None:
    header = [h if h != "价税合计" else "含税金额" for h in INVOICE_HEADER]
    write_csv(tmp_path / "landing/erp/sales_invoices.csv", header, [invoice_row(1)], "gb18030")
    assert land(tmp_path).files[0].status == "quarantined"
    assert land(tmp_path).files[0].status == "skipped"
    contracts_dir = tmp_path / "contracts"
    contracts_dir.mkdir()
    for contract in load_contracts():
        text = contract.path.read_text("utf-8")
        if contract.name == "erp.sales_invoices":
            text = text.replace(
                "aliases: [价税合计_本位币,", "aliases: [含税金额, 价税合计_本位币,"
            )
        (contracts_dir / contract.path.name).write_text(text, "utf-8")
    report = land_directory(
        tmp_path / "warehouse/build.duckdb",
        tmp_path / "landing",
        contracts=load_contracts(contracts_dir),
        quarantine_dir=tmp_path / "quarantine",
    )
    assert (report.files[0].status, report.files[0].rows) == ("landed", 1)
    assert [r["status"] for r in ledger(tmp_path)] == ["quarantined", "landed"]


def test_bad_new_version_leaves_everything_loaded_before_intact(tmp_path: Path) -> None:
    path = tmp_path / "landing/erp/sales_invoices.csv"
    write_csv(path, INVOICE_HEADER, [invoice_row(1), invoice_row(2)], "gb18030")
    land(tmp_path)
    before = query(tmp_path, "select * from raw_erp.sales_invoices order by _row_number")
    path.write_bytes(b"")
    report = land(tmp_path)
    assert report.files[0].status == "quarantined"
    assert query(tmp_path, "select * from raw_erp.sales_invoices order by _row_number") == before
    assert [r["status"] for r in ledger(tmp_path)] == ["landed", "quarantined"]


def test_quarantine_report_has_the_documented_columns(tmp_path: Path) -> None:
    (tmp_path / "landing/erp").mkdir(parents=True)
    (tmp_path / "landing/erp/gl_entries.csv").write_bytes(b"")
    land(tmp_path)
    folder = tmp_path / "quarantine/erp"
    copies = sorted(p.name for p in folder.iterdir())
    assert len(copies) == 3
    assert copies[0].startswith("gl_entries.") and copies[0].endswith(".csv")
    with open(folder / (copies[0] + ".report.csv"), encoding="utf-8") as handle:
        assert handle.readline().strip() == "file,row,column,value,expected,problem,what_to_do"
    summary = (folder / (copies[0] + ".report.txt")).read_text("utf-8")
    assert "Nothing of this file was loaded; everything landed before is intact." in summary
    assert "What to do: Re-export the file" in summary


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_landing_twice_into_fresh_databases_gives_identical_tables(
    tmp_path: Path, newline: str
) -> None:
    write_csv(
        tmp_path / "landing/erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(n) for n in range(1, 30)],
        "gb18030",
        newline,
    )
    columns = "* exclude (_loaded_at, _batch_id)"
    tables = []
    for name in ("a", "b"):
        land_directory(
            tmp_path / f"{name}.duckdb", tmp_path / "landing", quarantine_dir=tmp_path / "q"
        )
        import duckdb

        with duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True) as con:
            tables.append(
                con.execute(
                    f"select {columns} from raw_erp.sales_invoices order by _row_number"
                ).fetchall()
            )
    assert tables[0] == tables[1]
    assert len(tables[0]) == 29


def test_worked_example_of_the_user_guide_lands(tmp_path: Path) -> None:
    """README "Use your own extracts": a Yonyou U8 workbook through an edited contract."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts/erp_sales_invoices.yml").write_text(
        """
source: erp
entity: sales_invoices
file_pattern: "erp/u8_invoices*.xlsx"
format: xlsx
sheet: 销售发票
primary_key: [invoice_no, tax_rate_pct]
columns:
  - {source: cSBVCode, name: invoice_no, type: varchar}
  - {source: dDate, name: invoice_date, type: date, formats: ["%Y-%m-%d", excel_serial]}
  - {source: cCusCode, name: customer_code, type: varchar, nullable: false}
  - {source: cCusName, name: customer_name, type: varchar}
  - {source: iTaxRate, name: tax_rate_pct, type: integer, enum: {13: goods, 6: services}}
  - {source: iMoneyWan, name: net_amount, type: "decimal(18,2)", unit: wan}
  - {source: iTax, name: tax_amount, type: "decimal(18,2)"}
  - {source: iSum, name: gross_amount, type: "decimal(18,2)"}
  - {source: bReturnFlag, name: is_red_ink, type: varchar, enum: {"0": invoice, "1": credit note}}
  - {source: cost, name: cost_amount, type: "decimal(18,2)", required: false}
""",
        "utf-8",
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "销售发票"
    sheet.append([None])
    sheet.append(
        [
            "cSBVCode",
            "dDate",
            "cCusCode",
            "cCusName",
            "iTaxRate",
            "iMoneyWan",
            "iTax",
            "iSum",
            "bReturnFlag",
        ]
    )
    sheet.append(
        [
            "0000123",
            dt.datetime(2025, 3, 4),
            "C0042",
            "杭州某某机械有限公司",
            13,
            1.25,
            1625.0,
            14125.0,
            0,
        ]
    )
    (tmp_path / "my_exports/erp").mkdir(parents=True)
    workbook.save(tmp_path / "my_exports/erp/u8_invoices.xlsx")
    report = land_directory(
        tmp_path / "try.duckdb",
        tmp_path / "my_exports",
        contracts=load_contracts(tmp_path / "contracts"),
        quarantine_dir=tmp_path / "q",
    )
    outcome = report.files[0]
    assert (outcome.status, outcome.rows) == ("landed", 1)
    assert [p.split(":")[0] for p in outcome.problems] == ["warning missing_optional_column"]
    with duckdb.connect(str(tmp_path / "try.duckdb"), read_only=True) as con:
        assert con.execute(
            "select invoice_no, invoice_date, net_amount, gross_amount, "
            "is_red_ink, cost_amount from raw_erp.sales_invoices"
        ).fetchall() == [
            ("0000123", dt.date(2025, 3, 4), Decimal("12500.00"), Decimal("14125.00"), "0", None)
        ]
