"""The quality gate: which checks of a run failed at error level, and what to tell a person.

Every check decides its own severity in configuration, never here: dbt tests through
``config: severity`` / ``warn_if`` / ``error_if`` in the dbt YAML (reconciliations in
dbt_project/tests/_reconciliations.yml, their tolerance in dbt_project.yml ``vars``), sources
through ``freshness: warn_after / error_after`` in the sources YAML, raw suites through the
contracts (data_tests/raw_suites.py), mart suites through data_tests/mart_suites.yml.

Error-level failures stop a run before it publishes: dbt and the raw suites stop their own
steps; freshness and the mart suites are evaluated by the ``quality_gate`` asset just before
``serving_warehouse``. Either way :func:`after_run` records the run's results in
``quality.check_results`` and says which check failed, on which rows, and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from data_tests.check_results import CheckResult, Severity, now_utc, status_for
from orchestration.dbt_manifest import (
    MANIFEST,
)
from orchestration.settings import TandemSettings

EXAMPLES = 3

# what a person can do about a failure, per layer
ADVICE = {
    "raw": "fix the extract at its source and land a corrected file; its rules come from the "
    "contract in ingestion/contracts/",
    "freshness": "land a new extract of this table (drop it into landing/ and run `tandem run`), "
    "or change warn_after/error_after in its dbt sources YAML",
    "reconciliation": "find the months or customers named above in the ERP and land the missing "
    "or corrected documents; the tolerance is the var in dbt_project/dbt_project.yml",
    "marts": "trace the rows named above back to their extract; expectations and severity are in "
    "data_tests/mart_suites.yml",
}
DBT_ADVICE = (
    "see the failing rows with the SQL in dbt_target/compiled/ and fix the data or the model; "
    "if the finding is expected, lower `config: severity` in the model's YAML"
)


def advice(layer: str) -> str:
    return ADVICE.get(layer, DBT_ADVICE)


# ---- dbt: manifest facts and failing rows --------------------------------------------------


def _manifest_nodes(manifest: Path = MANIFEST) -> dict[str, dict[str, Any]]:
    if not manifest.exists():
        return {}
    return json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})


def dbt_test_layer(node: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> str:
    """reconciliation (tagged so), else the layer of the model the test is attached to."""
    if "reconciliation" in node.get("tags", []):
        return "reconciliation"
    parents = node.get("depends_on", {}).get("nodes", [])
    parent = node.get("attached_node") or (parents[0] if parents else "")
    fqn = nodes.get(parent, {}).get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "warehouse"


def compiled_tests(target: Path) -> dict[str, str]:
    """unique_id -> compiled SQL of every test in dbt's newest run results."""
    path = target / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return {r["unique_id"]: r["compiled_code"] for r in results if r.get("compiled_code")}


def example_rows(con: duckdb.DuckDBPyConnection, sql: str, limit: int = EXAMPLES) -> str | None:
    """The first failing rows of a test's SQL, as ``col=value`` text (None if it cannot run)."""
    try:
        rel = con.sql(f"select * from ({sql}) as failing limit {limit}")
        rows = rel.fetchall()
        columns = rel.columns
    except duckdb.Error:
        return None
    return "; ".join(
        ", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True)) for row in rows
    )


# ---- the run's asset checks (dbt tests, raw suites) -----------------------------------------


def _value(metadata: dict[str, Any], key: str) -> Any:
    item = metadata.get(key)
    return getattr(item, "value", item)


def run_check_results(
    instance: dg.DagsterInstance,
    run_id: str,
    con: duckdb.DuckDBPyConnection | None,
    target: Path,
) -> list[CheckResult]:
    """Every asset check evaluated in the run, as quality results (with failing rows' examples)."""
    nodes = _manifest_nodes()
    compiled = compiled_tests(target)
    results = []
    seen: set[str] = set()
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        metadata = dict(evaluation.metadata)
        severity: Severity = (
            "warn" if evaluation.severity == dg.AssetCheckSeverity.WARN else "error"
        )
        asset = evaluation.asset_key.to_user_string()
        unique_id = _value(metadata, "unique_id")
        if unique_id:  # a dbt test
            node = nodes.get(unique_id, {})
            layer = dbt_test_layer(node, nodes)
            failing = _value(metadata, "dagster_dbt/failed_row_count")
            example = None
            if not evaluation.passed and con is not None and unique_id in compiled:
                example = example_rows(con, compiled[unique_id])
            message = None if evaluation.passed else f"dbt test {node.get('name', unique_id)}"
            rows_checked = None
        else:  # a raw Great Expectations suite
            layer = "raw"
            failing = None
            example = None if evaluation.passed else _value(metadata, "failures")
            rows_checked = _value(metadata, "rows_validated")
            coverage = _value(metadata, "validated")
            message = None if evaluation.passed else f"suite {_value(metadata, 'suite')}"
            if coverage and message:
                message += f" ({coverage})"
        results.append(
            CheckResult(
                run_id=run_id,
                checked_at=now_utc(),
                check_name=evaluation.check_name,
                layer=layer,
                asset=asset,
                severity=severity,
                status=status_for(evaluation.passed, severity),
                failing_rows=failing,
                rows_checked=rows_checked,
                example=example,
                message=message,
            )
        )
        if unique_id:
            seen.add(unique_id)
    return results + unmapped_dbt_tests(run_id, con, target, seen)


