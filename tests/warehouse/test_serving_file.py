"""What the tiny company's serving file holds, and that rebuilding without new data keeps the
build and serving files the same size.

The content checks read the session's warehouse; the size check copies its home and runs one
`tandem run --full-refresh` on it (the session's run was the first full build).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards.workbench.connection import _fingerprint
from orchestration.serving_content import (
    DOCS_SCHEMA,
    MODEL_SCHEMA,
    OPS_SCHEMA,
    QUALITY_SCHEMA,
    mart_schemas,
)
from orchestration.settings import TandemSettings
from tests.conftest import run_tandem
from tests.warehouse.conftest import TinyWarehouse

WORKING = {"staging", "intermediate", "identity", "seeds", "snapshots"}


def _manifest(settings: TandemSettings) -> dict:
    return json.loads((settings.root / "dbt_target" / "manifest.json").read_text("utf-8"))


def _schemas(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
        }
    finally:
        con.close()


def _table_rows(path: Path, schemas: set[str]) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() order by 1"
        ).fetchall()
        return {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]
            for (name,) in names
            if name.split(".")[0] in schemas
        }
    finally:
        con.close()


def test_serving_file_holds_marts_models_and_docs_only(tiny_warehouse: TinyWarehouse) -> None:
    settings = tiny_warehouse.settings
    marts = mart_schemas(_manifest(settings))
    assert {"core", "finance", "sales", "customer"} <= marts
    served = _schemas(settings.serving_db)
    assert served == marts | {MODEL_SCHEMA, OPS_SCHEMA, QUALITY_SCHEMA, DOCS_SCHEMA}
    built = _schemas(settings.build_db)
    assert {"raw_erp", "raw_crm", "staging", "intermediate", "identity"} <= built
    assert not served & (WORKING | {s for s in built if s.startswith("raw_") and s != OPS_SCHEMA})
    # every mart table of the build is served, with the same rows
    assert _table_rows(settings.serving_db, marts) == _table_rows(settings.build_db, marts)
    # without the working tables the serving file is much smaller than the build
    assert settings.serving_db.stat().st_size < 0.6 * settings.build_db.stat().st_size


def test_serving_file_documents_what_it_holds(tiny_warehouse: TinyWarehouse) -> None:
    manifest = _manifest(tiny_warehouse.settings)
    node = manifest["nodes"]["model.tandem.dim_customer"]
    con = duckdb.connect(str(tiny_warehouse.settings.serving_db), read_only=True)
    try:
        # dbt's docs name the table as it is queried on the serving file
        assert node["relation_name"] == '"tandem"."core"."dim_customer"'
        assert con.execute(f"select count(*) from {node['relation_name']}").fetchone()[0] > 100
        comment = con.execute(
            "select comment from duckdb_tables()"
            " where schema_name = 'core' and table_name = 'dim_customer'"
        ).fetchone()[0]
        assert comment == node["description"]
        column = con.execute(
            "select description, tests from docs.columns"
            " where schema_name = 'core' and table_name = 'dim_customer'"
            " and column_name = 'customer_key'"
        ).fetchone()
        assert column == (node["columns"]["customer_key"]["description"], ["unique", "not_null"])
        undocumented = con.execute(
            "select table_name from docs.tables where layer = 'mart' and description = ''"
        ).fetchall()
        listed = con.execute("select count(*) from docs.tables").fetchone()[0]
        tables = con.execute(
            "select count(*) from duckdb_tables() where schema_name <> 'docs'"
        ).fetchone()[0]
    finally:
        con.close()
    assert undocumented == []
    assert listed == tables  # every served table has its docs row


def test_the_masked_copy_is_built_by_the_publish(tiny_warehouse: TinyWarehouse) -> None:
    settings = tiny_warehouse.settings
    masked = settings.root / "app" / "masked" / f"masked-{_fingerprint(settings.serving_db)}.duckdb"
    assert masked.exists()  # nobody has queried the workbench: the run built it
    marts = mart_schemas(_manifest(settings))
    assert _schemas(masked) == marts | {MODEL_SCHEMA, DOCS_SCHEMA}


@pytest.fixture(scope="module")
def rebuilt(tiny_warehouse: TinyWarehouse, tmp_path_factory) -> TandemSettings:
    """A copy of the tiny home after a second full build of the same data."""
    home = tiny_warehouse.copy_home(tmp_path_factory.mktemp("rebuild") / "home")
    completed = run_tandem(
        "run", "--full-refresh", "--json", env={"TANDEM_HOME": str(home.root)}, timeout=900
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return home


def test_only_the_full_refresh_run_rebuilt_the_incremental_models(
    tiny_warehouse: TinyWarehouse, rebuilt: TandemSettings
) -> None:
    # `tandem run --full-refresh` reaches dbt; the session's plain run did not ask for it
    def full_refresh(home: TandemSettings) -> bool:
        results = json.loads((home.root / "dbt_target" / "run_results.json").read_text("utf-8"))
        return results["args"].get("full_refresh", False)

    assert full_refresh(rebuilt) is True
    assert full_refresh(tiny_warehouse.settings) is False


def test_a_rebuild_without_new_data_does_not_grow_the_files(
    tiny_warehouse: TinyWarehouse, rebuilt: TandemSettings
) -> None:
    first = tiny_warehouse.settings
    for name in ("build_db", "serving_db"):
        before, after = getattr(first, name).stat().st_size, getattr(rebuilt, name).stat().st_size
        assert abs(after - before) <= 0.05 * before, f"{name}: {before:,} -> {after:,} bytes"
    marts = mart_schemas(_manifest(first))
    assert _table_rows(rebuilt.serving_db, marts) == _table_rows(first.serving_db, marts)
    assert [p.name for p in rebuilt.warehouse_dir.glob(".*")] == []  # no leftover copies
    shutil.rmtree(rebuilt.root)
