"""The channel ROI benchmark's judgement: errors against the truth, tolerance, ranking."""

from __future__ import annotations

import polars as pl
import pytest

from bench.channel_roi import evaluate

TRUTH = pl.DataFrame(
    {
        "channel": ["a", "b", "c", "tiny", "organic"],
        "spend": [400.0, 300.0, 280.0, 20.0, 0.0],
        "roi": [2.0, 5.0, 1.0, 9.0, None],
    }
)


def _roi(method: str, values: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "method": [method] * len(values),
            "channel": list(values),
            "roi": list(values.values()),
            "roi_lower": [None] * len(values),
            "roi_upper": [None] * len(values),
        },
        schema_overrides={"roi_lower": pl.Float64, "roi_upper": pl.Float64},
    )


def test_within_tolerance_and_ranked_like_the_truth() -> None:
    # "tiny" has 2% of the spend: not judged, so its wild ROI changes nothing
    result = evaluate(_roi("mmm", {"a": 2.3, "b": 4.2, "c": 0.9, "tiny": 0.1}), TRUTH)["mmm"]
    assert result["true_ranking"] == ["b", "a", "c"]
    assert result["ranking_correct"] is True
    assert result["worst_abs_error"] == pytest.approx(0.16)
    assert result["all_within_tolerance"] is True


def test_an_error_beyond_20_percent_or_a_missing_channel_fails() -> None:
    off = evaluate(_roi("m", {"a": 2.5, "b": 5.0, "c": 1.0}), TRUTH)["m"]
    assert off["worst_abs_error"] == pytest.approx(0.25)
    assert off["all_within_tolerance"] is False
    assert off["ranking_correct"] is True
    missing = evaluate(_roi("m", {"a": 2.0, "b": 5.0}), TRUTH)["m"]
    assert missing["all_within_tolerance"] is False
    assert missing["ranking_correct"] is False
    swapped = evaluate(_roi("m", {"a": 0.9, "b": 5.0, "c": 1.0}), TRUTH)["m"]
    assert swapped["ranking"] == ["b", "c", "a"]
    assert swapped["ranking_correct"] is False
