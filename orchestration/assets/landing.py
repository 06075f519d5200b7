"""Raw assets: one per data contract, all filled by one landing pass over ``landing/``."""

import dagster as dg

from ingestion.contracts import load_contracts
from ingestion.landing import land_directory
from orchestration.resources import TandemConfig

LANDING_GROUP = "raw"


def raw_asset_key(source: str, entity: str) -> dg.AssetKey:
    # the same key dagster-dbt gives the dbt source `raw_<source>.<entity>`, so lineage joins up
    return dg.AssetKey([f"raw_{source}", entity])


def _raw_specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            raw_asset_key(c.source, c.entity),
            description=f"Append-only landing of `{c.file_pattern}` extracts ({c.path.name}).",
            group_name=LANDING_GROUP,
            kinds={"duckdb"},
        )
        for c in load_contracts()
    ]


@dg.multi_asset(specs=_raw_specs(), name="land_extracts", can_subset=False)
def land_extracts(context: dg.AssetExecutionContext, tandem: TandemConfig):
    """Land new files from ``landing/`` into ``raw_*`` tables (a file lands whole or not at all)."""
    settings = tandem.settings()
    settings.ensure_dirs()
    report = land_directory(settings.build_db, settings.landing_dir, progress=context.log.info)
    by_entity: dict[str, int] = {}
    for outcome in report.files:
        if outcome.status == "landed":
            by_entity[outcome.entity] = by_entity.get(outcome.entity, 0) + outcome.rows
    for contract in load_contracts():
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(contract.source, contract.entity),
            metadata={
                "rows_landed": by_entity.get(contract.entity, 0),
                "files_landed": report.count("landed"),
                "files_skipped": report.count("skipped"),
                "batch_id": report.batch_id,
            },
        )


# What definitions.py collects from this module; landing owns its own checks, jobs and sensors.
LANDING_ASSETS: list[dg.AssetsDefinition] = [land_extracts]
LANDING_CHECKS: list[dg.AssetChecksDefinition] = []
LANDING_JOBS: list[dg.JobDefinition] = []
LANDING_SENSORS: list[dg.SensorDefinition] = []
