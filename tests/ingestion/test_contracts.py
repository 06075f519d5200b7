"""Contracts: one per simulator file, every header mapped, and errors a user can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.contracts import (
    ContractError,
    drop_date_of,
    load_contract,
    load_contracts,
    logical_path,
)
from ingestion.headers import plan_headers
from ingestion.landing import match_contract
from ingestion.readers import read_extract


def test_every_simulated_file_is_claimed_by_exactly_one_contract(tiny_extract: Path) -> None:
    manifest = json.loads((tiny_extract / "truth" / "manifest.json").read_text(encoding="utf-8"))
    extracts = [f for f in manifest["files"] if not f.startswith("truth/")]
    contracts = load_contracts()
    assert len(contracts) == 25
    assert len(extracts) == 26  # receipts also come as a (truncated) late re-send
    for relative in extracts:
        claims = [c.name for c in contracts if c.matches(relative)]
        assert len(claims) == 1, (relative, claims)
    assert match_contract("truth/companies.parquet", contracts) is None


def test_simulated_headers_map_without_drift(tiny_extract: Path) -> None:
    import duckdb

    con = duckdb.connect()
    for contract in load_contracts():
        path = next(
            p
            for p in sorted(tiny_extract.rglob("*"))
            if p.is_file() and contract.matches(p.relative_to(tiny_extract).as_posix())
        )
        seen: dict[str, list[str]] = {}

        def stage(
            from_sql: str, row_number: str, headers: list[str], malformed: bool, seen=seen
        ) -> int:
            seen["headers"] = headers
            return 1

        read_extract(con, path, contract, stage)
        plan = plan_headers(contract, seen["headers"], path.name)
        assert plan.warnings == [], (contract.name, [str(w) for w in plan.warnings])
        assert plan.extras == {}


def test_drop_prefix_is_ignored_for_matching() -> None:
    assert logical_path("drops/2024-03-05/erp/receipts.csv") == "erp/receipts.csv"
    assert drop_date_of("drops/2024-03-05/erp/receipts.csv") == "2024-03-05"
    assert drop_date_of("erp/receipts.csv") is None
    contracts = load_contracts()
    found = match_contract("drops/2024-03-05/erp/receipts.csv", contracts)
    assert found is not None and found.name == "erp.receipts"


def test_units_formats_and_tolerance_are_read() -> None:
    contracts = {c.name: c for c in load_contracts()}
    assert contracts["marketing.tencent_ads"].column("cost").unit == "fen"
    receipts = contracts["erp.receipts"]
    assert "excel_serial" in receipts.column("receipt_date").date_formats
    assert receipts.allowed_rejects(100_000) == 100
    assert receipts.allowed_rejects(10) == 2
    assert contracts["crm.customers"].soft_delete["values"] == [3]
    assert contracts["erp.sales_invoices"].column("gross_amount").aliases == (
        "价税合计_本位币",
        "价税合计(本位币)",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("columns:\n  - {source: a, name: a, type: money}", "type 'money'"),
        ("columns:\n  - {source: a, name: a, unit: cents}", "unit 'cents'"),
        ("primary_key: [b]\ncolumns:\n  - {source: a, name: a}", "unknown column(s) ['b']"),
        ("columns:\n  - {source: a, name: a, formats: [dd.mm.yyyy]}", "date format 'dd.mm.yyyy'"),
        ("columns:\n  - {source: a}", "a column lacks 'name'"),
    ],
)
def test_contract_errors_name_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "crm_things.yml"
    path.write_text(
        f"source: crm\nentity: things\nfile_pattern: 'crm/things.csv'\n{body}\n", encoding="utf-8"
    )
    with pytest.raises(ContractError) as error:
        load_contract(path)
    assert "crm_things.yml" in str(error.value)
    assert message in str(error.value)
