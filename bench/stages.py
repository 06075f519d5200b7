"""The registry of pipeline stages a benchmark measures, in pipeline order.

A stage is a small :class:`Stage`: ``prepare`` (unmeasured, before every repetition) puts the
home in the state the stage starts from, ``run`` does one measured repetition in a child process
and returns its figures with the rows it read and wrote. Model assets and dashboard pages are
discovered, so a new one is benchmarked without touching this file; the model assets the design
names (``PLANNED_MODELS``) are also registered before discovery, so they can be selected by name,
and one missing from the Dagster graph is reported as not available yet.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bench.context import BenchContext, reset_warehouse
from bench.measure import Measurement
from orchestration.settings import REPO_ROOT

PAGES_DIR = REPO_ROOT / "dashboards" / "views"
# the Splink step's table (orchestration/assets/identity.py); named here so the parent process
# of a benchmark does not import Dagster or Splink
MATCH_PAIRS = "identity.match_pairs"
# Model assets the design names, by their Dagster keys: shown as "not available yet" while no
# asset with the key is in the `models` group (a key that matches no asset would stay so for
# good: the churn stage was once registered as ml_churn_warning, its asset is ml_churn)
CUSTOMER_MODELS = ("ml_churn", "ml_clv", "ml_segments")  # issue 14's three customer models
PLANNED_MODELS = (
    "ml_rfm",
    *CUSTOMER_MODELS,
    "ml_channel_attribution",
    "ml_channel_mmm",
)
NOT_YET = "not available yet"


@dataclass(frozen=True)
class StageRun:
    """One measured repetition of a stage."""

    measurement: Measurement
    rows_in: int | None
    rows_out: int | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stage:
    """A benchmarkable pipeline stage."""

    name: str
    title: str
    run: Callable[[BenchContext], StageRun] | None = None
    prepare: Callable[[BenchContext], None] | None = None
    unavailable: str | None = None  # why it cannot run yet
    in_pipeline: bool = True  # counts towards the end-to-end time (`tandem run`)
    blocking: bool = True  # later stages need its output: if it fails, they are skipped


def count_rows(database: Path, relations: list[str]) -> int:
    """Sum of ``count(*)`` over ``relations`` (schema.name) that exist in ``database``."""
    if not relations or not database.exists():
        return 0
    con = duckdb.connect(str(database), read_only=True)
    try:
        existing = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        return sum(
            int(con.execute(f"select count(*) from {relation}").fetchone()[0])
            for relation in relations
            if relation in existing
        )
    finally:
        con.close()


def table_rows(database: Path) -> int:
    """Rows stored in every table of ``database`` (DuckDB's exact per-table counts)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return int(
            con.execute("select coalesce(sum(estimated_size), 0) from duckdb_tables()").fetchone()[
                0
            ]
        )
    finally:
        con.close()


def _relation(node: dict[str, Any]) -> str:
    return f"{node['schema']}.{node.get('alias') or node['name']}"


# --- generate ---------------------------------------------------------------------------------


def _prepare_generate(ctx: BenchContext) -> None:
    shutil.rmtree(ctx.settings().landing_dir, ignore_errors=True)


def _run_generate(ctx: BenchContext) -> StageRun:
    measurement, info = ctx.run_task(
        "generate",
        {"out": str(ctx.settings().landing_dir), "scale": ctx.scale, "seed": ctx.seed},
        label="generate",
    )
    ctx.state["dataset"] = info
    return StageRun(measurement, 0, info["rows"], {"files": info["files"], "bytes": info["bytes"]})


# --- land -------------------------------------------------------------------------------------


def _prepare_land(ctx: BenchContext) -> None:
    reset_warehouse(ctx.settings())