def unmapped_dbt_tests(
    run_id: str,
    con: duckdb.DuckDBPyConnection | None,
    target: Path,
    seen: set[str],
) -> list[CheckResult]:
    """Tests of dbt's newest run results that Dagster reports as no asset check: singular tests
    over several models (the reconciliations) are not attached to one asset."""
    path = target / "run_results.json"
    if not path.exists():
        return []
    nodes = _manifest_nodes()
    results = []
    for item in json.loads(path.read_text(encoding="utf-8")).get("results", []):
        unique_id = item.get("unique_id", "")
        if not unique_id.startswith("test.") or unique_id in seen:
            continue
        node = nodes.get(unique_id, {})
        status = item.get("status")
        severity: Severity = "warn" if status == "warn" else "error"
        passed = status == "pass"
        example = None
        if not passed and con is not None and item.get("compiled_code"):
            example = example_rows(con, item["compiled_code"])
        parents = node.get("depends_on", {}).get("nodes", [])
        results.append(
            CheckResult(
                run_id=run_id,
                checked_at=now_utc(),
                check_name=node.get("name", unique_id.split(".")[2]),
                layer=dbt_test_layer(node, nodes),
                asset=", ".join(p.split(".")[-1] for p in parents) or None,
                severity=severity,
                status=status_for(passed, severity),
                failing_rows=item.get("failures"),
                example=example,
                message=None if passed else (item.get("message") or "")[:300] or None,
            )
        )
    return results


def step_failures(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step, first line of its error) for every failed step of the run."""
    failures = []
    for record in instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.STEP_FAILURE
    ).records:
        event = record.event_log_entry.dagster_event
        error = event.event_specific_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        lines = [line for line in (error.message if error else "").splitlines() if line.strip()]
        failures.append((event.step_key or "?", lines[0] if lines else "step failed"))
    return failures


# ---- what to say -----------------------------------------------------------------------------


def describe(result: CheckResult) -> str:
    """One sentence for one failed check: which, where, on which rows, what to do."""
    rows = f" on {result.failing_rows:,} rows" if result.failing_rows else ""
    text = f"{result.layer} check {result.check_name} on {result.asset}{rows}"
    if result.message:
        text += f" ({result.message})"
    if result.example:
        text += f"; e.g. {result.example[:300]}"
    return f"{text}; to do: {advice(result.layer)}"


def blocked_message(results: Iterable[CheckResult]) -> str | None:
    """One line naming every blocking failure, or None when nothing blocks."""
    blocking = [r for r in results if r.blocks]
    if not blocking:
        return None
    shown = " | ".join(describe(r) for r in blocking[:5])
    more = f" | and {len(blocking) - 5} more (quality.check_results)" if len(blocking) > 5 else ""
    return (
        f"publishing blocked by {len(blocking)} error-level check(s), the serving file keeps the "
        f"last good build: {shown}{more}"
    )


# ---- after a run: record, say, alert ---------------------------------------------------------


INTERRUPTED_MESSAGE = (
    "run stopped on request (SIGTERM or Ctrl+C) before it published: readers keep the last "
    "published build; run `tandem run` again to finish"
)


def after_run(
    instance: dg.DagsterInstance,
    run_id: str,
    settings: TandemSettings,
    success: bool,
    interrupted: bool = False,
) -> dict[str, Any]:
    """Record a run's check results (unless its gate already did), and alert when it failed.

    A run someone stopped (``interrupted``) is recorded and said, but alerts no one: the person
    or the service manager that stopped it already knows, and the next run finishes the work.
    Returns the quality part of the run summary: ``blocked``, ``message`` (one line),
    ``failed_checks`` and ``warnings`` (lists of dicts), ``alerts`` (channels used) and, for a
    stopped run, ``interrupted``.
    """
    from data_tests.check_results import has_run, load, store
    from orchestration.alerts import send_alerts

    results: list[CheckResult] = []
    if settings.build_db.exists():
        with duckdb.connect(str(settings.build_db), config=settings.duckdb_config()) as con:
            if not has_run(con, run_id):
                # the run stopped before its gate (a dbt test or a raw suite): record what ran
                store(con, run_check_results(instance, run_id, con, settings.root / "dbt_target"))
            results = load(con, run_id)
    message = blocked_message(results)
    summary: dict[str, Any] = {
        "blocked": message is not None,
        "message": message,
        "failed_checks": [_as_dict(r) for r in results if r.blocks],
        "warnings": [_as_dict(r) for r in results if r.status == "warn"],
        "alerts": [],
    }
    if success:
        return summary
    if interrupted:
        summary["interrupted"] = True
        summary["message"] = message or INTERRUPTED_MESSAGE
        return summary
    if message is None:
        failures = step_failures(instance, run_id)
        message = "run failed: " + (
            " | ".join(f"step {step}: {error}" for step, error in failures) or "see the run log"
        )
        summary["message"] = message
    first = summary["failed_checks"][0] if summary["failed_checks"] else None
    what = f"{first['check_name']} on {first['asset']}" if first else "a step failed"
    subject = f"Tandem run {run_id[:8]} {'blocked' if summary['blocked'] else 'failed'}: {what}"
    body = f"{message}\n\nrun id: {run_id}\nhome: {settings.root}\n"
    summary["alerts"] = send_alerts(
        settings, subject, body, {"run_id": run_id, "failed_checks": summary["failed_checks"]}
    )
    return summary


def _as_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "check_name": result.check_name,
        "layer": result.layer,
        "asset": result.asset,
        "severity": result.severity,
        "status": result.status,
        "failing_rows": result.failing_rows,
        "example": result.example,
        "message": result.message,
        "advice": advice(result.layer),
    }
