"""The PostgreSQL target: the same dbt project on the same raw data gives the same numbers.

The DuckDB side is the session's tiny company (seed 42) as the real pipeline landed and built it
(``tiny_warehouse``: both dbt phases around the Python identity step). A throw-away PostgreSQL
15 server is started with ``orchestration/services/postgres.sh``, the raw (and identity) tables
are mirrored into it (``orchestration.postgres_mirror``) and the same project is built with
``--target postgres``: seeds, snapshots and models first, then every data test and unit test, so
a failure on PostgreSQL is reported without hiding the comparisons. Then every model is
compared: its columns, its row count, and per column the non-null count, the sum of numbers
(integers and decimals exactly, doubles to a relative 1e-9), the count of true flags, the range
and distinct count of dates, the distinct count and total length of texts. Models come from the
manifest, so marts added later are compared without touching this file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.postgres_mirror import MirrorReport, connect, mirror_to_postgres
from orchestration.services.postgres import PostgresServer, running_server
from orchestration.settings import TandemSettings
from tests.warehouse.conftest import TinyWarehouse
from tests.warehouse.dbt_cli import run_dbt

pytestmark = pytest.mark.slow

AS_OF = "2026-10-31"  # the end of the tiny sample period: the as-of date of both builds
DOUBLE_TOLERANCE = 1e-9
# timestamps from this moment on were stamped by the builds (the sample data ends in the past)
BUILD_STARTED = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
IDENTITY_SCHEMA = "identity"  # what the pipeline's Python identity step writes, dbt reads
# seeds, snapshots and models, without the tests
WITHOUT_TESTS = ("build", "--exclude-resource-type", "test", "unit_test")
NOT_MARTS = {"staging", "intermediate"}  # every other model layer (folder) holds marts


# --- comparing one relation on both engines --------------------------------------------------


def column_kind(data_type: str) -> str:
    """exact | double | boolean | temporal | text | other, from either engine's type name."""
    name = data_type.lower()
    if name.startswith(("decimal", "numeric")) or name in {
        "tinyint",
        "smallint",
        "integer",
        "bigint",
        "hugeint",
        "utinyint",
        "usmallint",
        "uinteger",
        "ubigint",
    }:
        return "exact"
    if name in {"double", "float", "real", "double precision"}:
        return "double"
    if name == "boolean":
        return "boolean"
    if name in {"date", "time"} or name.startswith(("timestamp", "time ")):
        return "temporal"
    if name in {"varchar", "text", "character varying", "character"}:
        return "text"
    return "other"


def _measures(column: str, kind: str) -> list[tuple[str, str]]:
    quoted = f'"{column}"'
    measures = [("non-null count", f"count({quoted})")]
    if kind in {"exact", "double"}:
        measures.append(("sum", f"sum({quoted})"))
    elif kind == "boolean":
        measures.append(("true count", f"sum(case when {quoted} then 1 else 0 end)"))
    elif kind == "temporal":
        measures += [
            ("min", f"min({quoted})"),
            ("max", f"max({quoted})"),
            ("distinct count", f"count(distinct {quoted})"),
        ]
    elif kind == "text":
        measures += [
            ("distinct count", f"count(distinct {quoted})"),
            ("total length", f"sum(length({quoted}))"),
        ]
    return measures


@dataclass
class Fingerprint:
    """What one relation holds, in figures both engines compute the same way."""

    columns: list[tuple[str, str]]  # (name, kind) in table order
    figures: dict[str, Any] = field(default_factory=dict)  # "rows" or "column: measure"


def fingerprint(cursor, relation: str, columns: list[tuple[str, str]]) -> Fingerprint:
    """Row count and per-column figures of ``relation`` (``columns``: name, data type)."""
    kinds = [(name, column_kind(data_type)) for name, data_type in columns]
    labels, expressions = ["rows"], ["count(*)"]
    for name, kind in kinds:
        for measure, expression in _measures(name, kind):
            labels.append(f"{name}: {measure}")
            expressions.append(expression)
    cursor.execute(f"select {', '.join(expressions)} from {relation}")
    return Fingerprint(kinds, dict(zip(labels, cursor.fetchone(), strict=True)))


