"""Say what a file that cannot be read as a CSV extract looks like, so a person can act on it.

The readers call these when a file fails (or before it would fail misleadingly): an HTML error
page saved under a ``.csv`` name, a file separated by semicolons or tabs, binary junk, a few rows
with the wrong number of fields or a stray byte that is not valid in the file's encoding. Each
finding names the row and line, shows the text, and never a temporary file's path.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# a row's text shown in a message or a reject is cut to this many characters
SHOWN_CHARS = 200
# how many malformed rows a scan keeps in detail (all are counted)
KEPT_ROWS = 200
_HTML_START = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|\?xml|!--)", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}
# bytes that never occur in a text export: C0 controls other than tab, line feed, carriage return
_CONTROL = frozenset(set(range(32)) - {9, 10, 13})


def html_title(head: bytes) -> str | None:
    """The page title if ``head`` starts like an HTML (or XML) page, "" without one; else None."""
    start = head.lstrip(b"\xef\xbb\xbf")
    if not _HTML_START.match(start):
        return None
    found = _TITLE.search(start)
    if not found:
        return ""
    return " ".join(found.group(1).decode("utf-8", errors="replace").split())[:SHOWN_CHARS]


def html_message(name: str, head: bytes) -> str | None:
    """A sentence for a file that is an HTML page (a failed download or login page), or None."""
    title = html_title(head)
    if title is None:
        return None
    titled = f" titled {title!r}" if title else ""
    return (
        f"{name} is an HTML web page{titled}, not a data export: the download or export "
        "probably failed and saved the error page instead"
    )


def control_share(head: bytes) -> float:
    """Share of bytes in ``head`` that a text export never holds (binary junk has many)."""
    if not head:
        return 0.0
    return sum(1 for byte in head if byte in _CONTROL) / len(head)


def other_delimiter(first_line: str, wanted_columns: int) -> tuple[str, int] | None:
    """(what separates the fields, how many) when the header is not comma-separated.

    Only said when commas give a single field and another separator gives at least two, or,
    for a contract of one column, never (a one-column file has no separator at all).
    """
    if wanted_columns < 2 or len(next(csv.reader([first_line]), [])) > 1:
        return None
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return (_DELIMITERS[best], counts[best] + 1) if counts[best] else None


@dataclass
class BadRow:
    """One data row that cannot be read as a record of the header's fields."""

    row: int  # 1-based data row (header excluded), as a person counts rows in Excel
    line: int  # 1-based line in the file where the row starts
    reason: str
    text: str  # the row as read (invalid bytes shown as \\xNN)
    fields: list[str | None] = field(default_factory=list)


@dataclass
class RowScan:
    """Every data row of a file checked against the header's width and the encoding."""

    encoding: str  # as reported (utf-8-sig, gb18030 ...)
    header: list[str]
    read_as: str = ""  # the codec the rows are read with (utf-8 for a converted file)
    rows: int = 0
    bad: int = 0
    examples: list[BadRow] = field(default_factory=list)

    def describe(self, name: str, allowed: int) -> str:
        """One sentence: how many rows are malformed, the first ones, and against what."""
        first = "; ".join(f"row {b.row} (line {b.line}): {b.reason}" for b in self.examples[:3])
        more = f" (and {self.bad - 3} more)" if self.bad > 3 else ""
        return (
            f"{name}: {self.bad} of {self.rows} data rows cannot be read as {len(self.header)} "
            f"fields of {self.encoding} text, more than the contract's tolerance allows "
            f"({allowed} rows): {first}{more}"
        )


def _escaped(text: str) -> str:
    """Show undecodable bytes (kept as surrogates) as \\xNN."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _row_reason(fields: list[str], header: list[str]) -> str | None:
    """Why a parsed row is not a record of ``header`` (wrong width, invalid bytes), or None."""
    width = len(header)
    if len(fields) > width:
        extra = ", ".join(repr(_escaped(f)[:40]) for f in fields[width:][:3])
        return (
            f"{len(fields)} fields where the header has {width}: a separator inside an "
            f"unquoted value? the field(s) beyond the last column {header[-1]!r}: {extra}"
        )
    if len(fields) < width:
        missing = ", ".join(repr(h) for h in header[len(fields) :][:3])
        return (
            f"{len(fields)} fields where the header has {width}: no value for {missing}"
            f"{' ...' if width - len(fields) > 3 else ''} (a line break inside an unquoted value?)"
        )
    for column, value in zip(header, fields, strict=True):
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            shown = _escaped(value)[:60]
            return f"column {column!r} holds bytes that are not valid text: {shown!r}"
    return None


def _records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(starting line, fields) of every CSV record, undecodable bytes kept as surrogates."""
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.reader(text)
        line = 1
        for fields in reader:
            yield line, fields
            line = reader.line_num + 1


def scan_rows(path: Path, encoding: str, keep: int = KEPT_ROWS) -> RowScan:
    """Read every record of ``path`` with Python's CSV reader and list the malformed ones.

    Slow next to DuckDB's reader, so only used once DuckDB refused the file or an encoding
    failed: it says which rows are wrong, and lets a file with a few of them land without them.
    """
    records = _records(path, "utf-8" if encoding == "utf-8-sig" else encoding)
    _, header = next(records, (1, []))
    if header:
        header[0] = header[0].lstrip("\ufeff")
    header = [h.strip() for h in header]
    scan = RowScan(encoding, header, read_as=encoding)
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue  # blank line: DuckDB skips it too
        scan.rows += 1
        reason = _row_reason(fields, header)
        if reason is None:
            continue
        scan.bad += 1
        if len(scan.examples) < keep:
            text = _escaped(",".join(fields))[:SHOWN_CHARS]
            scan.examples.append(BadRow(scan.rows, line, reason, text))
    return scan


def all_rows(
    path: Path, encoding: str
) -> Iterator[tuple[int, list[str | None], str | None, str | None]]:
    """(data row, fields fitted to the header, malformed reason, row text) in file order.

    A malformed row's fields are padded or cut to the header's width so it can be shown as a
    record in ``raw_meta.rejects``; its reason says why it does not land.
    """
    records = _records(path, "utf-8" if encoding == "utf-8-sig" else encoding)
    _, header = next(records, (1, []))
    header = [h.lstrip("\ufeff").strip() for h in header]
    row = 0
    for _, fields in records:
        if not any(f.strip() for f in fields):
            continue
        row += 1
        reason = _row_reason(fields, header)
        values: list[str | None] = [_escaped(f) for f in fields[: len(header)]]
        values += [None] * (len(header) - len(values))
        text = None if reason is None else _escaped(",".join(fields))[:SHOWN_CHARS]
        yield row, values, reason, text
