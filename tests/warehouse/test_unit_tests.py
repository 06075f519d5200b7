"""Every dbt unit test of the project passes on DuckDB.

`tandem run` leaves dbt's unit tests out (orchestration/assets/warehouse.py: they check SQL on
fixed inputs, which new extracts cannot change), so this module is where all of them run on the
DuckDB target, against a copy of the tiny warehouse's build file (dbt reads the column types of
a unit test's inputs from the built relations). The PostgreSQL module runs them on PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration.assets.warehouse import PIPELINE_BUILD_ARGS
from orchestration.settings import TandemSettings
from tests.warehouse.conftest import TinyWarehouse
from tests.warehouse.dbt_cli import dbt_env, run_dbt


def test_every_dbt_unit_test_passes_on_duckdb(
    tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    settings = TandemSettings(home=tmp_path / "home")
    settings.build_db.parent.mkdir(parents=True)
    shutil.copyfile(tiny_warehouse.settings.build_db, settings.build_db)
    target = tmp_path / "target"

    run_dbt(dbt_env(settings), target, "test", "--select", "test_type:unit")

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {result["unique_id"]: result["status"] for result in results}
    assert len(manifest["unit_tests"]) >= 23
    assert set(ran) == set(manifest["unit_tests"])
    assert {uid: status for uid, status in ran.items() if status != "pass"} == {}


def test_the_pipeline_leaves_unit_tests_to_this_module(tiny_warehouse: TinyWarehouse) -> None:
    # the pipeline's last dbt build ran data tests and no unit test
    assert "unit_test" in PIPELINE_BUILD_ARGS
    run_results = tiny_warehouse.settings.root / "dbt_target" / "run_results.json"
    kinds = {
        result["unique_id"].split(".")[0]
        for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]
    }
    assert "test" in kinds
    assert "unit_test" not in kinds
