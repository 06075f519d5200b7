"""Python model assets downstream of the dbt marts; each writes an ``ml.*`` table."""

import datetime as dt

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_ml.revenue_trend import fit_revenue_trend
from orchestration.assets.warehouse import warehouse_models
from orchestration.resources import TandemConfig

MODELS_GROUP = "models"


def warehouse_as_of(con) -> dt.date:
    """The as-of date the dbt build used (one row in ``intermediate.int_as_of_date``)."""
    return con.execute("select as_of_date from intermediate.int_as_of_date").fetchall()[0][0]


@dg.asset(
    key=dg.AssetKey(["ml_revenue_trend"]),
    deps=[
        get_asset_key_for_model([warehouse_models], "rpt_revenue_monthly"),
        get_asset_key_for_model([warehouse_models], "int_as_of_date"),
    ],
    group_name=MODELS_GROUP,
    kinds={"python", "duckdb"},
)
def ml_revenue_trend(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, tandem: TandemConfig
):
    """Least-squares trend of monthly net revenue over the complete months before the as-of date.

    The as-of date is the warehouse's own (``intermediate.int_as_of_date``: TANDEM_AS_OF_DATE,
    else the latest business day in the data), so the model and the marts agree on "today".
    """
    with duckdb.get_connection() as con:
        as_of = warehouse_as_of(con).replace(day=1)
        monthly = con.sql("select * from finance.rpt_revenue_monthly").pl()
        trend = fit_revenue_trend(monthly, as_of)
        con.execute("create schema if not exists ml")
        con.register("trend", trend)
        con.execute("create or replace table ml.revenue_trend as select * from trend")
        con.unregister("trend")
    slope = float(trend["slope_per_month"][0])
    context.log.info(f"revenue trend over {trend.height} months: {slope:,.2f} yuan/month")
    return dg.MaterializeResult(
        metadata={"rows": trend.height, "slope_per_month": slope, "as_of": str(as_of)}
    )
