"""One daily drop built incrementally gives the same warehouse as a full rebuild (issue 18).

Day N is the session's tiny warehouse (a copy of its home). Drop N+1 is the simulation's last
daily drop (same scale and seed), which re-sends that day's rows, plus a late-arriving update of
an activity and an order line already built, and one new activity. It lands once; the build file
is then copied, and one copy is built the way a daily run builds it (incremental staging), the
other with dbt's ``--full-refresh``, each in the pipeline's three steps (phase 1, the Splink
step, phase 2). Every table dbt and the identity step write must be equal row for row, apart
from the columns listed in ``RUN_TIME_COLUMNS`` (floating-point columns compare to 9 decimals).
The model assets (``ml.*``) read only these tables and are not rebuilt here.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.landing import land_directory
from orchestration.assets.warehouse import (
    FULL_REFRESH_TAG,
    PHASE_1_SELECT,
    PIPELINE_BUILD_ARGS,
    dbt_build_args,
    incremental_code_changed,
    incremental_code_digest,
)
from orchestration.dbt_manifest import MANIFEST
from orchestration.settings import TandemSettings
from simulator import generate
from tests.warehouse.conftest import TINY_SEED, TinyWarehouse
from tests.warehouse.dbt_cli import dbt_env, run_dbt
from tests.warehouse.test_identity import score_into_build_file

# Schemas of everything dbt and the identity step build (raw is landed once, shared by both).
BUILT_SCHEMAS = (
    "staging",
    "intermediate",
    "identity",
    "core",
    "finance",
    "sales",
    "order_to_cash",
    "customer",
    "seeds",
    "snapshots",
)
# Columns that legitimately differ between two builds of the same data: the snapshot stamps
# each version with the time it ran (and hashes that time into its id), and the history mart
# renames those columns. Nothing else may differ.
RUN_TIME_COLUMNS = {
    "snapshots.snp_customer_status": (
        "dbt_scd_id",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
    ),
    "core.dim_customer_history": ("customer_version_id", "valid_from", "valid_to"),
}
INCREMENTAL_MODELS = (
    "stg_erp__sales_orders",
    "stg_erp__gl_entries",
    "stg_erp__sales_invoices",
    "stg_erp__receipts",
    "stg_crm__activities",
    "stg_crm__opportunity_stage_changes",
)
UPDATED_CONTENT = "incremental test: late update of a built activity"
NEW_ACTIVITY_ID = 99_000_001
UPDATED_DELIVERY = "2030-01-31"


def _rewrite_csv(path: Path, encoding: str, line_end: str, change) -> tuple[list[str], list[str]]:
    """Apply ``change(header, rows)`` to an extract file, keeping its encoding and line ends;
    return the header and the first row as written."""
    with path.open(encoding=encoding, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows = change(header, rows)
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator=line_end).writerows([header, *rows])
    return header, rows[0]


def _late_activity(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    content = header.index("content")
    updated = list(rows[0])
    updated[content] = UPDATED_CONTENT
    new = list(rows[0])
    new[header.index("activity_id")] = str(NEW_ACTIVITY_ID)
    return [updated, *rows[1:], new]


def _late_order_line(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    updated = list(rows[0])
    updated[header.index("交货日期")] = UPDATED_DELIVERY
    return [updated, *rows[1:]]


def _build(settings: TandemSettings, target: Path, *extra: str) -> None:
    """The pipeline's dbt steps (orchestration/assets/warehouse.py) outside Dagster."""
    env = dbt_env(settings)
    args = ("build", *PIPELINE_BUILD_ARGS, *extra)
    run_dbt(env, target, *args, "--select", PHASE_1_SELECT, "--indirect-selection", "cautious")
    score_into_build_file(settings)
    run_dbt(env, target, *args, "--exclude", PHASE_1_SELECT)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    schemas = ", ".join(f"'{s}'" for s in BUILT_SCHEMAS)
    return {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            f"where database_name = '{catalog}' and schema_name in ({schemas})"
        ).fetchall()
    }


