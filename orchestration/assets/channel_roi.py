"""Channel ROI assets: journeys and attribution, then the marketing-mix model (``ml.channel_*``).

Both read the marts through the build file and record every run in ``ml.model_runs``. Missing
data (no conversions, too few weeks, a channel without spend) is a "skipped: why" in the asset
metadata, never a failed run: the rest of the pipeline publishes.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_ml import channel_roi
from models_ml.warehouse import warehouse_as_of
from orchestration.assets.warehouse import warehouse_models

MODELS_GROUP = "models"
ATTRIBUTION_KEY = dg.AssetKey(["ml_channel_attribution"])


def _metadata(result, run) -> dict:
    if result is None:
        return {
            "status": "skipped",
            "rows": 0,
            "skipped": f"skipped: {run.reason}",
            "as_of": str(run.as_of_date),
        }
    return {
        "status": "ok",
        "as_of": str(run.as_of_date),
        "model_version": run.model_version,
        "rows": sum(result.rows.values()),
        "tables": dg.MetadataValue.json(result.rows),
        "skipped": dg.MetadataValue.json([f"skipped: {s}" for s in result.skipped]),
        "metrics": dg.MetadataValue.json(run.metrics),
    }


@dg.asset(
    key=ATTRIBUTION_KEY,
    deps=[
        get_asset_key_for_model([warehouse_models], name)
        for name in (
            "fct_leads",
            "fct_opportunities",
            "fct_invoice_lines",
            "fct_activities",
            "fct_marketing_spend",
            "dim_as_of_date",
        )
    ],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_channel_attribution(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Journeys of every golden customer up to its first won deal, with the ERP margin it
    brought, and first/last-touch, linear, time-decay, position-based, Markov and Shapley
    credit per channel and month, campaign by campaign. Model card: docs/models/channel_roi.md.
    """
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con)
        result, run = channel_roi.run_step(con, "attribution", as_of)
    context.log.info(f"channel attribution as of {as_of}: {run.status} {run.reason or ''}")
    return dg.MaterializeResult(metadata=_metadata(result, run))


@dg.asset(
    key=dg.AssetKey(["ml_channel_mmm"]),
    deps=[ATTRIBUTION_KEY],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_channel_mmm(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Marketing-mix model per paid channel (adstock, Hill, bootstrap ROI intervals), ROI beside
    the attribution models, response curves and the budget plan at the same total spend."""
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con)
        result, run = channel_roi.run_step(con, "mmm", as_of)
    context.log.info(f"channel MMM as of {as_of}: {run.status} {run.reason or ''}")
    return dg.MaterializeResult(metadata=_metadata(result, run))
