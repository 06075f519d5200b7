"""Source freshness as quality checks: ``dbt source freshness`` on ``_loaded_at`` of every raw
table that holds rows, read back as one :class:`CheckResult` per table. The thresholds are
``freshness: warn_after / error_after`` in the sources YAML; the ``quality_gate`` asset runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import duckdb

from data_tests.check_results import CheckResult, Severity, now_utc, status_for
from orchestration.dbt_manifest import dbt_executable, home_independent, seed_partial_parse
from orchestration.settings import DBT_PROJECT_DIR, TandemSettings

RAW_SCHEMAS = ("raw_erp", "raw_crm", "raw_marketing")


def landed_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """``source:<schema>.<table>`` for every raw table that holds rows (landed at least once)."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in {RAW_SCHEMAS} order by 1, 2"
    ).fetchall()
    # a contract with no file yet builds an empty table: nothing has landed to be stale
    return [
        f"source:{schema}.{name}"
        for schema, name in tables
        if con.execute(f'select exists (select 1 from {schema}."{name}")').fetchall()[0][0]
    ]


def run_source_freshness(settings: TandemSettings, selection: list[str]) -> dict[str, Any]:
    """Run ``dbt source freshness`` on ``selection`` and return its sources.json.

    It runs in the build's own target folder: the manifest the build just parsed is reused
    (a separate folder would parse the whole project again), and it writes ``sources.json``
    there, leaving the build's ``run_results.json`` alone.
    """
    target = settings.root / "dbt_target"
    path = target / "sources.json"
    path.unlink(missing_ok=True)  # never read an earlier run's verdict
    seed_partial_parse(target)
    command = [
        dbt_executable(),
        "source",
        "freshness",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--select",
        *selection,
    ]
    env, cwd = home_independent({**os.environ, **settings.tool_env()})
    # exit status 1 means a source is past error_after: sources.json says which
    completed = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if not path.exists():
        raise RuntimeError("dbt source freshness wrote no results:\n" + completed.stdout[-2000:])
    return json.loads(path.read_text(encoding="utf-8"))


def _age(seconds: float) -> str:
    days, hours = divmod(int(seconds) // 3600, 24)
    return f"{days} d {hours} h" if days else f"{hours} h"


def _criteria(criteria: dict[str, Any], key: str) -> str:
    limit = criteria.get(key) or {}
    return f"{limit.get('count')} {limit.get('period')}s" if limit.get("count") else "none"


def freshness_results(sources: dict[str, Any], run_id: str) -> list[CheckResult]:
    """One result per source table: pass, warn (past warn_after) or fail (past error_after)."""
    results = []
    for item in sources.get("results", []):
        table = item["unique_id"].split(".", 2)[-1]
        status = item.get("status")
        criteria = item.get("criteria") or {}
        age = item.get("max_loaded_at_time_ago_in_s")
        severity: Severity = "error" if status in ("error", "runtime error") else "warn"
        message = None
        if status != "pass":
            message = (
                f"newest row of {table} landed {_age(age or 0)} ago "
                f"(at {item.get('max_loaded_at')}); warn after "
                f"{_criteria(criteria, 'warn_after')}, error after "
                f"{_criteria(criteria, 'error_after')}"
                if age is not None
                else f"freshness of {table} could not be checked: {item.get('error') or status}"
            )
        results.append(
            CheckResult(
                run_id=run_id,
                checked_at=now_utc(),
                check_name="source_freshness",
                layer="freshness",
                asset=table,
                severity=severity,
                status=status_for(status == "pass", severity),
                example=f"max(_loaded_at) = {item.get('max_loaded_at')}" if message else None,
                message=message,
            )
        )
    return results
