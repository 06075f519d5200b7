"""Validate the newest batch of each raw table with its Great Expectations suite.

GX 1.x cannot read DuckDB through its SQL datasource, so the batch is read into pandas and
validated with the pandas datasource in an ephemeral context (progress bars and analytics off).
Only the newest batch is validated (raw is append-only: older batches were checked when they
landed) and only the columns the suite reads are fetched (converting wide text columns to pandas
dominates). Every row of the batch is validated up to ``TANDEM_GX_MAX_ROWS`` (default 250,000;
0 means no limit); a larger batch is validated on a repeatable random sample, and then every
result says so (``coverage``: "sampled 250,000 of 3,200,000 rows"), in the check's metadata, the
quality tables and the Data quality page. Landing already enforces keys, types and not-null on
every row, and the row count always uses the whole batch. A failure names the rule (with the
contract it comes from), the column and up to ``MAX_EXAMPLES`` offending rows by their primary
key, so a user can find them in the extract. Results go to ``raw_meta.quality_results`` (the
examples in ``observed_value``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import duckdb

from data_tests.raw_suites import (
    BLOCKING_NOT_NULL,
    ExpectationSpec,
    raw_suite_specs,
    suite_name,
)
from ingestion.contracts import Contract

QUALITY_TABLE = "raw_meta.quality_results"
MAX_VALIDATED_ROWS = 250_000  # the default of TANDEM_GX_MAX_ROWS
MAX_EXAMPLES = 3
DROP_FILE_PATTERN = r"(^|/)\d{4}-\d{2}-\d{2}/"  # a file from a daily-drop folder
_QUALITY_DDL = f"""
    create table if not exists {QUALITY_TABLE} (
        checked_at timestamp not null, run_id varchar not null, suite varchar not null,
        raw_table varchar not null, batch_id varchar, expectation varchar not null,
        column_name varchar, kwargs varchar, success boolean not null, blocking boolean not null,
        unexpected_count bigint, unexpected_percent double, observed_value varchar,
        rows_in_batch bigint not null, rows_validated bigint not null
    )
"""


@dataclass
class ExpectationOutcome:
    spec: ExpectationSpec
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: str | None = None


@dataclass
class SuiteResult:
    """One suite run over the newest batch of one raw table."""

    suite: str
    raw_table: str
    batch_id: str | None
    rows_in_batch: int
    rows_validated: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return self.rows_validated < self.rows_in_batch

    @property
    def coverage(self) -> str:
        """Which rows were validated, said plainly: all of them or a sample of how many."""
        if self.sampled:
            return f"sampled {self.rows_validated:,} of {self.rows_in_batch:,} rows"
        return f"all {self.rows_in_batch:,} rows"

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def blocking_failed(self) -> bool:
        return any(o.spec.blocking and not o.success for o in self.outcomes)

    @property
    def failures(self) -> list[str]:
        """One sentence per failed rule: the rule, the column, how many rows, examples."""
        return [
            f"{o.spec.rule} on column {o.spec.column or '(table)'}: "
            f"{o.unexpected_count or 0} unexpected"
            + (f", {o.observed_value}" if o.observed_value else "")
            for o in self.outcomes
            if not o.success
        ]


@cache
def _gx_batch_definition() -> Any:
    """One ephemeral GX context per process, with a pandas dataframe asset to validate against."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("tandem_raw")
    asset = source.add_dataframe_asset("raw_batch")
    return asset.add_batch_definition_whole_dataframe("newest_batch")


def _gx_expectation(spec: ExpectationSpec, index: int) -> Any:
    import great_expectations as gx

    class_name = "".join(part.capitalize() for part in spec.type.split("_"))
    kwargs = {k: v for k, v in spec.kwargs.items() if v is not None}
    return getattr(gx.expectations, class_name)(**kwargs, meta={"tandem_index": index})


def _spec_columns(spec: ExpectationSpec) -> list[str]:
    if "column_list" in spec.kwargs:
        return list(spec.kwargs["column_list"])
    return [spec.kwargs["column"]] if "column" in spec.kwargs else []


def example_rows(
    frame: Any, spec: ExpectationSpec, detail: dict[str, Any], key: tuple[str, ...]
) -> str | None:
    """``e.g. customer_code=KH-7 ('KH-7'); ...``: offending rows by primary key and value.

    GX returns a sample of the unexpected values; the rows carrying them are looked up in the
    validated frame so the message names rows, not only values.
    """
    column = spec.kwargs.get("column")
    values = detail.get("partial_unexpected_list") or []
    if column is None or column not in frame.columns:
        shown = [str(v) for v in values[:MAX_EXAMPLES]]
        return f"e.g. {'; '.join(shown)}" if shown else None
    if spec.type == BLOCKING_NOT_NULL:
        hits = frame[frame[column].isna()]
    else:
        hits = frame[frame[column].isin(values)] if values else frame.iloc[0:0]
    key_columns = [k for k in key if k in frame.columns]
    shown = []
    for _, row in hits.head(MAX_EXAMPLES).iterrows():
        where = ", ".join(f"{k}={row[k]}" for k in key_columns) or f"row {row.name}"
        shown.append(f"{where} ({column} {row[column]!r})")
    if not shown:
        shown = [repr(v) for v in values[:MAX_EXAMPLES]]
    return f"e.g. {'; '.join(shown)}" if shown else None


