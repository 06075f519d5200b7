"""Read one extract file (CSV, XLSX, Parquet) into a table of strings, or say why it cannot be.

Every reader returns all values as text: typing is the contract's job (``ingestion.parsing``), so a
value that does not parse becomes a rejected row with its original text, never a silent null.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import shutil
import subprocess
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
    control_share,
    html_message,
    other_delimiter,
    scan_rows,
)
from ingestion.parsing import MALFORMED, MALFORMED_TEXT
from ingestion.problems import FileProblem, QuarantineError

_CHUNK = 8 << 20
_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an XLSX workbook?)",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0": "an old Excel (xls) workbook",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
}


# Builds the staged table from a file's rows: (FROM clause, row-number SQL, headers, malformed)
# -> rows. The row-number SQL is None when the rows come in file order (a CSV read by DuckDB);
# ``malformed`` is True when the FROM clause also has the columns MALFORMED and MALFORMED_TEXT
# (a file read row by row because a few of its rows are malformed: those become rejects).
StageFn = Callable[[str, str | None, list[str], bool], int]
# binary junk: share of control bytes (never in a text export) in the first 64 KiB above which
# a file is not read as text; a lone DOS end-of-file byte stays below it
BINARY_CONTROL_SHARE = 0.01


@dataclass
class ExtractTable:
    """How a file was read: its headers, encoding and number of data rows."""

    headers: list[str]
    encoding: str
    rows: int
    header_row: int = 1  # 1-based line/row of the header in the file (xlsx may start lower)


def _fail(kind: str, message: str, **where: object) -> QuarantineError:
    return QuarantineError([FileProblem(kind, message, **where)])  # type: ignore[arg-type]


@dataclass
class Transcoded:
    """A CSV converted to a temporary UTF-8 file ahead of its turn (see :func:`transcode_ahead`)."""

    encoding: str
    path: Path
    first_bad: int | None  # offset of the first byte invalid in ``encoding``; None: converted

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _tried_encodings(contract: Contract) -> tuple[str, ...]:
    return tuple(dict.fromkeys("utf-8" if e.startswith("utf-8") else e for e in contract.encodings))


def transcode_ahead(path: Path, contract: Contract) -> Transcoded | None:
    """Convert a CSV whose start is not UTF-8 with the contract's first other encoding.

    Landing runs this for the next file on a helper thread while DuckDB works on the current
    one (``iconv`` is a separate process), so the conversion leaves the critical path. Returns
    None when the file needs no conversion here (UTF-8, not a CSV, empty or binary: ``read_csv``
    decides and reports those). The caller discards the temporary file if it is not used.
    """
    if contract.format != "csv":
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    if not head or any(head.startswith(m) for m in _MAGIC) or b"\x00" in head:
        return None
    if _decodes(head, "utf-8"):
        return None
    encoding = next((e for e in _tried_encodings(contract) if e != "utf-8"), None)
    if encoding is None:
        return None
    fd, tmp = tempfile.mkstemp(prefix="tandem-", suffix=".csv")
    os.close(fd)
    target = Path(tmp)
    try:
        return Transcoded(encoding, target, _transcode(path, encoding, target))
    except BaseException:
        target.unlink(missing_ok=True)
        raise


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
        raise _fail("empty_file", f"{name} is empty (0 bytes)")
    if contract.format == "xlsx":
        table = _stage_frame(con, stage, *read_xlsx(path, contract, name))
    elif contract.format == "parquet":
        table = _stage_frame(con, stage, read_parquet(path, name), "parquet")
    else:
        table = read_csv(con, path, contract, name, stage, transcoded)
    if table.rows == 0:
        raise _fail("empty_file", f"{name} has a header but no data rows")
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


# ---------------------------------------------------------------------------------------- CSV


def _sniff_binary(head: bytes, name: str) -> None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise _fail("binary_file", f"{name} is {what}, not a CSV text file")
    if b"\x00" in head[:65536]:
        raise _fail("binary_file", f"{name} contains NUL bytes: it is binary, not a CSV text file")
    share = control_share(head)
    if share > BINARY_CONTROL_SHARE:
        raise _fail(
            "binary_file",
            f"{name} looks like binary data, not a CSV text file: {share:.0%} of its first "
            f"{len(head):,} bytes are control characters that text never holds",
        )
    page = html_message(name, head)
    if page:
        raise _fail("html_page", page)


def _decode_error(path: Path, offset: int, tried: tuple[str, ...], name: str) -> QuarantineError:
    """Say where the file stopped being valid text and which encoding would have read it."""
    with open(path, "rb") as handle:
        before = handle.read(offset)
        sample = handle.read(4)
    line = before.count(b"\n") + 1
    fits = fitting_encoding(path, tried)
    hint = f"; it decodes as {fits}" if fits else ""
    return QuarantineError(
        [
            FileProblem(
                "wrong_encoding",
                f"{name} is not {' or '.join(tried)}: byte(s) {sample.hex(' ')} at offset "
                f"{offset} (line {line}) are invalid{hint}",
                row=line,
                value=sample.hex(" "),
                expected=" or ".join(tried),
            )
        ]
    )


def fitting_encoding(path: Path, tried: tuple[str, ...]) -> str | None:
    """Another common encoding the whole start of the file decodes in, if any."""
    with open(path, "rb") as handle:
        data = handle.read(16 << 20)  # enough to say what the file probably is
    fits = [
        enc
        for enc in ("utf-8-sig", "gb18030", "utf-16")
        if enc.replace("-sig", "") not in tried and _decodes(data, enc)
    ]
    return fits[0].replace("-sig", "") if fits else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeError:  # also "UTF-16 stream does not start with BOM", not a decode error
        return False
    return True


def _transcode(path: Path, encoding: str, target: Path) -> int | None:
    """Write ``path`` as UTF-8 to ``target``; return the offset of the first bad byte, or None.

    glibc ``iconv`` is about twice as fast as Python's codec on a medium GB18030 file, so it is
    used when present; Python's incremental decoder is the fallback and finds the offset.
    """
    iconv = shutil.which("iconv")
    if iconv and encoding != "utf-8-sig":
        with open(target, "wb") as out:
            done = subprocess.run(
                [iconv, "-f", encoding.upper(), "-t", "UTF-8", str(path)],
                stdout=out,
                stderr=subprocess.PIPE,
                check=False,
            )
        if done.returncode == 0:
            return None
        position = re.search(rb"position (\d+)", done.stderr)
        if position:
            return int(position.group(1))
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as handle, open(target, "wb") as out:
        while chunk := handle.read(_CHUNK):
            try:
                out.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
        try:
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as error:
            return offset + error.start
    return None


def _first_bad_utf8(path: Path) -> int:
    """Offset of the first byte that is not valid UTF-8 (the file is known to have one)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
    return offset


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
    _sniff_binary(head, name)
    has_bom = head.startswith(codecs.BOM_UTF8)
    tried = _tried_encodings(contract)
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
                bad = _transcode(path, encoding, tmp_path)
                if bad is not None:
                    first_bad = max(first_bad, bad)
                    continue
            elif not _decodes(head, "utf-8"):
                # the head already is not UTF-8: skip DuckDB's attempt
                first_bad = max(first_bad, _first_bad_utf8(path))
                continue
            source = tmp_path or path
            header = _checked_header(source, name, len(contract.columns))
            shown = encoding + ("-sig" if has_bom else "")
            try:
                # no row-number SQL: the staged table's rowid numbers the rows in file order
                rows = stage(csv_from_clause(source), None, header, False)
            except duckdb.Error as error:
                if encoding == "utf-8" and _is_encoding_error(error):
                    first_bad = max(first_bad, _first_bad_utf8(path))
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
    error = _decode_error(path, first_bad, tried, name)
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
        raise _fail("malformed_file", f"{name} is not well-formed CSV: {duckdb_said}")
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
        raise _fail(
            "wrong_delimiter",
            f"{name} is separated by {what}, not commas: its header splits into {fields} "
            f"fields that way ({first_line.strip()[:120]!r})",
            value=first_line.strip()[:200],
            expected="comma-separated values",
        )
    _check_header(header, name)
    if not first_line.endswith("\n") or not second_line.strip():
        raise _fail("empty_file", f"{name} has a header but no data rows")
    _check_truncated(tail, len(header), name)
    return header


