"""Matching a file's headers to its contract: aliases, extra and missing columns."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ingestion.contracts import Contract, normalise_header
from ingestion.parsing import (
    raw_table_ddl,
)
from ingestion.problems import WARNING, FileProblem, QuarantineError


@dataclass
class HeaderPlan:
    """Which file header feeds which contract column, and what else the file holds."""

    headers: dict[str, str | None]  # contract column name -> header in the file (None: missing)
    extras: dict[str, str]  # raw column name -> header in the file (kept as text)
    warnings: list[FileProblem]
    malformed: bool = False  # the rows carry MALFORMED columns (read row by row)


def closest_header(wanted: str, headers: list[str]) -> str | None:
    """The header a person most likely meant (compared after NFKC normalisation)."""
    by_norm = {normalise_header(h): h for h in headers}
    match = difflib.get_close_matches(normalise_header(wanted), list(by_norm), n=1, cutoff=0.3)
    return by_norm[match[0]] if match else None


def plan_headers(contract: Contract, file_headers: list[str], name: str) -> HeaderPlan:
    """Map a file's headers to the contract; raise QuarantineError for missing required ones."""
    by_norm = {normalise_header(h): h for h in file_headers}
    # headers some contract column claims: never offered as "the closest header" of another
    claimed = {
        by_norm[n] for column in contract.columns for n in map(normalise_header, column.headers)
        if n in by_norm
    }  # fmt: skip
    used: set[str] = set()
    headers: dict[str, str | None] = {}
    warnings: list[FileProblem] = []
    errors: list[FileProblem] = []
    for column in contract.columns:
        found = next(
            (by_norm[n] for n in map(normalise_header, column.headers) if n in by_norm), None
        )
        headers[column.name] = found
        if found is not None:
            used.add(found)
            if normalise_header(found) != normalise_header(column.source):
                warnings.append(
                    FileProblem(
                        "renamed_header",
                        f"{name}: header {found!r} read as {column.source!r} -> {column.name} "
                        "(an alias in the contract)",
                        WARNING,
                        column=found,
                        expected=column.source,
                    )
                )
            continue
        unused = [h for h in file_headers if h not in used and h not in claimed]
        nearest = closest_header(column.source, unused)
        hint = f"; the closest header in the file is {nearest!r}" if nearest else ""
        shown = repr(nearest) if nearest else "the new header"
        if column.required:
            errors.append(
                FileProblem(
                    "missing_required_column",
                    f"{name} lacks the required column {column.source!r} ({column.name}){hint}. "
                    f"If the system renamed it, add {shown} to its aliases in {contract.path.name}",
                    column=column.source,
                    value=nearest,
                    expected=column.source,
                )
            )
        elif column.warn_missing:
            warnings.append(
                FileProblem(
                    "missing_optional_column",
                    f"{name} lacks the optional column {column.source!r}; {column.name} is "
                    f"filled with nulls{hint}",
                    WARNING,
                    column=column.source,
                    expected=column.source,
                )
            )
    if errors:
        raise QuarantineError(errors)
    taken = {name for name, _ in raw_table_ddl(contract)}
    extras: dict[str, str] = {}
    for header in file_headers:
        if header in used:
            continue
        column_name = header if header not in taken else f"extra_{header}"
        extras[column_name] = header
        warnings.append(
            FileProblem(
                "extra_column",
                f"{name} has a column {header!r} the contract does not know; kept as text "
                f"column {column_name!r}",
                WARNING,
                column=header,
            )
        )
    return HeaderPlan(headers, extras, warnings)
