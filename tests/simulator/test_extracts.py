"""The extract files: reproducibility, encodings, headers as documented, and consistency."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from simulator import SCALES, generate
from simulator.tax_id import is_valid_uscc
from tests.simulator.helpers import encoding_of, read_csv

DOC = Path(__file__).resolve().parents[2] / "docs" / "SAMPLE_DATA.md"


def documented_headers() -> dict[str, list[str]]:
    """file -> header list, from the '### <file>' sections of docs/SAMPLE_DATA.md."""
    out: dict[str, list[str]] = {}
    sections = re.split(r"^### ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]
    for sec in sections:
        path = sec.split()[0]
        if not re.match(r"(crm|erp|marketing)/", path):
            continue
        header = next(m for m in re.findall(r"`([^`]+)`", sec) if "," in m)
        out[path] = header.split(",")
    return out


def test_same_seed_gives_byte_identical_files(tiny, tmp_path: Path) -> None:
    out, summary = tiny
    again = generate(tmp_path / "again", scale="tiny", seed=7)
    assert again["files"] == summary["files"]
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out)
        assert (tmp_path / "again" / rel).read_bytes() == path.read_bytes(), rel


def test_another_seed_gives_other_data(tiny, tmp_path: Path) -> None:
    _out, summary = tiny
    messages: list[str] = []
    other = generate(tmp_path / "other", scale="tiny", seed=8, progress=messages.append)
    assert messages[0].startswith("tiny: 200 customers, 2023-11-01 .. 2026-10-31")
    assert any(m.startswith("chunk 1/1") for m in messages)
    assert messages[-1].startswith("done in")
    assert (
        other["files"]["erp/sales_orders.csv"]["sha256"]
        != (summary["files"]["erp/sales_orders.csv"]["sha256"])
    )


def test_every_documented_file_is_written_with_its_documented_header(tiny) -> None:
    out, summary = tiny
    docs = documented_headers()
    assert set(docs) == set(summary["files"]), "docs/SAMPLE_DATA.md and the files differ"
    for rel, header in docs.items():
        if rel.endswith(".xlsx"):
            ws = openpyxl.load_workbook(out / rel, read_only=True).worksheets[0]
            first = next(ws.iter_rows(max_row=1, values_only=True))
            assert list(first) == header, rel
        else:
            assert read_csv(out / rel, rel, complete_rows_only=True).columns == header, rel


def test_files_are_readable_in_their_declared_encoding_only(tiny) -> None:
    out, summary = tiny
    for rel in summary["files"]:
        if not rel.endswith(".csv"):
            continue
        data = (out / rel).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), f"{rel} has a BOM"
        data.decode(encoding_of(rel))
        if encoding_of(rel) == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")


def test_summary_matches_the_files_on_disk(tiny) -> None:
    out, summary = tiny
    for rel, info in summary["files"].items():
        assert (out / rel).stat().st_size == info["bytes"], rel
    orders = read_csv(out / "erp/sales_orders.csv", "erp/sales_orders.csv")
    assert summary["files"]["erp/sales_orders.csv"]["rows"] == orders.height
    assert 3_000 <= orders.height <= 8_000  # tiny is ~5k order lines
    assert 170 <= summary["customers"] <= 230


def test_bad_arguments_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown scale 'huge'.*tiny, small, medium, large"):
        generate(tmp_path / "a", scale="huge")
    with pytest.raises(ValueError, match="before start"):
        generate(tmp_path / "b", start=dt.date(2025, 1, 1), end=dt.date(2024, 1, 1))
    with pytest.raises(ValueError, match="at least 365 days"):
        generate(tmp_path / "c", start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    (tmp_path / "d" / "erp").mkdir(parents=True)
    (tmp_path / "d" / "erp" / "old.csv").write_text("keep")
    with pytest.raises(ValueError, match=r"already holds generated data \(erp\)"):
        generate(tmp_path / "d", scale="tiny")
    assert (tmp_path / "d" / "erp" / "old.csv").read_text() == "keep"


def test_unrelated_files_in_the_output_folder_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "ledger.json").write_text("{}")
    summary = generate(tmp_path, scale="tiny", seed=3)
    assert (tmp_path / "ledger.json").read_text() == "{}"
    assert "erp/sales_orders.csv" in summary["files"]


def test_default_period_is_three_years_to_october_2026(tiny) -> None:
    _, summary = tiny
    assert (summary["start"], summary["end"]) == ("2023-11-01", "2026-10-31")
    assert set(SCALES) == {"tiny", "small", "medium", "large"}


def test_every_row_traces_to_truth(tiny) -> None:
    out, _ = tiny
    identity = pl.read_parquet(out / "truth/identity.parquet")
    crm_ids = set(identity.filter(pl.col("system") == "crm")["record_id"])
    erp_ids = set(identity.filter(pl.col("system") == "erp")["record_id"])
    customers = read_csv(out / "crm/wk_crm_customer.csv", "crm/wk_crm_customer.csv")
    assert set(customers["customer_id"]) == crm_ids
    for rel in [
        "crm/wk_crm_contacts.csv",
        "crm/wk_crm_contract.csv",
        "crm/wk_crm_ticket.csv",
        "crm/wk_crm_business.csv",
        "crm/wk_crm_receivables.csv",
    ]:
        assert set(read_csv(out / rel, rel)["customer_id"]) <= crm_ids, rel
    erp = read_csv(out / "erp/customers.csv", "erp/customers.csv")
    assert set(erp["客户编码"]) == erp_ids
    for rel in ["erp/sales_orders.csv", "erp/sales_invoices.csv"]:
        assert set(read_csv(out / rel, rel)["客户编码"]) <= erp_ids, rel
    leads = read_csv(out / "crm/wk_crm_leads.csv", "crm/wk_crm_leads.csv")
    truth_leads = pl.read_parquet(out / "truth/leads.parquet")
    assert leads["leads_id"].cast(pl.Int64).to_list() == truth_leads["leads_id"].to_list()
    # Converted leads point at the CRM record of the company the truth says they became.
    conv = leads.filter(pl.col("is_transform") == "1").join(
        truth_leads.with_columns(pl.col("leads_id").cast(pl.String)), on="leads_id"
    )
    primary = identity.filter((pl.col("system") == "crm") & pl.col("is_primary"))
    joined = conv.join(primary, left_on="customer_id", right_on="record_id")
    assert joined.height == conv.height > 0
    assert (joined["true_customer_id"] == joined["true_customer_id_right"]).all()


def test_tax_ids_pass_their_check_digit_except_the_planted_ones(tiny) -> None:
    out, _ = tiny
    erp = read_csv(out / "erp/customers.csv", "erp/customers.csv").with_row_index("row", 1)
    problems = pl.read_parquet(out / "truth/problems.parquet")
    planted = set(
        problems.filter(pl.col("problem") == "invalid_tax_id")["row"].cast(pl.UInt32).to_list()
    )
    present = erp.filter(pl.col("统一社会信用代码").fill_null("") != "")
    invalid = {
        r for r, c in present.select("row", "统一社会信用代码").iter_rows() if not is_valid_uscc(c)
    }
    assert invalid == planted
    assert present.height > 0.8 * erp.height


def test_amounts_add_up_and_vouchers_balance(tiny) -> None:
    out, _ = tiny
    lines = read_csv(out / "erp/sales_orders.csv", "erp/sales_orders.csv").with_columns(
        pl.col("金额", "税额", "价税合计", "单价").cast(pl.Float64),
        pl.col("数量", "税率(%)").cast(pl.Int64),
    )
    assert (lines["金额"] + lines["税额"] - lines["价税合计"]).abs().max() < 0.011
    assert (lines["金额"] * lines["税率(%)"] / 100 - lines["税额"]).abs().max() < 0.011
    assert set(lines["税率(%)"].unique()) == {6, 13}
    gl = read_csv(out / "erp/gl_entries.csv", "erp/gl_entries.csv").with_columns(
        pl.col("借方金额", "贷方金额").cast(pl.Float64)
    )
    unbalanced = (
        gl.group_by("凭证字号")
        .agg((pl.col("借方金额").sum() - pl.col("贷方金额").sum()).abs().alias("diff"))
        .filter(pl.col("diff") > 0.011)
    )
    assert unbalanced.height == 0
    assert {"1122", "6001", "6401", "1405", "2221.01.01", "1002"} <= set(gl["科目编码"])
    inv = read_csv(out / "erp/sales_invoices.csv", "erp/sales_invoices.csv").with_columns(
        pl.col("金额").cast(pl.Float64)
    )
    revenue_gl = gl.filter(pl.col("科目编码") == "6001")["贷方金额"].sum()
    assert abs(revenue_gl - inv["金额"].sum()) < 1.0
    credit_notes = inv.filter(pl.col("红字发票") == "是")
    assert credit_notes.height > 0 and (credit_notes["金额"] < 0).all()
    assert set(credit_notes["原发票号码"]) <= set(inv["发票号码"])


def test_a_custom_period_is_respected(tmp_path: Path) -> None:
    start, end = dt.date(2024, 2, 29), dt.date(2025, 6, 30)
    summary = generate(tmp_path / "p", scale="tiny", seed=1, start=start, end=end)
    assert (summary["start"], summary["end"]) == ("2024-02-29", "2025-06-30")
    orders = read_csv(tmp_path / "p/erp/sales_orders.csv", "erp/sales_orders.csv")
    assert orders["单据日期"].min() >= "2024-02-29"
    assert orders["单据日期"].max() <= "2025-06-30"
    leads = read_csv(tmp_path / "p/crm/wk_crm_leads.csv", "crm/wk_crm_leads.csv")
    iso = leads.filter(pl.col("create_time").str.contains(r"^\d{4}-\d{2}-\d{2} "))
    assert iso["create_time"].min() >= "2024-02-29"
    only_start = generate(tmp_path / "q", scale="tiny", seed=1, start=start)
    assert only_start["end"] == "2027-02-28"
    with pytest.raises(ValueError, match=r"must be a datetime\.date"):
        generate(tmp_path / "r", scale="tiny", start="2024-01-01")  # type: ignore[arg-type]


def test_truth_readme_and_manifest_describe_the_run(tiny) -> None:
    out, summary = tiny
    readme = (out / "truth/README.md").read_text(encoding="utf-8")
    assert "scale `tiny`, seed `7`, period 2023-11-01 .. 2026-10-31" in readme
    for name, rows in summary["truth"].items():
        assert f"| {name}.parquet | {rows} |" in readme
    manifest = json.loads((out / "truth/manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == summary["files"]


def test_references_between_extracts_resolve(tiny) -> None:
    out, _ = tiny

    def col(rel: str, name: str) -> set[str]:
        return set(read_csv(out / rel, rel, complete_rows_only=True)[name].drop_nulls())

    products = openpyxl.load_workbook(out / "erp/products.xlsx", read_only=True).worksheets[0]
    codes = {row[0] for row in products.iter_rows(min_row=2, values_only=True)}
    assert col("erp/sales_orders.csv", "物料编码") <= codes
    orders = col("erp/sales_orders.csv", "单据编号")
    invoices = col("erp/sales_invoices.csv", "发票号码")
    assert col("erp/sales_invoices.csv", "源单编号") <= orders
    assert col("erp/receipts.csv", "核销发票号码") <= invoices
    receipts = col("erp/receipts.csv", "收款单号")
    gl_docs = col("erp/gl_entries.csv", "源单编号")
    assert invoices <= gl_docs and receipts <= gl_docs
    contracts = col("crm/wk_crm_contract.csv", "contract_id")
    assert col("crm/wk_crm_receivables_plan.csv", "contract_id") <= contracts
    assert col("crm/wk_crm_receivables.csv", "plan_id") <= col(
        "crm/wk_crm_receivables_plan.csv", "plan_id"
    )
    business = col("crm/wk_crm_business.csv", "business_id")
    assert col("crm/wk_crm_contract.csv", "business_id") <= business
    assert col("crm/wk_crm_business_change.csv", "business_id") == business
    assert col("crm/wk_crm_ticket.csv", "contacts_id") <= col(
        "crm/wk_crm_contacts.csv", "contacts_id"
    )
    users = col("crm/wk_admin_user.csv", "user_id")
    assert col("crm/wk_crm_customer.csv", "owner_user_id") <= users
    assert col("crm/wk_crm_ticket.csv", "owner_user_id") <= users
    batches = col("crm/wk_crm_customer.csv", "batch_id")
    assert col("crm/wk_crm_customer_data.csv", "batch_id") <= batches
    stages = col("crm/wk_crm_business_status.csv", "status_id")
    assert col("crm/wk_crm_business_change.csv", "status_id") <= stages