def _check_header(header: list[str], name: str) -> None:
    cleaned = [h.strip() for h in header]
    if not any(cleaned):
        raise _fail("empty_file", f"{name} has no header row")
    doubled = sorted({h for h in cleaned if h and cleaned.count(h) > 1})
    if doubled:
        raise _fail("duplicate_header", f"{name} has the header(s) {doubled} more than once")


# --------------------------------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str | None:
    """One worksheet cell as the text a CSV export of it would hold."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if text.strip() else None


def read_xlsx(path: Path, contract: Contract, name: str) -> tuple[pl.DataFrame, str, int]:
    """Read the contract's sheet; blank leading rows are skipped, the first filled is the header."""
    import openpyxl  # only needed for workbooks

    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.startswith(b"PK\x03\x04"):
        page = html_message(name, head)
        if page:
            raise _fail("html_page", page)
        raise _fail("unreadable_workbook", f"{name} is not an XLSX workbook (no ZIP signature)")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for corrupt workbooks
        raise _fail("unreadable_workbook", f"{name} cannot be opened as XLSX: {error}") from None
    try:
        sheets = workbook.sheetnames
        if contract.sheet and contract.sheet in sheets:
            sheet = workbook[contract.sheet]
        elif contract.sheet and len(sheets) > 1:
            raise _fail(
                "missing_sheet",
                f"{name} has no sheet {contract.sheet!r}; its sheets are {sheets}",
                expected=contract.sheet,
            )
        else:
            sheet = workbook[sheets[0]]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    header_index = next((i for i, row in enumerate(rows) if any(v is not None for v in row)), None)
    if header_index is None:
        raise _fail("empty_file", f"{name}: sheet {sheet.title!r} is empty")
    header = [("" if v is None else v.strip()) for v in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, name)
    width = len(header)
    body = [row[:width] + [None] * (width - len(row)) for row in rows[header_index + 1 :]]
    while body and all(v is None for v in body[-1]):
        body.pop()
    columns = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    frame = pl.DataFrame(body, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame, "xlsx", header_index + 1


# ------------------------------------------------------------------------------------ Parquet


def read_parquet(path: Path, name: str) -> pl.DataFrame:
    """Read a Parquet extract and render every column as text (dates in ISO form)."""
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # polars raises several types for corrupt files
        raise _fail("unreadable_workbook", f"{name} cannot be read as Parquet: {error}") from None
    as_text = []
    for column, dtype in frame.schema.items():
        expr = pl.col(column)
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            expr = expr.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype == pl.Date:
            expr = expr.dt.strftime("%Y-%m-%d")
        as_text.append(expr.cast(pl.String).alias(column))
    return frame.select(as_text)
