"""The dbt sources describe exactly the raw tables the landing contracts create.

The contracts (ingestion/contracts/*.yml) decide what lands; the source YAML of each staging
folder documents it for dbt. Nothing generates one from the other, so this test keeps them in
step: every contract is a source table with the same columns in the same order and types, every
source table has a contract, and every transactional source declares freshness on the landing
time. It reads dbt's parsed manifest (`make manifest` runs before the tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.contracts import load_contracts
from ingestion.parsing import raw_table_ddl
from orchestration.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# re-sent only when they change (organisation, stage catalogue, products, campaigns, shows):
# their age says nothing about whether the daily extracts arrive
REFERENCE_TABLES = {
    "raw_crm.departments",
    "raw_crm.users",
    "raw_crm.business_stages",
    "raw_crm.campaigns",
    "raw_erp.products",
    "raw_marketing.trade_shows",
}


def _sources() -> dict[str, dict]:
    if not MANIFEST.exists():
        pytest.fail(f"{MANIFEST} is missing: run `make manifest` (dbt parse) first")
    manifest = json.loads(Path(MANIFEST).read_text(encoding="utf-8"))
    # raw_* sources are landed extracts; identity.match_pairs is written by the Splink step
    return {
        f"{node['source_name']}.{node['name']}": node
        for node in manifest["sources"].values()
        if node["source_name"].startswith("raw_")
    }


def _type(text: str) -> str:
    """`decimal(18, 2)` and `DECIMAL(18,2)` are one type."""
    return text.replace(" ", "").lower()


def test_every_contract_is_a_documented_source_with_its_columns() -> None:
    sources = _sources()
    contracts = {contract.raw_table: contract for contract in load_contracts()}
    assert set(sources) == set(contracts), (
        f"sources without a contract: {sorted(set(sources) - set(contracts))}; "
        f"contracts without a source: {sorted(set(contracts) - set(sources))}"
    )
    for name, contract in contracts.items():
        declared = [
            (column["name"], _type(column["data_type"]))
            for column in sources[name]["columns"].values()
        ]
        landed = [(column, _type(type_)) for column, type_ in raw_table_ddl(contract)]
        assert declared == landed, (
            f"{name}: the source YAML's columns differ from {contract.path.name}"
        )
        undocumented = [
            c for c, spec in sources[name]["columns"].items() if not spec["description"]
        ]
        assert not undocumented, f"{name}: columns without a description: {undocumented}"


def test_transactional_sources_declare_freshness_on_the_landing_time() -> None:
    for name, source in _sources().items():
        freshness = source["freshness"] or {}
        if name in REFERENCE_TABLES:
            assert not (freshness.get("warn_after") or {}).get("count"), name
            continue
        assert source["loaded_at_field"] == "_loaded_at", name
        assert freshness["warn_after"] == {"count": 2, "period": "day"}, name
        assert freshness["error_after"] == {"count": 7, "period": "day"}, name
