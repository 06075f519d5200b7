"""Dagster asset checks running the raw Great Expectations suites (dagster-ge is GX 0.x only).

One multi-asset check validates the newest batch of every raw table it is asked for and records
the outcomes in ``raw_meta.quality_results``. Key and not-null failures are ERROR (a blocking
check stops the warehouse build); enum, range, date and row-count failures are WARN.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb

from data_tests.raw_quality import SuiteResult, store_results, validate_raw_table
from ingestion.contracts import Contract
from orchestration.settings import get_settings

CHECK_NAME = "gx_raw_suite"


def check_result(asset_key: dg.AssetKey, result: SuiteResult) -> dg.AssetCheckResult:
    """A Dagster check result from one suite run (severity ERROR only for blocking failures)."""
    severity = dg.AssetCheckSeverity.ERROR if result.blocking_failed else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        passed=result.success,
        severity=severity,
        metadata={
            "suite": result.suite,
            "batch_id": result.batch_id or "",
            "rows_in_batch": result.rows_in_batch,
            "rows_validated": result.rows_validated,
            # never a silent sample: "all 57,572 rows" or "sampled 250,000 of 3,200,000 rows"
            "validated": result.coverage,
            "expectations": len(result.outcomes),
            "failed": len(result.failures),
            "failures": "; ".join(result.failures) or "none",
        },
    )


def run_raw_suites(
    db_path: Path, contracts: list[Contract], max_rows: int | None = None
) -> list[SuiteResult]:
    """Validate the newest batch of each contract's raw table and store the outcomes.

    ``max_rows`` defaults to ``TANDEM_GX_MAX_ROWS`` (0: every row).
    """
    if max_rows is None:
        max_rows = get_settings().gx_max_rows
    with duckdb.connect(str(db_path)) as con:
        results = [validate_raw_table(con, contract, max_rows=max_rows) for contract in contracts]
        store_results(con, results)
    return results


def build_raw_quality_checks(
    contracts: list[Contract],
    asset_key_for: Callable[[Contract], dg.AssetKey],
    db_path_for: Callable[[dg.AssetCheckExecutionContext], Path],
    required_resource_keys: set[str],
) -> dg.AssetChecksDefinition:
    """One blocking GX check per raw asset, executed together in one step."""
    by_key = {asset_key_for(c): c for c in contracts}
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=True,
            description=(
                f"Great Expectations suite raw_{c.source}__{c.entity} on the newest batch: keys, "
                "not-null, enums, ranges, no future dates, row count vs the previous batch."
            ),
        )
        for key, c in by_key.items()
    ]

    @dg.multi_asset_check(
        specs=specs,
        name="raw_quality_gx",
        can_subset=True,
        required_resource_keys=required_resource_keys,
    )
    def raw_quality_gx(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        selected = [k.asset_key for k in context.selected_asset_check_keys]
        chosen = [by_key[key] for key in selected if key in by_key]
        results = run_raw_suites(db_path_for(context), chosen)
        for contract, result in zip(chosen, results, strict=True):
            yield check_result(asset_key_for(contract), result)

    return raw_quality_gx
