"""Python model assets downstream of the dbt marts; each writes an ``ml.*`` table."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_ml import churn_store, rfm
from models_ml.model_runs import ModelRun, NotEnoughData, record_model_run
from models_ml.revenue_trend import MODEL_VERSION as REVENUE_TREND_VERSION
from models_ml.revenue_trend import fit_revenue_trend
from models_ml.warehouse import warehouse_as_of
from orchestration.assets.warehouse import warehouse_models
from orchestration.resources import TandemConfig

MODELS_GROUP = "models"


@dg.asset(
    key=dg.AssetKey(["ml_revenue_trend"]),
    deps=[
        get_asset_key_for_model([warehouse_models], "rpt_revenue_monthly"),
        get_asset_key_for_model([warehouse_models], "dim_as_of_date"),
    ],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_revenue_trend(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, tandem: TandemConfig
):
    """Least-squares trend of monthly net revenue over the complete months before the as-of date.

    The as-of date is the warehouse's own (``core.dim_as_of_date``: TANDEM_AS_OF_DATE,
    else the latest business day in the data), so the model and the marts agree on "today".
    """
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con).replace(day=1)
        monthly = con.sql("select * from finance.rpt_revenue_monthly").pl()
        try:
            trend = fit_revenue_trend(monthly, as_of)
        except NotEnoughData as error:
            # a customers-only extract has no revenue: skip, empty any stale trend, publish
            con.execute("create schema if not exists ml")
            con.execute("drop table if exists ml.revenue_trend")
            run = ModelRun.skipped("revenue_trend", REVENUE_TREND_VERSION, as_of, error.reason)
            record_model_run(con, run)
            context.log.warning(f"revenue trend skipped: {error.reason}")
            return dg.MaterializeResult(
                metadata={"status": f"skipped: {error.reason}", "rows": 0, "as_of": str(as_of)}
            )
        con.execute("create schema if not exists ml")
        con.register("trend", trend)
        con.execute("create or replace table ml.revenue_trend as select * from trend")
        con.unregister("trend")
    slope = float(trend["slope_per_month"][0])
    context.log.info(f"revenue trend over {trend.height} months: {slope:,.2f} yuan/month")
    return dg.MaterializeResult(
        metadata={
            "status": "ok",
            "rows": trend.height,
            "slope_per_month": slope,
            "as_of": str(as_of),
        }
    )


@dg.asset(
    key=dg.AssetKey(["ml_rfm"]),
    deps=[
        get_asset_key_for_model([warehouse_models], "fct_order_lines"),
        get_asset_key_for_model([warehouse_models], "dim_as_of_date"),
    ],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_rfm(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """RFM scores and segment of every golden customer with an approved order (``ml.rfm``).

    Recency counts from the last order to the warehouse's as-of date; frequency and monetary
    value cover the orders of the year before it. Model card: docs/models/rfm.md.
    """
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con)
        scored = rfm.build_rfm(con, as_of)
    segments = {
        key: count for key, count in scored.group_by("segment").len().sort("segment").rows()
    }
    context.log.info(f"RFM as of {as_of}: {scored.height:,} customers scored, {segments}")
    return dg.MaterializeResult(
        metadata={
            "rows": scored.height,
            "as_of": str(as_of),
            "model_version": rfm.MODEL_VERSION,
            "window_days": rfm.WINDOW_DAYS,
            "segments": dg.MetadataValue.json(segments),
        }
    )


@dg.asset(
    key=dg.AssetKey(["ml_churn"]),
    deps=[
        get_asset_key_for_model([warehouse_models], name)
        for name in (
            "fct_order_lines",
            "fct_invoice_lines",
            "fct_receipt_allocations",
            "fct_activities",
            "fct_tickets",
            "fct_opportunities",
            "dim_customer",
            "dim_as_of_date",
        )
    ]
    # value at risk = churn probability x the CLV model's 12-month margin
    + [dg.AssetKey(["ml_clv"])],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb", "scikitlearn"},
)
def ml_churn(context: dg.AssetExecutionContext, duckdb: DuckDBResource, tandem: TandemConfig):
    """Churn early warning: probability, risk band and reasons per active buyer (``ml.churn_*``).

    Churn = no approved order in the next ``TANDEM_CHURN_HORIZON_DAYS`` (90) days. When training
    is due (every ``TANDEM_CHURN_RETRAIN_DAYS``, or no stored model) both models are validated
    on time splits and the better one is trained and stored; every run scores the warehouse's
    as-of date. Too little history is a skipped run, not a failure. Model card:
    docs/models/churn.md.
    """
    settings = tandem.settings()
    horizon = settings.churn_horizon_days
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con)
        outcome = churn_store.build_churn(con, as_of, horizon, settings.churn_retrain_days)
    run = outcome.run
    metadata: dict = {
        "status": run.status if run.status == "ok" else f"skipped: {run.reason}",
        "as_of": str(as_of),
        "model_version": run.model_version,
        "horizon_days": horizon,
        "rows": run.rows_written,
        "seconds": round(outcome.seconds, 1),
    }
    if outcome.notes:
        metadata["notes"] = "; ".join(outcome.notes)
    if run.status == "ok":
        # trained in this run, or the stored model of an earlier one (TANDEM_CHURN_RETRAIN_DAYS)
        metadata["retrained"] = run.parameters["retrained"]
        metadata["model_trained_as_of"] = run.parameters.get("model_trained_as_of", str(as_of))
        metadata["model"] = run.metrics["chosen_model"]
        metadata["high_risk"] = run.metrics["high_risk"]
        metadata["validation"] = dg.MetadataValue.json(run.metrics["mean_by_model"])
    context.log.info(f"churn as of {as_of}: {metadata['status']}, {run.rows_written:,} scored")
    return dg.MaterializeResult(metadata=metadata)
