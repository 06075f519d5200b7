"""Customer model assets (CLV, segments): each records its run in ``ml.model_runs`` and skips,
with the reason in its metadata, when the data cannot support it."""

import datetime as dt
from collections.abc import Callable

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_ml import clv, segment_clusters
from models_ml.clv_run import build_clv
from models_ml.model_runs import ModelRun, NotEnoughData, record_model_run
from models_ml.segments_run import build_segments
from models_ml.warehouse import warehouse_as_of
from orchestration.assets.models import MODELS_GROUP
from orchestration.assets.warehouse import warehouse_models

CLV_TABLES = ("clv", "clv_parameters", "clv_fit_check")
SEGMENT_TABLES = ("customer_clusters", "cluster_profiles", "segment_history", "segment_migration")
# what readers of ml.clv (the churn model's value at risk, the dashboards) rely on, kept even
# when a run is skipped, so a missing score is an empty table rather than a missing one
CLV_CONTRACT_DDL = """
create table if not exists ml.clv (
    customer_key varchar, as_of_date date, model_version varchar, p_alive double,
    expected_purchases_12m double, clv_12m_revenue double, clv_12m_margin double
)
"""

ORDER_DEPS = [
    get_asset_key_for_model([warehouse_models], "fct_order_lines"),
    get_asset_key_for_model([warehouse_models], "dim_as_of_date"),
]


def clear_tables(con, tables: tuple[str, ...]) -> None:
    """Empty the ``ml`` tables of a skipped model, so no stale score outlives its data."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ml'"
        ).fetchall()
    }
    for table in tables:
        if table in existing:
            con.execute(f"create or replace table ml.{table} as select * from ml.{table} limit 0")


def run_customer_model(
    con,
    model: str,
    version: str,
    tables: tuple[str, ...],
    build: Callable[[object, dt.date], tuple[object, ModelRun]],
) -> ModelRun:
    """Run ``build`` as of the warehouse's date and record the run, skipped or not."""
    as_of = warehouse_as_of(con)
    try:
        _, run = build(con, as_of)
    except NotEnoughData as error:
        clear_tables(con, tables)
        run = ModelRun.skipped(model, version, as_of, error.reason)
    record_model_run(con, run)
    return run


def result_of(
    context: dg.AssetExecutionContext, run: ModelRun, extra: dict
) -> dg.MaterializeResult:
    """Materialization metadata: ``status`` is ``ok`` or ``skipped: <reason>``."""
    if run.status == "skipped":
        context.log.warning(f"{run.model} skipped as of {run.as_of_date}: {run.reason}")
        status = f"skipped: {run.reason}"
    else:
        status = "ok"
    return dg.MaterializeResult(
        metadata={
            "status": status,
            "as_of": str(run.as_of_date),
            "model_version": run.model_version,
            "rows": run.rows_written,
            **(extra if run.status == "ok" else {}),
        }
    )


@dg.asset(
    key=dg.AssetKey(["ml_clv"]),
    deps=ORDER_DEPS,
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_clv(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """12-month CLV of every buying customer (``ml.clv``): BG/NBD x Gamma-Gamma.

    Also ``ml.clv_parameters`` and ``ml.clv_fit_check``; the holdout check (fit a year before
    the as-of date, compare with the purchases since) is in the run's metrics. Model card:
    docs/models/clv.md.
    """
    with duckdb.get_connection() as con:
        run = run_customer_model(con, "clv", clv.MODEL_VERSION, CLV_TABLES, build_clv)
        con.execute("create schema if not exists ml")
        con.execute(CLV_CONTRACT_DDL)
    metrics = run.metrics
    context.log.info(f"CLV {run.status} as of {run.as_of_date}: {metrics}")
    extra = {
        "parameters": dg.MetadataValue.json(run.parameters),
        "holdout_mae": metrics.get("holdout_mae"),
        "holdout_correlation": metrics.get("holdout_correlation"),
        "holdout_total_error": metrics.get("holdout_total_error"),
        "clv_12m_revenue_total": metrics.get("clv_12m_revenue_total"),
    }
    return result_of(context, run, {k: v for k, v in extra.items() if v is not None})


@dg.asset(
    key=dg.AssetKey(["ml_segments"]),
    deps=ORDER_DEPS,
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_segments(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Behavioural clusters, their profiles, month-end segment history and migration.

    Writes ``ml.customer_clusters``, ``ml.cluster_profiles``, ``ml.segment_history`` and
    ``ml.segment_migration``. Model card: docs/models/segments.md.
    """
    with duckdb.get_connection() as con:
        run = run_customer_model(
            con, "segments", segment_clusters.MODEL_VERSION, SEGMENT_TABLES, build_segments
        )
    context.log.info(f"segments {run.status} as of {run.as_of_date}: {run.metrics}")
    extra = {
        "k": run.metrics.get("k"),
        "silhouette": run.metrics.get("silhouette"),
        "clusters": dg.MetadataValue.json(run.metrics.get("clusters", {})),
        "month_ends": run.metrics.get("month_ends"),
    }
    return result_of(context, run, extra)