def ledger_summary(database: Path) -> dict[str, dict[str, int]]:
    """Files and rows per ledger status (landed, quarantined, failed)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            "select status, count(*), coalesce(sum(rows), 0) from raw_meta.file_ledger "
            "group by status"
        ).fetchall()
    finally:
        con.close()
    return {status: {"files": int(files), "rows": int(n)} for status, files, n in rows}


def _run_land(ctx: BenchContext) -> StageRun:
    # the raw data-quality checks are their own stage (raw_checks), so landing is timed alone
    measurement, info = ctx.run_task(
        "dagster", {"groups": ["raw"], "without_checks": True}, label="land"
    )
    ledger = ledger_summary(ctx.settings().build_db)
    dataset = ctx.state.get("dataset", {})
    # rows out from the ledger: what landed and committed, whatever the asset's metadata says
    return StageRun(
        measurement,
        dataset.get("rows"),
        ledger.get("landed", {}).get("rows", 0),
        {
            "step_seconds": info["step_seconds"],
            "load_seconds": info["load_seconds"],
            "ledger": ledger,
            "rows_by_asset": info["rows_by_asset"],
        },
    )


def _run_raw_checks(ctx: BenchContext) -> StageRun:
    measurement, info = ctx.run_task("dagster", {"checks_of_groups": ["raw"]}, label="raw_checks")
    rows = ledger_summary(ctx.settings().build_db).get("landed", {}).get("rows", 0)
    return StageRun(
        measurement,
        rows,
        None,
        {
            "step_seconds": info["step_seconds"],
            "load_seconds": info["load_seconds"],
            "checks": info["checks"],
        },
    )


# --- dbt build --------------------------------------------------------------------------------


def dbt_manifest(ctx: BenchContext) -> dict[str, Any]:
    """The manifest the pipeline's last dbt invocation wrote under TANDEM_HOME/dbt_target."""
    path = ctx.settings().root / "dbt_target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _run_dbt_build(ctx: BenchContext) -> StageRun:
    # both dbt phases with the Splink step between them, in the pipeline's order, so phase 2
    # builds the golden customer from the scored pairs (the identity_resolution stage then
    # re-runs the Splink step alone to time it)
    measurement, info = ctx.run_task(
        "dagster", {"exclude_groups": ["raw", "models", "serving"]}, label="dbt_build"
    )
    manifest = dbt_manifest(ctx)
    sources = [_relation(node) for node in manifest["sources"].values()]
    models = [
        _relation(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    ]
    build_db = ctx.settings().build_db
    return StageRun(
        measurement,
        count_rows(build_db, sources),
        count_rows(build_db, models),
        {
            "step_seconds": info["step_seconds"],
            "load_seconds": info["load_seconds"],
            "models": len(models),
        },
    )


# --- identity resolution --------------------------------------------------------------------


def _run_identity(ctx: BenchContext) -> StageRun:
    key = MATCH_PAIRS.replace(".", "/")
    measurement, info = ctx.run_task("dagster", {"keys": [key]}, label="identity_resolution")
    build_db = ctx.settings().build_db
    return StageRun(
        measurement,
        count_rows(build_db, ["intermediate.int_identity__records"]),
        count_rows(build_db, [MATCH_PAIRS]),
        {"step_seconds": info["step_seconds"], "load_seconds": info["load_seconds"]},
    )


# --- Python model assets ----------------------------------------------------------------------


# where a model asset keeps a trained model for later runs (models_ml/churn_store.py)
MODEL_STORE_SCHEMA = "model_store"


def forget_stored_models(database: Path) -> None:
    """Drop the models earlier runs stored in ``database``, so the next run trains.

    A model stage measures a training run (what issue 14's goals are about): without this, the
    churn asset's second repetition would score with the model the first one stored.
    """
    if not database.exists():
        return
    con = duckdb.connect(str(database))
    try:
        con.execute(f"drop schema if exists {MODEL_STORE_SCHEMA} cascade")
    finally:
        con.close()


def model_stage(asset_key: str, parents: list[str]) -> Stage:
    """A stage that materializes one model asset (``ml_*``) through Dagster, training."""

    def run(ctx: BenchContext) -> StageRun:
        measurement, info = ctx.run_task("dagster", {"keys": [asset_key]}, label=asset_key)
        rows_out = info["rows_by_asset"].get(asset_key)
        upstream = [parent.replace("/", ".") for parent in parents]
        return StageRun(
            measurement,
            count_rows(ctx.settings().build_db, upstream),
            rows_out,
            {"step_seconds": info["step_seconds"], "load_seconds": info["load_seconds"]},
        )

    def prepare(ctx: BenchContext) -> None:
        forget_stored_models(ctx.settings().build_db)

    return Stage(f"model:{asset_key}", f"model asset `{asset_key}`", run=run, prepare=prepare)


# --- publish ----------------------------------------------------------------------------------


def _run_publish(ctx: BenchContext) -> StageRun:
    measurement, info = ctx.run_task("dagster", {"groups": ["serving"]}, label="publish")
    settings = ctx.settings()
    return StageRun(
        measurement,
        table_rows(settings.build_db),
        table_rows(settings.serving_db),
        {
            "step_seconds": info["step_seconds"],
            "load_seconds": info["load_seconds"],
            "bytes": settings.serving_db.stat().st_size,
        },
    )


# --- dashboard pages --------------------------------------------------------------------------


def relations_read_by(source: str) -> list[str]:
    """``schema.table`` names a page's SQL reads (after ``from`` / ``join``)."""
    found = re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)", source, re.I)
    return sorted(set(found))


