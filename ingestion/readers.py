"""Read one extract file (CSV, XLSX, Parquet) into a table of strings, or say why it cannot be.

Every reader returns all values as text: typing is the contract's job (``ingestion.parsing``), so a
value that does not parse becomes a rejected row with its original text, never a silent null.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import Contract
from ingestion.diagnose import (
    RowScan,
    all_rows,
    other_delimiter,
    scan_rows,
)
from ingestion.encodings import (
    Transcoded,
    decode_error,
    decodes,
    first_bad_utf8,
    fitting_encoding,
    sniff_binary,
    transcode,
    tried_encodings,
)
from ingestion.parsing import MALFORMED, MALFORMED_TEXT
from ingestion.problems import FileProblem, QuarantineError, quarantine_error
from ingestion.spreadsheets import check_header, read_parquet, read_xlsx

# Builds the staged table from a file's rows: (FROM clause, row-number SQL, headers, malformed)
# -> rows. The row-number SQL is None when the rows come in file order (a CSV read by DuckDB);
# ``malformed`` is True when the FROM clause also has the columns MALFORMED and MALFORMED_TEXT
# (a file read row by row because a few of its rows are malformed: those become rejects).
StageFn = Callable[[str, str | None, list[str], bool], int]


@dataclass
class ExtractTable:
    """How a file was read: its headers, encoding and number of data rows."""

    headers: list[str]
    encoding: str
    rows: int
    header_row: int = 1  # 1-based line/row of the header in the file (xlsx may start lower)


def read_extract(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    stage: StageFn,
    display: str | None = None,
    transcoded: Transcoded | None = None,
) -> ExtractTable:
    """Read ``path`` and hand its rows to ``stage`` as a FROM clause of text columns.

    The FROM clause is DuckDB's CSV reader for CSV (so typing happens in the same pass as
    parsing) or a registered Arrow table for XLSX/Parquet. The row number SQL gives the 1-based
    data row (header excluded), as a user counts rows in Excel. ``transcoded`` is the file
    already converted by :func:`transcode_ahead`. Raises :class:`QuarantineError` when the file
    cannot be read.
    """
    name = display or path.name
    if path.stat().st_size == 0:
        raise quarantine_error("empty_file", f"{name} is empty (0 bytes)")
    if contract.format == "xlsx":
        table = _stage_frame(con, stage, *read_xlsx(path, contract, name))
    elif contract.format == "parquet":
        table = _stage_frame(con, stage, read_parquet(path, name), "parquet")
    else:
        table = read_csv(con, path, contract, name, stage, transcoded)
    if table.rows == 0:
        raise quarantine_error("empty_file", f"{name} has a header but no data rows")
    return table


def _stage_frame(
    con: duckdb.DuckDBPyConnection,
    stage: StageFn,
    frame: pl.DataFrame,
    encoding: str,
    header_row: int = 1,
) -> ExtractTable:
    con.register("_frame", frame.with_row_index("_row_number", offset=1).to_arrow())
    try:
        rows = stage("_frame", "cast(_row_number as bigint)", list(frame.columns), False)
    finally:
        con.unregister("_frame")
    return ExtractTable(list(frame.columns), encoding, rows, header_row)


def _check_truncated(data_tail: bytes, header_fields: int, name: str) -> None:
    """A last row with fewer fields than the header (or an open quote) means a cut-off export."""
    if data_tail.endswith(b"\n"):
        return
    last = data_tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    open_quote = last.count('"') % 2 == 1
    fields = 0 if open_quote else len(next(csv.reader([last]), []))
    found = "an unclosed quote" if open_quote else f"{fields} of {header_fields} fields"
    if open_quote or fields < header_fields:
        raise QuarantineError(
            [
                FileProblem(
                    "truncated_file",
                    f"{name} ends in the middle of a row: the last line has "
                    f"{found} and no line end",
                    value=last[:200],
                    expected=f"{header_fields} fields and a line end",
                )
            ]
        )


def csv_from_clause(source: Path) -> str:
    """DuckDB's parallel CSV reader, strict, every value as text.

    Strict mode: a row with more or fewer fields than the header is an error, never padded.
    DuckDB trims blanks around header names; Tandem's header check trims them the same way, so
    the names it matched are the names the query uses. (Passing ``names`` instead made DuckDB
    2.0 read a file with one over-long row as having no rows at all.)
    """
    quoted_path = str(source).replace("'", "''")
    return (
        f"read_csv('{quoted_path}', all_varchar = true, header = true, delim = ',', "
        "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
        "normalize_names = false)"
    )


def _is_encoding_error(error: duckdb.Error) -> bool:
    return "unicode" in str(error).lower()


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    name: str,
    stage: StageFn,
    transcoded: Transcoded | None = None,
) -> ExtractTable:
    """Read a delimited extract as text: detect encoding among the contract's, BOM, CRLF.

    UTF-8 files go straight to DuckDB's reader (it rejects invalid UTF-8, which moves on to the
    next encoding); other encodings are transcoded to a temporary UTF-8 file first. Nothing
    holds the whole file in Python memory.
    """
    with open(path, "rb") as handle:
        head = handle.read(65536)
    sniff_binary(head, name)
    has_bom = head.startswith(codecs.BOM_UTF8)
    tried = tried_encodings(contract)
    first_bad = 0
    for encoding in tried:
        tmp_path: Path | None = None
        try:
            if transcoded is not None and transcoded.encoding == encoding:
                tmp_path, bad = transcoded.path, transcoded.first_bad
                if bad is not None:
                    first_bad = max(first_bad, bad)
                    continue
            elif encoding != "utf-8":
                fd, tmp = tempfile.mkstemp(prefix="tandem-", suffix=".csv")
                os.close(fd)
                tmp_path = Path(tmp)
                bad = transcode(path, encoding, tmp_path)
                if bad is not None:
                    first_bad = max(first_bad, bad)
                    continue
            elif not decodes(head, "utf-8"):
                # the head already is not UTF-8: skip DuckDB's attempt
                first_bad = max(first_bad, first_bad_utf8(path))
                continue
            source = tmp_path or path
            header = _checked_header(source, name, len(contract.columns))
            shown = encoding + ("-sig" if has_bom else "")
            try:
                # no row-number SQL: the staged table's rowid numbers the rows in file order
                rows = stage(csv_from_clause(source), None, header, False)
            except duckdb.Error as error:
                if encoding == "utf-8" and _is_encoding_error(error):
                    first_bad = max(first_bad, first_bad_utf8(path))
                    continue
                # what DuckDB says names no row (and, for a converted file, a temporary path)
                duckdb_said = str(error).strip().splitlines()[0].replace(str(source), name)
                scan = scan_rows(source, "utf-8")
                scan.encoding = shown
                return _stage_sound_rows(con, source, contract, name, stage, scan, duckdb_said)
            return ExtractTable(header, encoding=shown, rows=rows)
        finally:
            if tmp_path is not None:
                tmp_path.unlink(missing_ok=True)
    return _read_with_stray_bytes(con, path, contract, name, stage, tried, first_bad)


def _read_with_stray_bytes(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    name: str,
    stage: StageFn,
    tried: tuple[str, ...],
    first_bad: int,
) -> ExtractTable:
    """A file no encoding reads whole: land it without a few rows holding stray bytes, or say so.

    The contract's encodings are tried in order; the first one under which only a few rows (within
    the tolerance, and fewer than half the rows) hold invalid bytes reads the file, and those rows
    become rejects. A file in another encoding altogether (it decodes whole in it) is quarantined
    with the encoding it decodes as.
    """
    fewest: RowScan | None = None
    for encoding in () if fitting_encoding(path, tried) else tried:
        scan = scan_rows(path, encoding)
        allowed = contract.allowed_rejects(scan.rows)
        if scan.rows and scan.bad <= allowed and scan.bad * 2 < scan.rows:
            return _stage_sound_rows(con, path, contract, name, stage, scan, "")
        if scan.rows and (fewest is None or scan.bad < fewest.bad):
            fewest = scan
    error = decode_error(path, first_bad, tried, name)
    if fewest is not None and fewest.bad:
        allowed = contract.allowed_rejects(fewest.rows)
        error.problems[0] = FileProblem(
            "wrong_encoding",
            f"{error.problems[0].message}; {fewest.describe(name, allowed).split(': ', 1)[1]}",
            row=error.problems[0].row,
            value=error.problems[0].value,
            expected=error.problems[0].expected,
        )
    raise error


def _stage_sound_rows(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    contract: Contract,
    name: str,
    stage: StageFn,
    scan: RowScan,
    duckdb_said: str,
) -> ExtractTable:
    """Stage a file read row by row: its malformed rows become rejects when they are few.

    Beyond the contract's tolerance the file is quarantined with the rows, lines and text of
    the malformed rows. ``duckdb_said`` is DuckDB's own complaint, used only when every row
    has the header's width (then the problem is something the row scan does not see).
    """
    if scan.bad == 0:
        raise quarantine_error("malformed_file", f"{name} is not well-formed CSV: {duckdb_said}")
    allowed = contract.allowed_rejects(scan.rows)
    if scan.bad > allowed or scan.bad * 2 >= scan.rows:  # a few rows, the rest sound
        problems = [FileProblem("malformed_file", scan.describe(name, allowed))]
        problems += [
            FileProblem(
                "malformed_row",
                f"row {bad.row} (line {bad.line}): {bad.reason}",
                row=bad.row,
                value=bad.text,
                expected=f"{len(scan.header)} fields of {scan.encoding} text",
            )
            for bad in scan.examples
        ]
        raise QuarantineError(problems)
    columns = [*scan.header, MALFORMED, MALFORMED_TEXT]
    records = (
        [*values, reason, text] for _, values, reason, text in all_rows(source, scan.read_as)
    )
    frame = pl.DataFrame(
        records, schema=dict.fromkeys(columns, pl.String), orient="row", infer_schema_length=0
    )
    con.register("_frame", frame.with_row_index("_row_number", offset=1).to_arrow())
    try:
        rows = stage("_frame", "cast(_row_number as bigint)", scan.header, True)
    finally:
        con.unregister("_frame")
    return ExtractTable(scan.header, scan.encoding, rows)


def _checked_header(source: Path, name: str, wanted_columns: int) -> list[str]:
    """The header fields, trimmed; quarantine a file without data rows or with a cut-off last row.

    A header that is one field holding semicolons or tabs means another separator: said as such
    rather than as every required column missing.
    """
    with open(source, "rb") as handle:
        first_line = handle.readline().decode("utf-8", errors="replace").lstrip("\ufeff")
        second_line = handle.readline()
        handle.seek(max(0, os.path.getsize(source) - 65536))
        tail = handle.read()
    header = [h.strip() for h in next(csv.reader([first_line.rstrip("\r\n")]), [])]
    separated = other_delimiter(first_line.rstrip("\r\n"), wanted_columns)
    if separated:
        what, fields = separated
        raise quarantine_error(
            "wrong_delimiter",
            f"{name} is separated by {what}, not commas: its header splits into {fields} "
            f"fields that way ({first_line.strip()[:120]!r})",
            value=first_line.strip()[:200],
            expected="comma-separated values",
        )
    check_header(header, name)
    if not first_line.endswith("\n") or not second_line.strip():
        raise quarantine_error("empty_file", f"{name} has a header but no data rows")
    _check_truncated(tail, len(header), name)
    return header
