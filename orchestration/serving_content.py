"""What the serving file holds, and the fresh copy of the build that publishing writes.

Readers need the marts, the model outputs (``ml``), the landing record the Data quality page
shows (``raw_meta``: file ledger, rejects, quality results, plus a per-raw-table freshness
summary made here), every check's result with its history (``quality``) and the documentation of
all of that (``docs``). Raw extracts, staging, intermediate and identity working tables stay in
the build file: they are inputs to the warehouse, not a contract with its readers.

The copy is written table by table into a new file, never by copying the build file's bytes, so
the serving file carries none of the free blocks that dbt's ``create or replace`` leaves behind
in the build file (DuckDB does not give them back), and it is as small as its content.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.settings import DBT_PROJECT_DIR, TandemSettings

MODEL_SCHEMA = "ml"
OPS_SCHEMA = "raw_meta"
QUALITY_SCHEMA = "quality"  # check results with their history (orchestration/quality_gate.py)
DOCS_SCHEMA = "docs"
FRESHNESS_TABLE = f"{OPS_SCHEMA}.raw_table_freshness"
# the layer each published table belongs to, as recorded in docs.tables
MART, MODEL, OPS = "mart", "model", "operations"


@dataclass(frozen=True)
class ServingPlan:
    """Which schemas of the build go into the serving file, and the layer of each."""

    layers: dict[str, str]  # schema -> layer; empty: every schema, layer unknown

    def keeps(self, schema: str) -> bool:
        return not self.layers or schema in self.layers

    def layer(self, schema: str) -> str:
        return self.layers.get(schema, "")


EVERYTHING = ServingPlan({})


def manifest_file(settings: TandemSettings) -> Path | None:
    """The manifest of this home's last dbt build, else the project's parse output."""
    for candidate in (
        settings.root / "dbt_target" / "manifest.json",
        DBT_PROJECT_DIR / "target" / "manifest.json",
    ):
        if candidate.exists():
            return candidate
    return None


def mart_schemas(manifest: dict) -> set[str]:
    """The schemas of the models under ``models/marts/`` (what dashboards and analysts read)."""
    return {
        node["schema"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and node.get("fqn", [])[1:2] == ["marts"]
    }


def serving_plan(manifest: dict) -> ServingPlan:
    layers = {schema: MART for schema in mart_schemas(manifest)}
    layers[MODEL_SCHEMA] = MODEL
    layers[OPS_SCHEMA] = OPS
    layers[QUALITY_SCHEMA] = OPS
    return ServingPlan(layers)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_tables(con: duckdb.DuckDBPyConnection, plan: ServingPlan) -> list[tuple[str, str]]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where database_name = 'src' order by schema_name, table_name"
    ).fetchall()
    copied = []
    for schema, table in tables:
        if not plan.keeps(schema):
            continue
        con.execute(f"create schema if not exists {_quote(schema)}")
        con.execute(
            f"create table {_quote(schema)}.{_quote(table)} as"
            f" from src.{_quote(schema)}.{_quote(table)}"
        )
        copied.append((schema, table))
    return copied


def _write_freshness(con: duckdb.DuckDBPyConnection) -> None:
    """Rows and newest load per raw table: the Data quality page's freshness, without raw data."""
    raw_tables = con.execute(
        "select table_schema || '.' || table_name from information_schema.columns"
        " where table_catalog = 'src' and table_schema like 'raw\\_%' escape '\\'"
        " and table_schema <> ? and column_name = '_loaded_at' order by 1",
        [OPS_SCHEMA],
    ).fetchall()
    con.execute(f"create schema if not exists {OPS_SCHEMA}")
    con.execute(
        f"create table {FRESHNESS_TABLE} (table_name varchar, rows bigint, latest_load timestamp)"
    )
    for (name,) in raw_tables:
        con.execute(
            f"insert into {FRESHNESS_TABLE} select ?, count(*), max(_loaded_at) from src.{name}",
            [name],
        )


def _write_docs(
    con: duckdb.DuckDBPyConnection,
    copied: Collection[tuple[str, str]],
    plan: ServingPlan,
    manifest: Path | None,
) -> None:
    """``docs.tables`` / ``docs.columns`` from the dbt docs, for the published tables only, and
    the same descriptions as DuckDB comments (any client's schema browser shows them)."""
    from dashboards.workbench.schema_docs import read_schema_docs

    documented = {(t.schema, t.name): t for t in (read_schema_docs(manifest) if manifest else [])}
    published = set(copied)
    tables = pl.DataFrame(
        [
            {
                "schema_name": schema,
                "table_name": table,
                "layer": plan.layer(schema),
                "description": doc.description if doc else "",
                "tests": doc.tests if doc else [],
            }
            for schema, table in copied
            for doc in [documented.get((schema, table))]
        ],
        schema={
            "schema_name": pl.String,
            "table_name": pl.String,
            "layer": pl.String,
            "description": pl.String,
            "tests": pl.List(pl.String),
        },
    )
    rows = []
    actual = con.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns()"
        " where database_name = current_database() order by schema_name, table_name, column_index"
    ).fetchall()
    for schema, table, column, data_type in actual:
        if (schema, table) not in published:
            continue
        doc = documented.get((schema, table))
        col_doc = doc.columns.get(column) if doc else None
        rows.append(
            {
                "schema_name": schema,
                "table_name": table,
                "column_name": column,
                "data_type": data_type,
                "description": col_doc.description if col_doc else "",
                "tests": col_doc.tests if col_doc else [],
            }
        )
    columns = pl.DataFrame(
        rows,
        schema={
            "schema_name": pl.String,
            "table_name": pl.String,
            "column_name": pl.String,
            "data_type": pl.String,
            "description": pl.String,
            "tests": pl.List(pl.String),
        },
    )
    con.execute(f"create schema {DOCS_SCHEMA}")
    con.execute(f"create table {DOCS_SCHEMA}.tables as from tables")
    con.execute(f"create table {DOCS_SCHEMA}.columns as from columns")
    comments = [
        f"comment on table {_quote(row['schema_name'])}.{_quote(row['table_name'])}"
        f" is {_sql_string(row['description'])}"
        for row in tables.filter(pl.col("description") != "").iter_rows(named=True)
    ] + [
        f"comment on column {_quote(row['schema_name'])}.{_quote(row['table_name'])}"
        f".{_quote(row['column_name'])} is {_sql_string(row['description'])}"
        for row in columns.filter(pl.col("description") != "").iter_rows(named=True)
    ]
    if comments:
        # one transaction in one string: statement by statement costs ~10 ms each
        con.execute("begin; " + "; ".join(comments) + "; commit")


def write_serving_copy(
    build: Path, target: Path, plan: ServingPlan = EVERYTHING, manifest: Path | None = None
) -> list[tuple[str, str]]:
    """Write the tables of ``build`` that ``plan`` keeps into the new file ``target``, with the
    freshness summary and the docs; returns the (schema, table) pairs copied."""
    con = duckdb.connect(str(target))
    try:
        # a session option: as a connect() option it fails once the process holds another file
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {_sql_string(str(build))} as src (read_only)")
        copied = _copy_tables(con, plan)
        if plan.layers:
            _write_freshness(con)
            copied.append(tuple(FRESHNESS_TABLE.split(".")))
            _write_docs(con, copied, plan, manifest)
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    return copied


def load_plan(settings: TandemSettings) -> tuple[ServingPlan, Path | None]:
    """The serving plan from this home's dbt manifest (everything when there is none)."""
    path = manifest_file(settings)
    if path is None:
        return EVERYTHING, None
    return serving_plan(json.loads(path.read_text(encoding="utf-8"))), path
