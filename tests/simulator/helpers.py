"""Reading the simulator's extracts the way a loader would."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

GBK_FILES = ("erp/", "marketing/baidu_sem.csv")


def encoding_of(rel: str) -> str:
    """Declared encoding of an extract (docs/SAMPLE_DATA.md)."""
    return "gb18030" if any(p in rel for p in GBK_FILES) else "utf-8"


def read_csv(path: Path, rel: str, complete_rows_only: bool = False) -> pl.DataFrame:
    """All columns as strings; ``complete_rows_only`` drops a final row cut short."""
    text = path.read_bytes().decode(encoding_of(rel))
    if complete_rows_only and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    return pl.read_csv(io.StringIO(text), infer_schema=False)
