"""The schema browser's content, read from the dbt docs (``manifest.json``).

The manifest already holds what analysts need to trust a table: each model's schema, its
description, its columns with descriptions and types, and the tests dbt runs on them. The
workbench shows exactly that, so the browser and the dbt docs can never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, get_settings


@dataclass
class ColumnDoc:
    name: str
    description: str
    data_type: str
    tests: list[str] = field(default_factory=list)


@dataclass
class TableDoc:
    schema: str
    name: str
    description: str
    columns: dict[str, ColumnDoc]
    tests: list[str] = field(default_factory=list)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def manifest_path() -> Path | None:
    """The manifest of this home's dbt docs, else the project's parse output."""
    for candidate in (
        get_settings().root / "dbt_target" / "manifest.json",
        DBT_PROJECT_DIR / "target" / "manifest.json",
    ):
        if candidate.exists():
            return candidate
    return None


def _test_label(node: dict) -> str:
    meta = node.get("test_metadata") or {}
    name = meta.get("name") or node.get("name", "test")
    kwargs = meta.get("kwargs") or {}
    if name == "accepted_values":
        values = (kwargs.get("arguments") or kwargs).get("values")
        return f"accepted_values {values}" if values else name
    if name == "relationships":
        to = (kwargs.get("arguments") or kwargs).get("to", "")
        return f"relationships -> {to}".strip()
    return name


def read_schema_docs(path: Path | None = None) -> list[TableDoc]:
    """Every documented model, sorted by schema and name, with columns and tests."""
    path = path or manifest_path()
    if path is None:
        return []
    manifest = json.loads(path.read_text(encoding="utf-8"))
    tables: dict[str, TableDoc] = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in ("model", "snapshot", "seed"):
            continue
        columns = {
            name: ColumnDoc(name, col.get("description") or "", col.get("data_type") or "")
            for name, col in (node.get("columns") or {}).items()
        }
        tables[unique_id] = TableDoc(
            node.get("schema", ""), node["name"], node.get("description") or "", columns
        )
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test":
            continue
        table = tables.get(node.get("attached_node") or "")
        if table is None:
            continue
        label = _test_label(node)
        column = node.get("column_name")
        if column and column in table.columns:
            table.columns[column].tests.append(label)
        else:
            table.tests.append(label)
    return sorted(tables.values(), key=lambda t: (t.schema, t.name))


def read_published_docs(database: Path) -> list[TableDoc]:
    """The docs the publish step wrote into ``database`` (``docs.tables``/``docs.columns``),
    for the tables that file holds: the browser then lists exactly what the user can query.
    Empty when the file has no docs (published before they were written there)."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        present = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'docs'"
            " and table_name in ('tables', 'columns')"
        ).fetchone()[0]
        if present < 2:
            return []
        tables = con.execute(
            "select d.schema_name, d.table_name, d.description, d.tests from docs.tables as d"
            " join duckdb_tables() as t using (schema_name, table_name)"
            " where t.database_name = current_database()"
        ).fetchall()
        columns = con.execute(
            "select schema_name, table_name, column_name, description, data_type, tests"
            " from docs.columns"
        ).fetchall()
    finally:
        con.close()
    docs = {(s, n): TableDoc(s, n, d or "", {}, list(tests or [])) for s, n, d, tests in tables}
    for schema, table, column, description, data_type, tests in columns:
        doc = docs.get((schema, table))
        if doc is not None:
            doc.columns[column] = ColumnDoc(column, description or "", data_type, list(tests or []))
    return sorted(docs.values(), key=lambda t: (t.schema, t.name))
