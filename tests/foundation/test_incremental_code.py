"""A run rebuilds the incremental models from all of raw when their code changed (issue 18).

Their rows were made by the SQL of the build that added them: after a Tandem upgrade or an edit
of that SQL or a project macro, only a full rebuild gives the rows the new code would.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import duckdb

from orchestration.assets.warehouse import (
    incremental_code_changed,
    incremental_code_digest,
    record_incremental_code,
)
from orchestration.dbt_manifest import ensure_manifest


def _manifest() -> dict:
    return json.loads(ensure_manifest().read_text("utf-8"))


def _node(manifest: dict, name: str) -> dict:
    return next(n for n in manifest["nodes"].values() if n.get("name") == name)


def test_the_digest_follows_incremental_sql_and_project_macros_only() -> None:
    manifest = _manifest()
    digest = incremental_code_digest(manifest)
    assert digest == incremental_code_digest(copy.deepcopy(manifest))
    incremental = [
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("materialized") == "incremental"
    ]
    assert "stg_erp__sales_orders" in incremental

    edited = copy.deepcopy(manifest)
    _node(edited, "stg_erp__sales_orders")["checksum"]["checksum"] = "edited"
    assert incremental_code_digest(edited) != digest

    macro = copy.deepcopy(manifest)
    key = next(k for k in macro["macros"] if k.endswith(".landed_since_last_build"))
    macro["macros"][key]["macro_sql"] += "\n"
    assert incremental_code_digest(macro) != digest

    table = copy.deepcopy(manifest)  # a table model is rebuilt in full on every run anyway
    _node(table, "dim_customer")["checksum"]["checksum"] = "edited"
    assert incremental_code_digest(table) == digest


def test_a_build_without_the_record_or_with_other_code_is_rebuilt(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    assert incremental_code_changed(build, "abc") is False  # nothing built yet
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw_erp")
        con.execute("create table raw_erp.sales_orders (order_no varchar)")
    assert incremental_code_changed(build, "abc") is False  # only landed: a first build
    with duckdb.connect(str(build)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_erp__sales_orders (order_line_id varchar)")
    assert incremental_code_changed(build, "abc") is True  # built before the record existed
    record_incremental_code(build, "abc")
    assert incremental_code_changed(build, "abc") is False
    assert incremental_code_changed(build, "def") is True
    record_incremental_code(build, "def")  # replaced, not appended
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select * from build_meta.incremental_code").fetchall() == [("def",)]
