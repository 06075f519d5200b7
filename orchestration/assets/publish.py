"""The publish asset: the last step of every run, swapping the build into the serving file."""

import time

import dagster as dg

from orchestration.publish import publish
from orchestration.resources import TandemConfig
from orchestration.serving_content import load_plan
from orchestration.uptodate import record_publish

PUBLISH_GROUP = "serving"


def publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["serving_warehouse"]),
        deps=upstream,
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        description="Marts, model outputs and their docs, copied from the build file into a "
        "fresh read-only serving file that replaces the last one atomically; then the masked "
        "copy the workbench gives roles that may not see personal data.",
    )
    def serving_warehouse(context: dg.AssetExecutionContext, tandem: TandemConfig):
        from dashboards.workbench.connection import masked_copy

        settings = tandem.settings()
        plan, manifest = load_plan(settings)
        result = publish(settings.build_db, settings.serving_db, plan, manifest)
        # what this publish was built from: the next `tandem run` skips when nothing changed
        record_publish(settings)
        for name in result.stale_removed:
            context.log.warning(f"removed {name}: the copy of a publish that was killed")
        context.log.info(
            f"published {result.tables} tables, {result.bytes:,} bytes to {result.serving_path}"
        )
        # built now, not on an analyst's first query after the publish
        started = time.perf_counter()
        masked = masked_copy(settings.serving_db)
        masked_seconds = time.perf_counter() - started
        context.log.info(f"masked copy for the workbench: {masked} in {masked_seconds:.1f} s")
        return dg.MaterializeResult(
            metadata={
                "path": str(result.serving_path),
                "bytes": result.bytes,
                "tables": result.tables,
                "seconds": round(result.seconds, 3),
                "masked_copy": str(masked),
                "masked_copy_seconds": round(masked_seconds, 3),
            }
        )

    return serving_warehouse
