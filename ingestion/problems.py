"""What can be wrong with an extract file, said so that a user can act on it.

Every finding is a :class:`FileProblem`: an ``error`` quarantines the whole file, a ``warning``
lands it and is recorded in the ledger and ``raw_meta.file_problems``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"

# kind -> what the user should do about it (the report's "what to do" column)
ACTIONS: dict[str, str] = {
    "empty_file": "Re-export the file: it has no data rows.",
    "binary_file": "This is not a text extract; export the table as CSV (or use the right suffix).",
    "wrong_encoding": (
        "Re-export in one of the contract's encodings, or add the file's encoding to "
        "`encodings` in the contract."
    ),
    "truncated_file": "The export was cut off; re-export the whole file and drop it again.",
    "malformed_file": "Fix the file so every row has as many fields as the header, then re-drop.",
    "malformed_row": (
        "Fix the row at the source (quote values holding commas or line breaks) and re-export; "
        "within the contract's tolerance such rows go to raw_meta.rejects and the file lands."
    ),
    "html_page": (
        "Download or export the file again (log in first if the system asks): this is the web "
        "page of a failed download, not data."
    ),
    "wrong_delimiter": (
        "Export with commas as the separator (in Excel: Save As > CSV UTF-8 (Comma delimited))."
    ),
    "unreadable_workbook": "Open and re-save the workbook in Excel (xlsx), then drop it again.",
    "missing_sheet": "Rename the sheet or set `sheet` in the contract to the sheet's name.",
    "missing_required_column": (
        "Restore the column in the export, or, if the system renamed it, add the new header to "
        "the column's `aliases` in the contract."
    ),
    "duplicate_header": "Give every column a distinct header in the export.",
    "duplicate_keys": "Export each record once per file (check the export's joins or filters).",
    "too_many_rejected_rows": (
        "Fix the values listed below at the source and re-export, or raise "
        "`tolerance.max_rejected_fraction` in the contract if such rows are expected."
    ),
    "bad_value": "Fix the value at the source and re-export the file.",
    "rejected_row": "Fix the value at the source; the row is kept in raw_meta.rejects.",
    "extra_column": "Kept as a text column; add it to the contract to type and document it.",
    "missing_optional_column": "Filled with nulls; restore it in the export if it matters.",
    "renamed_header": "Landed under the canonical name; update `source` in the contract when sure.",
    "unknown_enum_code": (
        "Add the code and its meaning to `enum` in the contract, or fix the source."
    ),
    "sheet_fallback": "Set `sheet` in the contract to the workbook's sheet name.",
    "unreadable_file": (
        "The file could not be read for a reason the checks did not foresee (see the message); "
        "re-export it, and report the message if the export looks right."
    ),
    "unmatched_file": (
        "Rename the file to a contract's file_pattern, add a contract for it "
        "(README: Use your own extracts), or move it out of landing/."
    ),
    "load_failed": "An unexpected error; nothing of this file was kept. Fix and drop it again.",
}


@dataclass(frozen=True)
class FileProblem:
    """One finding about one file, optionally pinned to a row, column and value."""

    kind: str
    message: str
    severity: str = ERROR
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    @property
    def action(self) -> str:
        return ACTIONS.get(self.kind, "")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "action": self.action}

    def __str__(self) -> str:
        where = f" (row {self.row})" if self.row is not None else ""
        return f"{self.severity} {self.kind}{where}: {self.message}"


class QuarantineError(Exception):
    """The file breaks its contract: it is quarantined whole with these problems."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:3]))


def quarantine_error(kind: str, message: str, **where: object) -> QuarantineError:
    """A QuarantineError with a single problem (``where``: row, column, value, expected)."""
    return QuarantineError([FileProblem(kind, message, **where)])  # type: ignore[arg-type]
