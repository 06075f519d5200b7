"""Great Expectations suites for the raw tables, one per contract (``raw_<source>__<entity>``).

The suite is derived from the contract, so a user's own contract gets checks for free:

- keys: the primary key is unique within each landed file (raw is append-only: a document re-sent
  in a later file is a new version, not a duplicate) and never null;
- not-null for non-nullable columns; enum codes in their set; value ranges (``min``/``max``);
- no future dates in date/timestamp columns (unless the column is ``future_ok``);
- values match the column's ``pattern`` (document numbers, ERP customer codes);
- the batch's row count against the previous batch of the same table.

``EXTRA_EXPECTATIONS`` adds what a contract cannot say (the credit code's length).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ingestion.contracts import Contract

# checks that guard what the landing itself promises: a failure blocks the downstream build
BLOCKING_TYPES = frozenset(
    {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"}
)
BLOCKING_NOT_NULL = "expect_column_values_to_not_be_null"
# a batch with fewer rows than this share of the previous batch is suspicious (a cut export)
DEFAULT_ROW_COUNT_MIN_RATIO = 0.05

# what a contract cannot say yet; value shapes (document numbers, ERP customer codes) are the
# contract's ``pattern`` of a column, so a user's own contract sets its own
EXTRA_EXPECTATIONS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "erp.customers": [
        ("expect_column_value_lengths_to_equal", {"column": "credit_code", "value": 18}),
    ],
}


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a raw suite, before it becomes a GX object."""

    type: str
    kwargs: dict[str, Any]
    blocking: bool = False
    origin: str = ""  # where the rule comes from (the contract file), for failure messages

    @property
    def rule(self) -> str:
        """The rule in words: its type and its parameters besides the column."""
        shown = ", ".join(
            f"{key} {value}"
            for key, value in self.kwargs.items()
            if key not in ("column", "column_list") and value is not None
        )
        where = f" ({self.origin})" if self.origin else ""
        return f"{self.type}" + (f" [{shown}]" if shown else "") + where

    @property
    def column(self) -> str | None:
        value = self.kwargs.get("column") or self.kwargs.get("column_list")
        return ", ".join(value) if isinstance(value, list) else value


def suite_name(contract: Contract) -> str:
    return f"raw_{contract.source}__{contract.entity}"


def raw_suite_specs(
    contract: Contract,
    previous_batch_rows: int | None = None,
    today: dt.date | None = None,
) -> list[ExpectationSpec]:
    """The expectations of one raw table's suite, derived from its contract."""
    today = today or dt.date.today()
    specs: list[ExpectationSpec] = []
    if contract.primary_key:
        specs.append(
            ExpectationSpec(
                "expect_compound_columns_to_be_unique",
                {"column_list": ["_file_hash", *contract.primary_key]},
                blocking=True,
            )
        )
    for column in contract.columns:
        if not column.nullable:
            specs.append(ExpectationSpec(BLOCKING_NOT_NULL, {"column": column.name}, blocking=True))
        if column.enum:
            values: list[Any] = list(column.enum)
            if column.type in ("integer", "bigint"):
                values = [int(v) for v in values]
            specs.append(
                ExpectationSpec(
                    "expect_column_values_to_be_in_set",
                    {"column": column.name, "value_set": values},
                )
            )
        if column.min is not None or column.max is not None:
            specs.append(
                ExpectationSpec(
                    "expect_column_values_to_be_between",
                    {"column": column.name, "min_value": column.min, "max_value": column.max},
                )
            )
        if column.pattern:
            specs.append(
                ExpectationSpec(
                    "expect_column_values_to_match_regex",
                    {"column": column.name, "regex": column.pattern},
                    origin=f"pattern in {contract.path.name}",
                )
            )
        if column.type in ("date", "timestamp", "period") and not column.future_ok:
            name = f"{column.name}_end" if column.type == "period" else column.name
            # a day of slack: extracts are stamped in China time, checks may run in UTC
            latest = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.max)
            specs.append(
                ExpectationSpec(
                    "expect_column_values_to_be_between",
                    {"column": name, "max_value": latest},
                )
            )
    ratio = contract.row_count_min_ratio or DEFAULT_ROW_COUNT_MIN_RATIO
    if previous_batch_rows:
        specs.append(
            ExpectationSpec(
                "expect_table_row_count_to_be_between",
                {"min_value": max(1, math.floor(previous_batch_rows * ratio))},
            )
        )
    # a user's own contract may lack a column the extras read: check only what it has
    names = {column.name for column in contract.columns}
    specs.extend(
        ExpectationSpec(kind, kwargs)
        for kind, kwargs in EXTRA_EXPECTATIONS.get(contract.name, [])
        if kwargs.get("column", "") in names
    )
    return specs
