"""Queries behind the Data quality page: landings, freshness, quarantine, rejects, model runs."""

from __future__ import annotations

import polars as pl

from dashboards.serving import cached_query, has_table

LEDGER = "raw_meta.file_ledger"
REJECTS = "raw_meta.rejects"
FRESHNESS = "raw_meta.raw_table_freshness"


def landing_runs() -> pl.DataFrame:
    """One row per landing batch: when, how many files landed, quarantined or failed."""
    return cached_query(
        f"""
        select batch_id, max(loaded_at) as loaded_at,
            count(*) filter (where status = 'landed') as landed_files,
            count(*) filter (where status = 'quarantined') as quarantined_files,
            count(*) filter (where status = 'failed') as failed_files,
            sum(rows) as rows, sum(coalesce(rejected_rows, 0)) as rejected_rows,
            round(sum(seconds), 1) as seconds
        from {LEDGER}
        group by batch_id
        order by loaded_at desc
        limit 20
        """
    )


def freshness() -> pl.DataFrame:
    """Per raw table: rows and the newest ``_loaded_at`` (how old the newest extract is).

    The raw tables stay in the build file; each publish writes this summary of them into the
    serving file (orchestration/serving_content.py). A file published before that still holds
    the raw tables themselves."""
    if has_table(FRESHNESS):
        return cached_query(
            "select table_name, rows, latest_load,"
            " date_diff('hour', latest_load, current_timestamp::timestamp) as hours_since"
            f" from {FRESHNESS} order by table_name"
        )
    tables = cached_query(
        """
        select table_schema || '.' || table_name as name
        from information_schema.columns
        where table_schema like 'raw\\_%' escape '\\' and column_name = '_loaded_at'
        order by 1
        """
    )["name"].to_list()
    if not tables:
        return pl.DataFrame(schema={"table_name": pl.String, "rows": pl.Int64})
    union = " union all ".join(
        f"select '{name}' as table_name, count(*) as rows, max(_loaded_at) as latest_load "
        f"from {name}"
        for name in tables
    )
    return cached_query(
        f"select *, date_diff('hour', latest_load, current_timestamp::timestamp) as hours_since "
        f"from ({union}) order by table_name"
    )


def quarantined_files() -> pl.DataFrame:
    """Files kept out of the warehouse whole, with the reason and the report's path."""
    return cached_query(
        f"""
        select file, entity, status, problems, quarantine_path, loaded_at
        from {LEDGER}
        where status in ('quarantined', 'failed')
        order by loaded_at desc
        """
    )


def rejects_by_reason() -> pl.DataFrame:
    """Rejected rows grouped by file, column and reason, with one example value."""
    if not has_table(REJECTS):
        return pl.DataFrame()
    return cached_query(
        f"""
        select file, column_name, reason, count(*) as rows, any_value(value) as example_value,
            any_value(expected) as expected
        from {REJECTS}
        group by file, column_name, reason
        order by rows desc
        """
    )


def model_runs() -> pl.DataFrame | None:
    """The newest run of every model (None when the run log does not exist)."""
    if not has_table("ml.model_runs"):
        return None
    return cached_query(
        """
        select model, model_version, as_of_date, run_at, status, reason, rows_written
        from ml.model_runs
        qualify row_number() over (partition by model order by run_at desc) = 1
        order by model
        """
    )


CHECK_RESULTS = "quality.check_results"


def latest_check_results() -> pl.DataFrame | None:
    """The newest run's checks, failures and warnings first (None before the first gate ran)."""
    if not has_table(CHECK_RESULTS):
        return None
    return cached_query(
        f"""
        select status, severity, layer, check_name, asset, failing_rows, rows_checked,
            example, message
        from {CHECK_RESULTS}
        where run_id = (select arg_max(run_id, checked_at) from {CHECK_RESULTS})
        order by case status when 'fail' then 0 when 'warn' then 1 else 2 end, layer, asset
        """
    )


def check_history(runs: int = 30) -> pl.DataFrame | None:
    """One row per run with checks: when, how many passed, warned and failed (blocked)."""
    if not has_table(CHECK_RESULTS):
        return None
    return cached_query(
        f"""
        select run_id, min(checked_at) as checked_at,
            count(*) filter (where status = 'pass') as passed,
            count(*) filter (where status = 'warn') as warned,
            count(*) filter (where status = 'fail') as failed,
            string_agg(distinct check_name || ' @ ' || asset, '; ')
                filter (where status = 'fail') as blocked_by
        from {CHECK_RESULTS}
        group by run_id
        order by checked_at desc
        limit {int(runs)}
        """
    )
