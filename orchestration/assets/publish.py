"""The publish asset: the last step of every run, swapping the build into the serving file."""

import dagster as dg

from orchestration.publish import publish
from orchestration.resources import TandemConfig
from orchestration.uptodate import record_publish

PUBLISH_GROUP = "serving"


def publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["serving_warehouse"]),
        deps=upstream,
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        description="Atomic copy of the build file onto the read-only serving file.",
    )
    def serving_warehouse(context: dg.AssetExecutionContext, tandem: TandemConfig):
        settings = tandem.settings()
        result = publish(settings.build_db, settings.serving_db)
        # what this publish was built from: the next `tandem run` skips when nothing changed
        record_publish(settings)
        for name in result.stale_removed:
            context.log.warning(f"removed {name}: the copy of a publish that was killed")
        context.log.info(f"published {result.bytes:,} bytes to {result.serving_path}")
        return dg.MaterializeResult(
            metadata={
                "path": str(result.serving_path),
                "bytes": result.bytes,
                "seconds": round(result.seconds, 3),
            }
        )

    return serving_warehouse
