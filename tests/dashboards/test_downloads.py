"""Files for people never run a formula hidden in the data (dashboards/downloads.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import polars as pl

from dashboards.downloads import csv_bytes, neutralise_frame, neutralise_text, xlsx_bytes

RISKY = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
SAFE = ["-12.5", "+3", "上海某某科技有限公司", "a=b", None]


def _frame() -> pl.DataFrame:
    values = RISKY + SAFE
    return pl.DataFrame(
        {
            "name": values,
            "amount": [-1.5] * len(values),
            "day": [dt.date(2024, 1, 2)] * len(values),
        }
    )


def test_text_that_starts_a_formula_gets_an_apostrophe() -> None:
    assert [neutralise_text(v) for v in RISKY] == ["'" + v for v in RISKY]
    assert [neutralise_text(v) for v in SAFE] == SAFE
    assert neutralise_text("\t=1+1") == "'\t=1+1"


def test_frame_and_text_functions_agree_and_numbers_stay_numbers() -> None:
    out = neutralise_frame(_frame())
    assert out["name"].to_list() == [neutralise_text(v) for v in RISKY + SAFE]
    assert out["amount"].to_list() == [-1.5] * 9  # a negative number is no formula
    assert out.schema == _frame().schema


def test_csv_for_people_is_neutralised_utf8_with_bom() -> None:
    data = csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "amount", "day"]
    assert [r[0] for r in rows[1:5]] == ["'" + v for v in RISKY]
    assert rows[5] == ["-12.5", "-1.5", "2024-01-02"]
    assert rows[7][0] == "上海某某科技有限公司"


def test_xlsx_for_people_holds_text_cells_never_formulas() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(_frame()))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=10)]
    assert [c.data_type for c in cells[:8]] == ["s"] * 8  # "f" would be a formula
    assert [c.value for c in cells[:4]] == ["'" + v for v in RISKY]
    assert sheet.cell(row=2, column=2).value == -1.5