def page_stage(page: Path) -> Stage:
    """A stage that renders one Streamlit page against the published warehouse (AppTest)."""

    def run(ctx: BenchContext) -> StageRun:
        measurement, info = ctx.run_task("page", {"page": str(page)}, label=f"page-{page.stem}")
        source = page.read_text(encoding="utf-8")
        rows_in = count_rows(ctx.settings().serving_db, relations_read_by(source))
        return StageRun(measurement, rows_in, sum(info["elements"].values()), info)

    return Stage(
        f"page:{page.stem}", f"dashboard page `{page.stem}` (AppTest)", run=run, in_pipeline=False
    )


# --- the registry -----------------------------------------------------------------------------

GENERATE = Stage(
    "generate",
    "sample data generation",
    run=_run_generate,
    prepare=_prepare_generate,
    in_pipeline=False,
)
LAND = Stage("land", "landing into raw_* (Dagster)", run=_run_land, prepare=_prepare_land)
RAW_CHECKS = Stage(
    "raw_checks",
    "data-quality checks on raw (Dagster asset checks)",
    run=_run_raw_checks,
    blocking=False,
)
DBT_BUILD = Stage(
    "dbt_build", "dbt build, both phases with Splink between (Dagster)", run=_run_dbt_build
)
# inside dbt_build already: measured again alone, so not counted twice in the end-to-end sum
IDENTITY_RESOLUTION = Stage(
    "identity_resolution",
    "identity resolution (Splink scoring of record pairs, re-run alone)",
    run=_run_identity,
    in_pipeline=False,
)
PUBLISH = Stage("publish", "publish (checkpoint + atomic copy)", run=_run_publish)


def model_order(models: dict[str, list[str]]) -> list[str]:
    """Model asset keys with every model after the models it reads, else by name (a pure
    function): the churn asset reads the CLV table for its value at risk, so the CLV stage must
    run first for the churn stage to be timed as in the pipeline."""
    placed: list[str] = []
    waiting = sorted(models)
    while waiting:
        ready = [
            key
            for key in waiting
            if not any(parent in models and parent not in placed for parent in models[key])
        ]
        # a cycle cannot be in a Dagster graph; name order keeps this total anyway
        chosen = ready[0] if ready else waiting[0]
        placed.append(chosen)
        waiting.remove(chosen)
    return placed


def pipeline_stages(models: dict[str, list[str]], pages_dir: Path = PAGES_DIR) -> list[Stage]:
    """Every stage in pipeline order, given the model assets found in the Dagster graph."""
    model_stages = [model_stage(key, models[key]) for key in model_order(models)]
    planned = [
        Stage(
            f"model:{key}",
            f"model asset `{key}`",
            unavailable=f"{NOT_YET}: `{key}` comes with a later issue",
        )
        for key in PLANNED_MODELS
        if key not in models
    ]
    pages = [page_stage(path) for path in sorted(pages_dir.glob("*.py"))]
    return [
        GENERATE,
        LAND,
        RAW_CHECKS,
        DBT_BUILD,
        IDENTITY_RESOLUTION,
        *model_stages,
        *planned,
        PUBLISH,
        *pages,
    ]
