"""CSV bytes for downloads: UTF-8 with a byte-order mark, spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell Excel or LibreOffice would evaluate as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
