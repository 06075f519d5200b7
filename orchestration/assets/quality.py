"""The quality gate asset: the last check before ``serving_warehouse`` publishes a build.

It gathers the run's asset checks (dbt tests, reconciliations, raw suites), runs ``dbt source
freshness`` on the landed raw tables and the Great Expectations suites on the marts, writes every
result to ``quality.check_results`` in the build file, and fails the step when any check failed
at error level, so the publish step never runs and the serving file keeps the last good build.
"""

import dagster as dg
import duckdb

from data_tests.check_results import store
from data_tests.mart_quality import validate_marts
from orchestration.quality_gate import blocked_message, describe, run_check_results
from orchestration.resources import TandemConfig
from orchestration.source_freshness import (
    freshness_results,
    landed_sources,
    run_source_freshness,
)
from orchestration.uptodate import record_gated_build

GATE_KEY = dg.AssetKey(["quality_gate"])
SHOWN_WARNINGS = 20


def quality_gate_asset(upstream: list[dg.AssetKey], group: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=GATE_KEY,
        deps=upstream,
        group_name=group,
        kinds={"duckdb"},
        description=(
            "Error-level checks block publishing: dbt tests, reconciliations, raw and mart Great"
            " Expectations suites, source freshness. Results in quality.check_results."
        ),
    )
    def quality_gate(context: dg.AssetExecutionContext, tandem: TandemConfig):
        settings = tandem.settings()
        db = str(settings.build_db)
        config = settings.duckdb_config()
        with duckdb.connect(db, config=config) as con:
            results = run_check_results(
                context.instance, context.run_id, con, settings.root / "dbt_target"
            )
            selection = landed_sources(con)
        # dbt opens the build file itself: our connection is closed meanwhile
        if selection:
            sources = run_source_freshness(settings, selection)
            results += freshness_results(sources, context.run_id)
        with duckdb.connect(db, config=config) as con:
            results += validate_marts(con, context.run_id)
            store(con, results)
        warnings = [describe(r) for r in results if r.status == "warn"]
        for warning in warnings:
            context.log.warning(warning)
        message = blocked_message(results)
        if message:
            raise dg.Failure(description=message)
        # after the gate's last write: a run stopped before it publishes need not rebuild
        record_gated_build(settings, context.run_id)
        return dg.MaterializeResult(
            metadata={
                "checks": len(results),
                "passed": sum(r.status == "pass" for r in results),
                "warned": len(warnings),
                "quality_warnings": warnings[:SHOWN_WARNINGS],
            }
        )

    return quality_gate