def _table_exists(con: duckdb.DuckDBPyConnection, contract: Contract) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [contract.raw_schema, contract.entity],
    ).fetchall()
    return bool(found and found[0][0])


def validate_raw_table(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    max_rows: int = MAX_VALIDATED_ROWS,
    today: dt.date | None = None,
    batch_id: str | None = None,
) -> SuiteResult:
    """Run the contract's suite over the newest batch of its raw table (or ``batch_id``).

    ``max_rows`` caps the rows validated (0: every row); above it a repeatable sample is taken
    and the result's ``coverage`` says so.
    """
    name = suite_name(contract)
    if not _table_exists(con, contract):
        return SuiteResult(name, contract.raw_table, None, 0, 0)
    # batches newest first, each with its kind: a daily drop is only compared with drops, a full
    # extract with full extracts (a drop holds a day, a full extract years)
    batches = con.execute(
        f"select _batch_id, count(*), bool_or(regexp_matches(_file, '{DROP_FILE_PATTERN}')) "
        f"from {contract.raw_table} group by _batch_id "
        "order by max(_loaded_at) desc, _batch_id desc"
    ).fetchall()
    if not batches:
        return SuiteResult(name, contract.raw_table, None, 0, 0)
    if batch_id is not None:
        batches = batches[[b[0] for b in batches].index(batch_id) :]
    batch_id, rows, is_drop = batches[0]
    previous = next((n for _, n, drop in batches[1:] if drop == is_drop), None)
    specs = raw_suite_specs(contract, previous_batch_rows=previous, today=today)
    # the row-count expectation must see the whole batch, not the sample
    specs = [s for s in specs if s.type != "expect_table_row_count_to_be_between"]
    # only the columns the suite reads: converting wide text columns to pandas dominates
    # plus the primary key, which names the rows of a failure
    needed = sorted({c for s in specs for c in _spec_columns(s)} | set(contract.primary_key))
    columns = ", ".join(f'"{c}"' for c in needed) or "1 as _none"
    query = f"select {columns} from {contract.raw_table} where _batch_id = '{batch_id}'"
    if max_rows and rows > max_rows:
        query = f"select * from ({query}) using sample reservoir({max_rows} rows) repeatable (7)"
    frame = con.sql(query).df()
    result = SuiteResult(name, contract.raw_table, batch_id, rows, len(frame))
    if specs:
        import great_expectations as gx

        suite = gx.ExpectationSuite(
            name=name, expectations=[_gx_expectation(s, i) for i, s in enumerate(specs)]
        )
        batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite)
        # GX reorders results (it groups them by metric): match them back through meta
        by_index = {int(o.expectation_config.meta["tandem_index"]): o for o in validation.results}
        for index, spec in enumerate(specs):
            outcome = by_index[index]
            detail = outcome.result or {}
            success = bool(outcome.success)
            examples = None if success else example_rows(frame, spec, detail, contract.primary_key)
            result.outcomes.append(
                ExpectationOutcome(
                    spec,
                    success,
                    detail.get("unexpected_count"),
                    detail.get("unexpected_percent"),
                    examples,
                )
            )
    if previous:
        minimum = raw_suite_specs(contract, previous_batch_rows=previous, today=today)
        for spec in minimum:
            if spec.type == "expect_table_row_count_to_be_between":
                ok = rows >= spec.kwargs["min_value"]
                result.outcomes.append(
                    ExpectationOutcome(
                        spec, ok, observed_value=f"{rows} rows (previous batch {previous})"
                    )
                )
    return result


def store_results(con: duckdb.DuckDBPyConnection, results: list[SuiteResult]) -> str:
    """Append the outcomes to ``raw_meta.quality_results``; returns the run id."""
    con.execute("create schema if not exists raw_meta")
    con.execute(_QUALITY_DDL)
    run_id = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        [
            now,
            run_id,
            r.suite,
            r.raw_table,
            r.batch_id,
            o.spec.type,
            o.spec.column,
            json.dumps(o.spec.kwargs, default=str, ensure_ascii=False),
            o.success,
            o.spec.blocking,
            o.unexpected_count,
            o.unexpected_percent,
            o.observed_value,
            r.rows_in_batch,
            r.rows_validated,
        ]
        for r in results
        for o in r.outcomes
    ]
    if rows:
        con.executemany(
            f"insert into {QUALITY_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return run_id