def same_figure(left: Any, right: Any, approximate: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        # stamped by the build itself (snapshot validity, dbt_updated_at): each target has its
        # own clock reading, so two stamps taken during this test run count as the same
        stamped = [stamp.replace(tzinfo=None) >= BUILD_STARTED for stamp in (left, right)]
        if all(stamped):
            return True
    if approximate:
        return math.isclose(float(left), float(right), rel_tol=DOUBLE_TOLERANCE, abs_tol=1e-9)
    if isinstance(left, int | Decimal) and isinstance(right, int | Decimal):
        return Decimal(left) == Decimal(right)  # 12.50 == 12.5, hugeint == numeric
    return left == right


def _shape(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # a double on one engine may be a numeric on the other (avg() is double in DuckDB and
    # numeric in PostgreSQL): both are numbers, compared to the double tolerance
    return [(name, "number" if kind in {"exact", "double"} else kind) for name, kind in columns]


def differences(duck: Fingerprint, pg: Fingerprint) -> list[str]:
    """Human-readable differences between the DuckDB and the PostgreSQL fingerprints."""
    if _shape(duck.columns) != _shape(pg.columns):
        return [f"columns differ: duckdb {duck.columns} vs postgres {pg.columns}"]
    doubles = {name for name, kind in [*duck.columns, *pg.columns] if kind == "double"}
    found = []
    for label, value in duck.figures.items():
        column, _, measure = label.partition(": ")
        approximate = column in doubles and measure == "sum"
        if not same_figure(value, pg.figures[label], approximate):
            found.append(f"{label}: duckdb {value!r} vs postgres {pg.figures[label]!r}")
    return found


# --- the two builds ---------------------------------------------------------------------------


@dataclass
class Targets:
    duckdb_path: Path
    pg_env: dict[str, str]
    manifest: dict[str, Any]
    pg_results: list[dict[str, Any]]  # run results of the PostgreSQL build, then its tests
    mirror: MirrorReport
    seconds: dict[str, float]

    def models(self, mart_only: bool = False) -> list[tuple[str, str]]:
        """(layer, schema.name) of every model of the project, from the manifest."""
        found = []
        for node in self.manifest["nodes"].values():
            if node["resource_type"] != "model" or node["config"]["materialized"] == "ephemeral":
                continue
            layer = node["fqn"][1] if len(node["fqn"]) > 2 else "root"
            if mart_only and layer in NOT_MARTS:
                continue
            found.append((layer, f"{node['schema']}.{node.get('alias') or node['name']}"))
        return sorted(found)

    def not_built_on_postgres(self) -> dict[str, str]:
        """schema.name -> status and message of every model PostgreSQL did not build."""
        nodes = self.manifest["nodes"]
        failed = {}
        for result in self.pg_results:
            node = nodes.get(result["unique_id"], {})
            if node.get("resource_type") == "model" and result["status"] != "success":
                relation = f"{node['schema']}.{node.get('alias') or node['name']}"
                message = (result.get("message") or "").strip().splitlines()[:1]
                failed[relation] = f"not built on postgres: {result['status']} {message}"
        return failed

    def compare_all(self, relations: list[str]) -> dict[str, list[str]]:
        """The differences of every relation that has any (a model not built on PG is one)."""
        not_built = self.not_built_on_postgres()
        found = {
            relation: [not_built[relation]] if relation in not_built else self.compare(relation)
            for relation in relations
        }
        return {relation: diff for relation, diff in found.items() if diff}

    def compare(self, relation: str, pg_relation: str | None = None) -> list[str]:
        """Differences of ``relation`` between the engines (``pg_relation``: another PG table)."""
        schema, name = relation.split(".")
        pg_schema, pg_name = (pg_relation or relation).split(".")
        duck = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            cursor = duck.cursor()
            duck_columns = columns_of(cursor, schema, name, placeholder="?")
            duck_print = fingerprint(cursor, relation, duck_columns)
        finally:
            duck.close()
        with connect(self.pg_env) as pg, pg.cursor() as cursor:
            pg_columns = columns_of(cursor, pg_schema, pg_name)
            pg_print = fingerprint(cursor, pg_relation or relation, pg_columns)
        pg.close()
        return differences(duck_print, pg_print)


def columns_of(cursor, schema: str, name: str, placeholder: str = "%s") -> list:
    """(column, data type) of a relation, in order, from either engine's information_schema."""
    cursor.execute(
        "select column_name, data_type from information_schema.columns where table_schema = "
        f"{placeholder} and table_name = {placeholder} order by ordinal_position",
        [schema, name],
    )
    columns = cursor.fetchall()
    assert columns, f"{schema}.{name} does not exist"
    return columns


def timed_dbt(env: dict[str, str], target: Path, *args: str, check: bool = True) -> float:
    """Run the dbt CLI on the project; return its wall seconds (``check``: fail on an error)."""
    started = time.perf_counter()
    run_dbt(env, target, *args, check=check)
    return round(time.perf_counter() - started, 2)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    """A throw-away server for this module, stopped and deleted even when a test fails."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="module")
def targets(
    tmp_path_factory: pytest.TempPathFactory,
    pg_server: PostgresServer,
    tiny_warehouse: TinyWarehouse,
) -> Targets:
    tmp = tmp_path_factory.mktemp("postgres_target")
    seconds: dict[str, float] = {"server start": pg_server.start_seconds}
    # the DuckDB side is the session's tiny run (tests/warehouse/conftest.py), as the pipeline
    # built it: its raw and identity tables are mirrored, its models compared
    settings = TandemSettings(home=tmp / "home")
    settings.ensure_dirs()
    shutil.copy2(tiny_warehouse.settings.build_db, settings.build_db)
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        as_of = con.execute("select as_of_date, as_of_source from core.dim_as_of_date").fetchone()
    # neither build is given an as-of date: both take the latest date in the same raw data
    assert as_of == (dt.date.fromisoformat(AS_OF), "latest_data"), as_of
    env = {
        **os.environ,
        **settings.tool_env(),
        **pg_server.env(),
        "TANDEM_HOME": str(settings.root),
    }
    env.pop("TANDEM_AS_OF_DATE", None)
    mirror = mirror_to_postgres(settings.build_db, pg_server.env())
    seconds["mirror"] = mirror.seconds
    # Models first, tests after, neither stopping at a failure: a failing test or model is
    # reported by the tests below, and every model that did build is still compared.
    pg_target, results = tmp / "postgres_target", []
    for step, args in (("postgres build", WITHOUT_TESTS), ("postgres tests", ("test",))):
        seconds[step] = timed_dbt(env, pg_target, *args, "--target", "postgres", check=False)
        run_results = json.loads((pg_target / "run_results.json").read_text(encoding="utf-8"))
        results += run_results["results"]
    manifest = json.loads((pg_target / "manifest.json").read_text(encoding="utf-8"))
    print(
        f"\npostgres target: {mirror.rows:,} rows in {len(mirror.tables)} tables mirrored; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()),
        file=sys.stderr,
    )
    return Targets(settings.build_db, pg_server.env(), manifest, results, mirror, seconds)


def report(found: dict[str, list[str]]) -> str:
    """Every difference, one per line, under its relation."""
    return "\n".join(
        f"{relation}:\n" + "\n".join(f"    {line}" for line in lines)
        for relation, lines in sorted(found.items())
    )


# --- the tests --------------------------------------------------------------------------------


def test_postgres_build_passes_every_model_data_test_and_unit_test(targets: Targets) -> None:
    statuses = {r["unique_id"]: r["status"] for r in targets.pg_results}
    failed = {
        r["unique_id"]: f"{r['status']}: {(r.get('message') or '').strip()[:300]}"
        for r in targets.pg_results
        # exposures (the dashboards, the models) are listed by dbt build and run nothing
        if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")
    }
    assert not failed, "\n".join(f"{uid}: {why}" for uid, why in sorted(failed.items()))
    kinds = {k.split(".")[0] for k in statuses}
    assert {"model", "test", "unit_test"} <= kinds


def test_mirror_copies_every_raw_table_with_its_rows_and_types(targets: Targets) -> None:
    duck = duckdb.connect(str(targets.duckdb_path), read_only=True)
    try:
        expected = {
            f"{schema}.{name}": duck.execute(
                f'select count(*) from "{schema}"."{name}"'
            ).fetchone()[0]
            for schema, name in duck.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' "
                "and (table_schema like 'raw\\_%' escape '\\' or table_schema = 'identity')"
            ).fetchall()
        }
    finally:
        duck.close()
    copied = {f"{t.schema}.{t.name}": t.rows for t in targets.mirror.tables}
    assert copied == expected
    assert {"raw_erp", "raw_crm", "raw_marketing", "raw_meta"} <= set(targets.mirror.schemas)
    assert targets.mirror.rows > 40_000
    # the copied rows are the same rows, type for type (a raw table fingerprinted on both sides)
    assert targets.compare("raw_erp.sales_invoices") == []
    assert targets.compare("raw_meta.file_ledger") == []


def test_every_mart_has_the_same_rows_and_sums_on_both_targets(targets: Targets) -> None:
    marts = [relation for _, relation in targets.models(mart_only=True)]
    assert "finance.rpt_revenue_monthly" in marts
    found = targets.compare_all(marts)
    assert not found, report(found)


def test_every_staging_and_intermediate_model_matches_too(targets: Targets) -> None:
    models = [r for layer, r in targets.models() if layer in NOT_MARTS]
    assert len(models) >= 25
    found = targets.compare_all(models)
    assert not found, report(found)


def test_comparison_catches_one_changed_fen(targets: Targets) -> None:
    """The check can fail: one mart row changed by 0.01 in a copy on PostgreSQL is reported."""
    relation = "finance.rpt_revenue_monthly"
    tampered = "finance.rpt_revenue_monthly__tampered"
    with connect(targets.pg_env) as pg, pg.cursor() as cursor:
        cursor.execute(f"create table {tampered} as select * from {relation}")
        cursor.execute(
            f"update {tampered} set net_revenue = net_revenue + 0.01 "
            f"where revenue_month = (select min(revenue_month) from {tampered})"
        )
    try:
        assert targets.compare(relation, tampered) == [
            "net_revenue: sum: duckdb "
            + repr(_duck_value(targets, f"select sum(net_revenue) from {relation}"))
            + " vs postgres "
            + repr(_pg_value(targets, f"select sum(net_revenue) from {tampered}"))
        ]
    finally:
        with connect(targets.pg_env) as pg, pg.cursor() as cursor:
            cursor.execute(f"drop table {tampered}")
        pg.close()


def _duck_value(targets: Targets, query: str) -> Any:
    duck = duckdb.connect(str(targets.duckdb_path), read_only=True)
    try:
        return duck.execute(query).fetchone()[0]
    finally:
        duck.close()


def _pg_value(targets: Targets, query: str) -> Any:
    with connect(targets.pg_env) as pg, pg.cursor() as cursor:
        cursor.execute(query)
        value = cursor.fetchone()[0]
    pg.close()
    return value
