"""The registry of side-by-side comparisons, each measured in the same run on the same data.

A ratio runs its numerator and its denominator alternately (A, B, A, B, ...) so a change in the
machine's load hits both sides alike; its value is the median of the paired ratios of wall time,
with their min and max as the spread. A comparison that needs a part a later issue brings is
registered as not available yet.
"""

from __future__ import annotations

from bench.ratio_base import Ratio
from bench.ratios_dbt import (
    measure_dagster_vs_dbt,
    measure_dbt_vs_raw_sql,
    measure_duckdb_vs_postgres,
    measure_incremental_vs_full,
)
from bench.ratios_pandas import measure_customer360_vs_pandas, measure_rfm_vs_pandas

RATIOS: list[Ratio] = [
    Ratio(
        "dbt_vs_raw_sql",
        "dbt build / the same compiled SQL run directly in DuckDB (orchestration overhead)",
        "dbt build",
        "compiled SQL in DuckDB",
        needs="land",
        measure=measure_dbt_vs_raw_sql,
    ),
    Ratio(
        "dagster_vs_dbt",
        "dbt build through Dagster (both phases, tests as asset checks) / the plain dbt build",
        "Dagster",
        "plain dbt build",
        needs="dbt_build",
        measure=measure_dagster_vs_dbt,
    ),
    Ratio(
        "incremental_vs_full",
        "one daily drop (land + build + publish) / full rebuild from the full extract",
        "incremental day",
        "full rebuild",
        needs="generate",
        measure=measure_incremental_vs_full,
    ),
    Ratio(
        "duckdb_vs_postgres",
        "dbt build on the DuckDB target / the same project on the PostgreSQL target",
        "DuckDB target",
        "PostgreSQL target",
        needs="land",
        measure=measure_duckdb_vs_postgres,
    ),
    Ratio(
        "rfm_pandas_speedup",
        "RFM in pandas / RFM in Tandem (how many times faster Tandem is)",
        "pandas",
        "Tandem",
        needs="dbt_build",
        measure=measure_rfm_vs_pandas,
    ),
    Ratio(
        "customer360_pandas_speedup",
        "customer 360 in pandas / customer 360 in Tandem (how many times faster Tandem is)",
        "pandas",
        "Tandem",
        needs="dbt_build",
        measure=measure_customer360_vs_pandas,
    ),
]
