"""Great Expectations suites on the marts (data_tests/mart_suites.yml), on every row.

Like the raw suites, a mart is read into pandas (only the columns its suite reads, decimals as
doubles) and validated with the pandas datasource in an ephemeral context. Marts are aggregates
or one row per document line, so every row is validated: no sample.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import yaml

from data_tests.check_results import CheckResult, Severity, status_for
from data_tests.raw_quality import _gx_batch_definition, _gx_expectation
from data_tests.raw_suites import ExpectationSpec

MART_SUITES = Path(__file__).with_name("mart_suites.yml")
EXAMPLES = 3  # unexpected values quoted per failed expectation


def load_mart_suites(path: Path = MART_SUITES) -> dict[str, list[tuple[ExpectationSpec, Severity]]]:
    """Table -> its expectations with their severity, from the YAML file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    suites = {}
    for table, items in raw.items():
        specs = []
        for item in items:
            severity = item.get("severity", "error")
            if severity not in ("error", "warn"):
                raise ValueError(f"{path.name}: {table}: severity must be error or warn")
            specs.append((ExpectationSpec(item["expectation"], dict(item["kwargs"])), severity))
        suites[table] = specs
    return suites


def _columns(spec: ExpectationSpec) -> list[str]:
    column = spec.kwargs.get("column")
    return [column] if column else list(spec.kwargs.get("column_list", []))


def _read(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> Any:
    quoted = ", ".join(f'"{c}"' for c in columns)
    rel = con.sql(f"select {quoted} from {table}")
    # pandas gets decimals as Python objects, which GX's range checks cannot compare
    casts = [
        f'cast("{c}" as double) as "{c}"' if str(t).startswith("DECIMAL") else f'"{c}"'
        for c, t in zip(rel.columns, rel.types, strict=True)
    ]
    return con.sql(f"select {', '.join(casts)} from {table}").df()


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".", 1)
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(found[0][0])


def validate_marts(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    suites: dict[str, list[tuple[ExpectationSpec, Severity]]] | None = None,
    checked_at: dt.datetime | None = None,
) -> list[CheckResult]:
    """Validate every mart of ``suites`` on all its rows; one result per expectation."""
    import great_expectations as gx

    suites = load_mart_suites() if suites is None else suites
    checked_at = checked_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    results: list[CheckResult] = []
    for table, specs in suites.items():
        if not _exists(con, table):
            continue  # not built (too little data); dbt says why
        frame = _read(con, table, sorted({c for spec, _ in specs for c in _columns(spec)}))
        suite = gx.ExpectationSuite(
            name=f"mart_{table}",
            expectations=[_gx_expectation(spec, i) for i, (spec, _) in enumerate(specs)],
        )
        batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite)
        by_index = {int(o.expectation_config.meta["tandem_index"]): o for o in validation.results}
        for index, (spec, severity) in enumerate(specs):
            outcome = by_index[index]
            detail = outcome.result or {}
            unexpected = detail.get("partial_unexpected_list") or []
            failing = detail.get("unexpected_count")
            results.append(
                CheckResult(
                    run_id=run_id,
                    checked_at=checked_at,
                    check_name=f"gx:{spec.type}({spec.column or ''})",
                    layer="marts",
                    asset=table,
                    severity=severity,
                    status=status_for(bool(outcome.success), severity),
                    failing_rows=failing,
                    rows_checked=len(frame),
                    example=", ".join(str(v) for v in unexpected[:EXAMPLES]) or None,
                    message=(
                        None
                        if outcome.success
                        else f"{failing or 0} of all {len(frame):,} rows of {table} break "
                        f"{spec.type}({spec.column}); expectations and severity in "
                        "data_tests/mart_suites.yml"
                    ),
                )
            )
    return results