def _compared_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The select list both sides are compared on: every column but the run-time ones, with
    floating-point columns to 9 decimals (DuckDB's parallel sums add in any order, so two
    builds of the same rows may differ in the last bits; decimals compare exactly)."""
    schema, name = table.split(".")
    excluded = RUN_TIME_COLUMNS.get(table, ())
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'inc' "
        "and schema_name = ? and table_name = ? order by column_index",
        [schema, name],
    ).fetchall()
    return ", ".join(
        f'round("{column}", 9) as "{column}"' if kind in ("DOUBLE", "FLOAT") else f'"{column}"'
        for column, kind in columns
        if column not in excluded
    )


def _differences(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int, int, int]:
    """Rows of each side, and rows of each side the other lacks (multiset difference)."""
    columns = _compared_columns(con, table)
    inc, full = f"select {columns} from inc.{table}", f"select {columns} from rebuilt.{table}"
    return con.execute(
        f"""
        select
            (select count(*) from inc.{table}),
            (select count(*) from rebuilt.{table}),
            (select count(*) from ({inc} except all {full})),
            (select count(*) from ({full} except all {inc}))
        """
    ).fetchone()


@pytest.fixture(scope="module")
def day_n_plus_1(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("incremental")
    simulation = tmp / "drops"
    summary = generate(simulation, scale="tiny", seed=TINY_SEED, daily_drops=True)
    last = sorted((simulation / "drops").iterdir())[-1]
    activity = _rewrite_csv(last / "crm" / "wk_crm_activity.csv", "utf-8", "\n", _late_activity)
    order = _rewrite_csv(last / "erp" / "sales_orders.csv", "gb18030", "\r\n", _late_order_line)

    inc = tiny_warehouse.copy_home(tmp / "inc")
    # where a daily drop lands in a home, as the landing sensor and `tandem land` find it
    shutil.copytree(last, inc.landing_dir / "drops" / last.name)
    report = land_directory(
        inc.build_db,
        inc.landing_dir,
        subdir=f"drops/{last.name}",
        quarantine_dir=inc.quarantine_dir,
        duckdb_config=inc.duckdb_config("landing"),
    )
    assert report.count("landed") == 11, report.files  # the drop's eleven files, edits included
    full_home = tmp / "full"
    shutil.copytree(inc.root, full_home, symlinks=True)
    full = TandemSettings(home=full_home)
    _build(inc, tmp / "inc_target")
    # the rebuild is only compared: its data tests would repeat the incremental side's
    _build(full, tmp / "full_target", "--full-refresh", "--exclude-resource-type", "test")
    return {
        "inc": inc,
        "full": full,
        "inc_target": tmp / "inc_target",
        "activity": activity,
        "order": order,
        "landed": report,
        "summary": summary,
    }


def test_the_drop_landed_and_was_built_incrementally(day_n_plus_1) -> None:
    inc: TandemSettings = day_n_plus_1["inc"]
    # the session's `tandem run` noted the code it built the incremental models with, so a
    # daily run of the same code builds incrementally (other code would rebuild them in full)
    digest = incremental_code_digest(json.loads(MANIFEST.read_text("utf-8")))
    assert incremental_code_changed(inc.build_db, digest) is False
    compiled = day_n_plus_1["inc_target"] / "compiled" / "tandem" / "models" / "staging"
    for model in INCREMENTAL_MODELS:
        source = next(compiled.rglob(f"{model}.sql")).read_text(encoding="utf-8")
        # the incremental filter rendered: only rows landed since the last build were read
        assert "where _loaded_at > (" in source, model
    header, first = day_n_plus_1["activity"]
    activity_id = int(first[header.index("activity_id")])
    with duckdb.connect(str(inc.build_db), read_only=True) as con:
        # the late version replaced the built row instead of adding a second one
        rows = con.execute(
            "select activity_content from staging.stg_crm__activities where activity_id = ?",
            [activity_id],
        ).fetchall()
        assert rows == [(UPDATED_CONTENT,)]
        new = con.execute(
            "select count(*) from staging.stg_crm__activities where activity_id = ?",
            [NEW_ACTIVITY_ID],
        ).fetchone()
        assert new == (1,)
        header, first = day_n_plus_1["order"]
        order_line = f"{first[header.index('单据编号')]}-{first[header.index('行号')]}"
        delivery = con.execute(
            "select cast(delivery_date as varchar) from staging.stg_erp__sales_orders "
            "where order_line_id = ?",
            [order_line],
        ).fetchall()
        assert delivery == [(UPDATED_DELIVERY,)]
        versions = con.execute(
            "select count(*) from raw_crm.activities where activity_id = ?", [activity_id]
        ).fetchone()
        assert versions[0] >= 2  # day N's row and the drop's late version are both in raw


def test_incremental_day_equals_full_rebuild(day_n_plus_1) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{day_n_plus_1['inc'].build_db}' as inc (read_only)")
    con.execute(f"attach '{day_n_plus_1['full'].build_db}' as rebuilt (read_only)")
    tables = _tables(con, "inc")
    assert tables == _tables(con, "rebuilt")
    assert {f"staging.{m}" for m in INCREMENTAL_MODELS} <= tables
    assert {"core.fct_order_lines", "core.dim_customer", "finance.rpt_revenue_monthly"} <= tables
    different = {}
    for table in sorted(tables):
        inc_rows, full_rows, only_inc, only_full = _differences(con, table)
        if (inc_rows, only_inc, only_full) != (full_rows, 0, 0):
            different[table] = (inc_rows, full_rows, only_inc, only_full)
    assert different == {}, "table: (incremental rows, full rows, only incremental, only full)"
    assert con.execute("select count(*) from inc.staging.stg_crm__activities").fetchone()[0] > 0


def test_only_a_full_refresh_run_passes_dbts_flag() -> None:
    assert dbt_build_args({FULL_REFRESH_TAG: "true"}, ("--select", "x")) == [
        "build",
        *PIPELINE_BUILD_ARGS,
        "--full-refresh",
        "--select",
        "x",
    ]
    assert "--full-refresh" not in dbt_build_args({})
    assert "--full-refresh" not in dbt_build_args({FULL_REFRESH_TAG: "false"})
