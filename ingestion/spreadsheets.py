"""Reading XLSX workbooks and Parquet files into frames of text columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from ingestion.contracts import Contract
from ingestion.diagnose import (
    html_message,
)
from ingestion.problems import quarantine_error


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
            raise quarantine_error("html_page", page)
        raise quarantine_error(
            "unreadable_workbook", f"{name} is not an XLSX workbook (no ZIP signature)"
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for corrupt workbooks
        raise quarantine_error(
            "unreadable_workbook", f"{name} cannot be opened as XLSX: {error}"
        ) from None
    try:
        sheets = workbook.sheetnames
        if contract.sheet and contract.sheet in sheets:
            sheet = workbook[contract.sheet]
        elif contract.sheet and len(sheets) > 1:
            raise quarantine_error(
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
        raise quarantine_error("empty_file", f"{name}: sheet {sheet.title!r} is empty")
    header = [("" if v is None else v.strip()) for v in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    check_header(header, name)
    width = len(header)
    body = [row[:width] + [None] * (width - len(row)) for row in rows[header_index + 1 :]]
    while body and all(v is None for v in body[-1]):
        body.pop()
    columns = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    frame = pl.DataFrame(body, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame, "xlsx", header_index + 1


def read_parquet(path: Path, name: str) -> pl.DataFrame:
    """Read a Parquet extract and render every column as text (dates in ISO form)."""
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # polars raises several types for corrupt files
        raise quarantine_error(
            "unreadable_workbook", f"{name} cannot be read as Parquet: {error}"
        ) from None
    as_text = []
    for column, dtype in frame.schema.items():
        expr = pl.col(column)
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            expr = expr.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype == pl.Date:
            expr = expr.dt.strftime("%Y-%m-%d")
        as_text.append(expr.cast(pl.String).alias(column))
    return frame.select(as_text)


def check_header(header: list[str], name: str) -> None:
    """Quarantine a file whose header row is empty or names a column twice."""
    cleaned = [h.strip() for h in header]
    if not any(cleaned):
        raise quarantine_error("empty_file", f"{name} has no header row")
    doubled = sorted({h for h in cleaned if h and cleaned.count(h) > 1})
    if doubled:
        raise quarantine_error(
            "duplicate_header", f"{name} has the header(s) {doubled} more than once"
        )
