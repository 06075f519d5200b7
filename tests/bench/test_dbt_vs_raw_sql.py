"""The dbt-vs-raw-SQL baseline does what dbt did, from dbt's compiled SQL alone.

On a copy of the same raw data, the compiled models rebuild identical relations and the compiled
data tests find exactly as many failing rows as dbt reported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from bench.ratios_dbt import dbt_command
from bench.raw_sql import execute_manifest
from ingestion.landing import land_directory
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.foundation.invoices import write_invoices

MODELS = ("staging.stg_erp__sales_invoices", "finance.rpt_revenue_monthly")


def _rows(database: Path, relation: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(f"select * from {relation} order by all").fetchall()
    finally:
        con.close()


# The invoice lineage up to the revenue mart only (with the customer identity models it joins),
# without tests that reach into other entities: the rest of the project would cost minutes and
# read tables the fixture does not land.
SELECT = (
    "--select",
    "+rpt_revenue_monthly",
    "--exclude",
    "test_name:relationships",
    "resource_type:unit_test",  # run on dbt's fixtures, not the warehouse: no baseline
    "--indirect-selection",
    "cautious",
)


def _dbt(verb: str, settings: TandemSettings, target: Path) -> dict[str, dict]:
    completed = subprocess.run(
        dbt_command(verb, target, target.parent / "logs", *SELECT),
        env={**os.environ, **settings.tool_env()},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]
    # unit tests run on dbt's fixtures, not the warehouse: the baseline leaves them out
    kept = ("model.", "seed.", "test.")
    return {r["unique_id"]: r for r in results if r["unique_id"].startswith(kept)}


def test_compiled_sql_rebuilds_the_same_relations_and_counts_the_same_failures(
    tmp_path: Path,
) -> None:
    dbt_side, raw_side = (
        TandemSettings(home=tmp_path / "dbt"),
        TandemSettings(home=tmp_path / "raw"),
    )
    for settings in (dbt_side, raw_side):
        settings.ensure_dirs()
    write_invoices(dbt_side.landing_dir / "erp" / "sales_invoices.csv")
    land_directory(dbt_side.build_db, dbt_side.landing_dir)
    shutil.copyfile(dbt_side.build_db, raw_side.build_db)  # same raw data on both sides
    target = tmp_path / "target"

    ran = _dbt("build", dbt_side, target)
    outcome = execute_manifest(target / "manifest.json", raw_side.build_db)
    relations = {r.replace('"', "").split(".", 1)[1] for r in outcome["relations"]}
    assert relations >= set(MODELS)
    assert len(outcome["relations"]) == sum(uid.startswith(("model.", "seed.")) for uid in ran)
    for relation in relations:
        assert _rows(raw_side.build_db, relation) == _rows(dbt_side.build_db, relation), relation
    assert _rows(dbt_side.build_db, MODELS[1])  # the invoices reached the mart
    tests = {uid: r for uid, r in ran.items() if uid.startswith("test.")}
    assert tests and outcome["test_failures"] == {
        uid: int(r["failures"] or 0) for uid, r in tests.items()
    }
