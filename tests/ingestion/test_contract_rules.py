"""Raw quality rules come from the contract, and a failure names the rule, column and rows.

A user whose ERP codes look like ``KH-00017`` sets the pattern in their own contract; the
simulator's contracts keep ``^CUST\\d+$``. These run the real GX suite on a real DuckDB table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from data_tests.raw_quality import validate_raw_table
from data_tests.raw_suites import raw_suite_specs
from ingestion.contracts import CONTRACTS_DIR, ContractError, load_contract

OWN_ERP_CONTRACT = """
source: erp
entity: customers
file_pattern: "erp/customers*.csv"
primary_key: [customer_code]
columns:
  - {source: 客户编码, name: customer_code, type: varchar, pattern: '^KH-\\d{5}$'}
  - {source: 客户名称, name: customer_name, type: varchar, nullable: false}
"""


def _regexes(contract) -> list[tuple[str, str]]:
    return [
        (spec.kwargs["column"], spec.kwargs["regex"])
        for spec in raw_suite_specs(contract, today=dt.date(2026, 12, 5))
        if spec.type == "expect_column_values_to_match_regex"
    ]


def test_the_shipped_erp_contract_keeps_the_cust_pattern() -> None:
    contract = load_contract(CONTRACTS_DIR / "erp_customers.yml")
    assert _regexes(contract) == [("customer_code", r"^CUST\d+$")]


def test_an_own_contract_overrides_the_pattern(tmp_path: Path) -> None:
    path = tmp_path / "erp_customers.yml"
    path.write_text(OWN_ERP_CONTRACT, encoding="utf-8")
    assert _regexes(load_contract(path)) == [("customer_code", r"^KH-\d{5}$")]


def test_a_pattern_that_is_no_regex_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "erp_customers.yml"
    path.write_text(OWN_ERP_CONTRACT.replace("^KH-\\d{5}$", "KH-(["), encoding="utf-8")
    with pytest.raises(ContractError, match=r"erp_customers.yml: column 'customer_code'"):
        load_contract(path)


def test_a_failed_rule_names_rule_column_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "erp_customers.yml"
    path.write_text(OWN_ERP_CONTRACT, encoding="utf-8")
    contract = load_contract(path)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    con.execute("create schema raw_erp")
    con.execute(
        "create table raw_erp.customers (customer_code varchar, customer_name varchar, "
        "_file varchar, _file_hash varchar, _row_number bigint, _loaded_at timestamp, "
        "_batch_id varchar)"
    )
    codes = ["KH-00001", "KH-00002", "kh00017", "KH-00004", "CUST0005"]
    con.executemany(
        "insert into raw_erp.customers values (?, ?, 'erp/customers.csv', 'h', ?, "
        "timestamp '2026-12-05 08:00:00', 'b1')",
        [[code, f"公司{i}", i] for i, code in enumerate(codes)],
    )
    result = validate_raw_table(con, contract, today=dt.date(2026, 12, 5))
    con.close()
    assert not result.success and not result.blocking_failed
    (failure,) = result.failures
    assert "expect_column_values_to_match_regex [regex ^KH-\\d{5}$]" in failure
    assert "(pattern in erp_customers.yml)" in failure
    assert "on column customer_code: 2 unexpected" in failure
    assert "customer_code=kh00017" in failure and "customer_code=CUST0005" in failure
