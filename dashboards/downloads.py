"""Files Tandem writes for people (dashboard downloads, segment exports): CSV and XLSX that a
spreadsheet opens without ever running a formula hidden in the data.

Text such as ``=HYPERLINK(...)``, ``+cmd|...``, ``-2+3`` or ``@SUM(...)`` is kept as data in the
warehouse (it may be a customer's real company name or note), but a spreadsheet would run it as a
formula when it opens the file ("CSV injection"). Every writer of a file for people goes through
this module:

- :func:`neutralise_text` / :func:`neutralise_frame`: a text value starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so the spreadsheet shows it
  as text. Plain numbers held as text (``-12.5``, ``+3``) are left alone: they are no formula.
  Numbers, dates and nulls are never touched.
- :func:`csv_bytes`: a neutralised CSV in UTF-8 with a byte-order mark (Excel on Chinese Windows
  reads it as UTF-8 instead of GBK).
- :func:`xlsx_bytes`: a workbook whose every text cell is a string cell, never a formula, and
  neutralised like the CSV so it stays safe when re-saved as CSV.
"""

from __future__ import annotations

import io
import re

import polars as pl

# what a spreadsheet reads as the start of a formula (tab and CR: some import paths strip them)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RISKY = r"^[=+\-@\t\r]"
_NUMBER_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def neutralise_text(value: str | None) -> str | None:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value is None or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` neutralised (see :func:`neutralise_text`), vectorised."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_RISKY) & ~pl.col(c).str.contains(_NUMBER_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def _safe_headers(frame: pl.DataFrame) -> pl.DataFrame:
    """Column names neutralised too: a workbench query may name a column ``=HYPERLINK(...)``."""
    return frame.rename({c: neutralise_text(c) for c in frame.columns if neutralise_text(c) != c})


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """``frame`` as a neutralised CSV for people: UTF-8 with a byte-order mark, a header row."""
    return _safe_headers(neutralise_frame(frame)).write_csv(include_bom=True).encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """``frame`` as a neutralised XLSX workbook; text never becomes a formula or a link."""
    import xlsxwriter  # only needed for workbooks

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        _safe_headers(neutralise_frame(frame)).write_excel(
            workbook=workbook, worksheet=sheet, autofit=True
        )
    return buffer.getvalue()
