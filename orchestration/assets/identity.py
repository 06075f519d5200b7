"""Identity resolution's Python step between the two dbt phases: Splink scores pairs of
customer records and writes ``identity.match_pairs`` into the build file."""

import time

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_ml.identity import (
    MODEL_VERSION,
    PAIRS_SCHEMA,
    PAIRS_TABLE,
    read_records,
    score_record_pairs,
    write_match_pairs,
)
from orchestration.assets.warehouse import warehouse_staging

IDENTITY_GROUP = "identity"
# the dbt source identity.match_pairs has this key, so Dagster runs phase 2 after this asset
MATCH_PAIRS_KEY = dg.AssetKey([PAIRS_SCHEMA, PAIRS_TABLE])


@dg.asset(
    key=MATCH_PAIRS_KEY,
    deps=[get_asset_key_for_model([warehouse_staging], "int_identity__records")],
    group_name=IDENTITY_GROUP,
    kinds={"python", "duckdb"},
)
def identity_match_pairs(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Candidate pairs of CRM/ERP customer records scored by Splink, with per-field evidence."""
    started = time.perf_counter()
    with duckdb.get_connection() as con:
        records = read_records(con)
        pairs = score_record_pairs(records)
        rows = write_match_pairs(con, pairs)
    likely = pairs.filter(pairs["match_probability"] >= 0.99).height if rows else 0
    context.log.info(
        f"identity: {records.height} records -> {rows} scored pairs ({likely} >= 0.99)"
    )
    return dg.MaterializeResult(
        metadata={
            "rows": rows,
            "records": records.height,
            "pairs_at_or_above_0_99": likely,
            "model_version": MODEL_VERSION,
            "seconds": round(time.perf_counter() - started, 2),
        }
    )
