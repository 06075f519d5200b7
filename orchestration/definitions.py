"""The Dagster code location: every asset, check, job, schedule and sensor of Tandem.

Load it with ``dagster dev -m orchestration.definitions`` (``make dev``) or run it in-process via
the ``tandem`` CLI.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.channel_roi import ml_channel_attribution, ml_channel_mmm
from orchestration.assets.customer_models import ml_clv, ml_segments
from orchestration.assets.identity import identity_match_pairs
from orchestration.assets.landing import (
    LANDING_ASSETS,
    LANDING_CHECKS,
    LANDING_JOBS,
    LANDING_SENSORS,
)
from orchestration.assets.models import ml_churn, ml_revenue_trend, ml_rfm
from orchestration.assets.publish import PUBLISH_GROUP, publish_asset
from orchestration.assets.quality import GATE_KEY, quality_gate_asset
from orchestration.assets.warehouse import warehouse_models, warehouse_staging
from orchestration.commands.pipeline import PID_TAG
from orchestration.dbt_manifest import dbt_child_executable
from orchestration.quality_gate import after_run
from orchestration.resources import (
    TandemConfig,
    TandemDbtCliResource,
    build_duckdb_resource,
    schedule_status,
    sensor_status,
)
from orchestration.settings import DBT_PROJECT_DIR, get_settings

PIPELINE_JOB = "tandem_pipeline"

_upstream_assets = [
    *LANDING_ASSETS,
    warehouse_staging,
    identity_match_pairs,
    warehouse_models,
    ml_revenue_trend,
    ml_rfm,
    ml_clv,
    ml_segments,
    ml_channel_attribution,
    ml_channel_mmm,
    ml_churn,
]
# error-level checks stop the run here, before publishing (orchestration/quality_gate.py)
quality_gate = quality_gate_asset(
    [key for assets_def in _upstream_assets for key in assets_def.keys], PUBLISH_GROUP
)
serving_warehouse = publish_asset([GATE_KEY])

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all(),
    description="Land new extracts, build the warehouse and models, publish the serving file.",
)

# ERP extracts arrive T+1 overnight; build once they are in.
daily_schedule = dg.ScheduleDefinition(
    name="daily_pipeline",
    job=pipeline_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    # on in `make dev` unless TANDEM_SCHEDULES_ENABLED=false
    default_status=schedule_status(),
)


@dg.run_failure_sensor(
    name="quality_alerts",
    default_status=sensor_status(),
    description="Records the quality results of a failed or blocked run and sends the alerts.",
)
def quality_alerts(context: dg.RunFailureSensorContext) -> None:
    """Runs of the daemon and the UI; a `tandem` command alerts for its own runs."""
    if PID_TAG in context.dagster_run.tags:
        return
    after_run(context.instance, context.dagster_run.run_id, get_settings(), success=False)


defs = dg.Definitions(
    assets=[*_upstream_assets, quality_gate, serving_warehouse],
    asset_checks=[*LANDING_CHECKS],
    jobs=[pipeline_job, *LANDING_JOBS],
    schedules=[daily_schedule],
    sensors=[*LANDING_SENSORS, quality_alerts],
    resources={
        "dbt": TandemDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            # dbt dies with the process that runs it, even on kill -9
            dbt_executable=dbt_child_executable(),
        ),
        "duckdb": build_duckdb_resource(),
        "tandem": TandemConfig(),
    },
    # one writer per DuckDB file: steps must not run side by side
    executor=dg.in_process_executor,
)
