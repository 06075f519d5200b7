"""RFM scoring and segments on hand-made features (the pure part of ``models_ml.rfm``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from models_ml import rfm

AS_OF = dt.date(2026, 6, 30)


def features(rows: list[tuple[str, int, int, str]]) -> pl.DataFrame:
    """(customer_key, recency_days, frequency, monetary) -> a frame shaped like rfm_features."""
    return pl.DataFrame(
        {
            "customer_key": [r[0] for r in rows],
            "first_order_date": [AS_OF - dt.timedelta(days=800)] * len(rows),
            "last_order_date": [AS_OF - dt.timedelta(days=r[1]) for r in rows],
            "lifetime_orders": [max(r[2], 1) for r in rows],
            "recency_days": [r[1] for r in rows],
            "frequency": [r[2] for r in rows],
            "monetary": [Decimal(r[3]) for r in rows],
        },
        schema=rfm.FEATURE_SCHEMA,
    )


def scores(scored: pl.DataFrame, column: str) -> dict[str, int]:
    return dict(scored.select("customer_key", column).iter_rows())


def test_ten_distinct_values_make_five_quintiles_of_two() -> None:
    rows = [(f"C{i:02}", 10 * i, i, f"{100 * i}.50") for i in range(1, 11)]
    scored = rfm.score_rfm(features(rows), AS_OF)
    assert scores(scored, "f_score") == {f"C{i:02}": (i + 1) // 2 for i in range(1, 11)}
    assert scores(scored, "m_score") == scores(scored, "f_score")
    # recency: the fewest days since the last order score highest
    assert scores(scored, "r_score") == {f"C{i:02}": 5 - (i - 1) // 2 for i in range(1, 11)}
    assert scores(scored, "rfm_cell")["C01"] == "511"
    assert scores(scored, "rfm_cell")["C10"] == "155"


def test_tied_values_share_the_lower_score() -> None:
    # four customers without an order in the window, then 1, 2, 3, 3, 4, 5 orders
    frequencies = [0, 0, 0, 0, 1, 2, 3, 3, 4, 5]
    rows = [(f"C{i:02}", 5, f, "1.00") for i, f in enumerate(frequencies)]
    scored = rfm.score_rfm(features(rows), AS_OF)
    f_score = scores(scored, "f_score")
    assert [f_score[f"C{i:02}"] for i in range(10)] == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    # equal monetary values and equal recency: everybody ties at the bottom
    assert set(scores(scored, "m_score").values()) == {1}
    assert set(scores(scored, "r_score").values()) == {1}


def test_frequency_monetary_score_is_the_mean_rounded_half_up_and_names_the_segment() -> None:
    # C0 is the most recent and best on both; C9 the least recent and worst; C5 orders often
    # but small
    rows = [
        ("C0", 1, 50, "90000.00"),
        ("C1", 2, 40, "80000.00"),
        ("C2", 3, 30, "70000.00"),
        ("C3", 4, 20, "60000.00"),
        ("C4", 5, 10, "50000.00"),
        ("C5", 6, 60, "10.00"),
        ("C6", 7, 5, "40000.00"),
        ("C7", 8, 3, "30000.00"),
        ("C8", 400, 0, "0.00"),
        ("C9", 900, 0, "0.00"),
    ]
    scored = rfm.score_rfm(features(rows), AS_OF)
    row = {r["customer_key"]: r for r in scored.iter_rows(named=True)}
    assert (row["C0"]["r_score"], row["C0"]["fm_score"], row["C0"]["segment"]) == (
        5,
        5,
        "champions",
    )
    # (5 + 2) / 2 = 3.5 rounds up to 4
    assert (row["C5"]["f_score"], row["C5"]["m_score"], row["C5"]["fm_score"]) == (5, 2, 4)
    assert row["C5"]["segment"] == rfm.SEGMENT_GRID[row["C5"]["r_score"]][3]
    assert (row["C9"]["r_score"], row["C9"]["fm_score"], row["C9"]["segment"]) == (1, 1, "lost")
    assert row["C9"]["segment_label"] == "Lost"
    assert {r["as_of_date"] for r in row.values()} == {AS_OF}
    assert {r["model_version"] for r in row.values()} == {rfm.MODEL_VERSION}
    assert {r["window_days"] for r in row.values()} == {rfm.WINDOW_DAYS}


def test_every_cell_of_the_grid_names_a_catalogued_segment() -> None:
    cells = rfm.segment_frame()
    assert cells.height == 25
    assert cells.select("r_score", "fm_score").unique().height == 25
    assert set(cells["segment"]) == {s.key for s in rfm.SEGMENTS}
    assert cells.filter(pl.col("segment_label").is_null()).height == 0


def test_no_buyers_give_an_empty_table_with_every_column() -> None:
    scored = rfm.score_rfm(features([]), AS_OF)
    assert scored.height == 0
    assert scored.columns[:3] == ["customer_key", "segment", "segment_label"]
    assert scored.schema["r_score"] == pl.Int8


def test_missing_feature_columns_are_named() -> None:
    with pytest.raises(ValueError, match="lack column\\(s\\) frequency, monetary"):
        rfm.score_rfm(features([("C1", 1, 1, "1.00")]).drop("frequency", "monetary"), AS_OF)


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one day, got 0"):
        rfm.rfm_features(None, AS_OF, window_days=0)
