"""dbt's compiled SQL executed directly in DuckDB: the baseline for dbt's own overhead.

After ``dbt build`` the manifest holds each executed node's compiled SQL. Re-running it without
dbt (same statements, same dependency order, one DuckDB connection) measures what the SQL itself
costs; ``dbt build`` time over this time is the orchestration overhead ratio.
"""

from __future__ import annotations

import graphlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# Materializations that leave a relation behind; ephemeral models are inlined by dbt into the
# compiled SQL of the models that use them, so they need no statement of their own.
_RELATION_KINDS = {"view": "view", "table": "table", "incremental": "table"}


@dataclass(frozen=True)
class SqlStep:
    """One statement to run: build a model's relation, or count a data test's failing rows."""

    unique_id: str
    kind: str  # view | table | test
    relation: str | None
    sql: str


def plan_from_manifest(manifest: dict[str, Any], executed: set[str] | None = None) -> list[SqlStep]:
    """Models and data tests of the last dbt invocation, in dependency order.

    Only nodes dbt compiled (``compiled_code`` present) and, given ``executed`` (the ids in
    ``run_results.json``), ran take part, so the plan runs exactly what ``dbt build`` ran. Seeds
    become a ``read_csv`` of their file with the declared column types (models read them); unit
    tests and snapshots are not compiled SQL over the warehouse and are left out.
    """
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if (
            (node.get("resource_type") in {"model", "test"} and node.get("compiled_code"))
            or node.get("resource_type") == "seed"
        )
        and (executed is None or uid in executed)
    }
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for uid, node in nodes.items():
        parents = node.get("depends_on", {}).get("nodes", [])  # a seed depends on nothing
        sorter.add(uid, *(dep for dep in parents if dep in nodes))
    steps = []
    for uid in sorter.static_order():
        node = nodes[uid]
        if node["resource_type"] == "test":
            steps.append(SqlStep(uid, "test", None, node["compiled_code"]))
            continue
        if node["resource_type"] == "seed":
            steps.append(SqlStep(uid, "table", node["relation_name"], _seed_sql(node)))
            continue
        kind = _RELATION_KINDS.get(node["config"]["materialized"])
        if kind is not None:
            steps.append(SqlStep(uid, kind, node["relation_name"], node["compiled_code"]))
    return steps


def _seed_sql(node: dict[str, Any]) -> str:
    """A seed's CSV read with the column types its YAML declares (dbt infers the rest)."""
    path = Path(node["root_path"]) / node["original_file_path"]
    types = node["config"].get("column_types") or {}
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    options = f", columns = {{{columns}}}" if columns else ""
    return f"select * from read_csv('{path}', header = true{options})"


def statements(step: SqlStep) -> list[str]:
    """The DuckDB statements for one step (what dbt-duckdb's materializations boil down to)."""
    if step.kind == "test":
        return [f"select count(*) from ({step.sql}) as dbt_internal_test"]
    schema = step.relation.rsplit(".", 1)[0] if step.relation else None
    create = f"create or replace {step.kind} {step.relation} as (\n{step.sql}\n)"
    return [f"create schema if not exists {schema}", create]


def execute_plan(con: duckdb.DuckDBPyConnection, steps: list[SqlStep]) -> dict[str, Any]:
    """Run every step; return the relations built and each test's failing-row count."""
    failures: dict[str, int] = {}
    built: list[str] = []
    for step in steps:
        result = None
        for sql in statements(step):
            result = con.execute(sql)
        if step.kind == "test" and result is not None:
            failures[step.unique_id] = int(result.fetchone()[0])
        elif step.relation:
            built.append(step.relation)
    return {"relations": built, "test_failures": failures}


def execute_manifest(manifest_path: Path, database: Path) -> dict[str, Any]:
    """Plan from the manifest at ``manifest_path`` and execute on the DuckDB file ``database``."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    run_results = manifest_path.with_name("run_results.json")
    executed = None
    if run_results.exists():
        # the manifest keeps compiled SQL of earlier invocations too: take what this one ran
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
        executed = {r["unique_id"] for r in results if r["status"] != "skipped"}
    steps = plan_from_manifest(manifest, executed)
    if not steps:
        raise ValueError(f"{manifest_path} holds no compiled SQL: run `dbt build` first")
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        outcome = execute_plan(con, steps)
    finally:
        con.close()
    outcome["steps"] = len(steps)
    outcome["sql_seconds"] = round(time.perf_counter() - started, 3)
    return outcome


def execute_model(manifest_path: Path, database: Path, model: str) -> dict[str, Any]:
    """(Re)build the single model ``model`` from its compiled SQL in the manifest.

    Its inputs must already exist in ``database``. Returns the rows written and the seconds the
    statements took (connection open and close included).
    """
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node.get("resource_type") == "model" and node.get("name") == model
    ]
    if not nodes or not nodes[0].get("compiled_code"):
        raise ValueError(f"{manifest_path} holds no compiled SQL for {model}: compile it first")
    node = nodes[0]
    step = SqlStep(node["unique_id"], "table", node["relation_name"], node["compiled_code"])
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        for sql in statements(step):
            con.execute(sql)
        rows = con.execute(f"select count(*) from {step.relation}").fetchall()[0][0]
    finally:
        con.close()
    return {"rows": int(rows), "seconds": round(time.perf_counter() - started, 3)}
