"""Attribution rules, the exact Markov removal effect and Shapley values against hand-worked
numbers."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from models_ml.attribution import (
    HEURISTIC_MODELS,
    PathRow,
    markov_attribution,
    removal_effects,
    shapley_attribution,
    touch_weights,
)
from models_ml.channel_journeys import rule_credits

# Four journeys in three distinct paths:
#   "A > B": 1 journey, converted, value 100
#   "A":     1 journey, not converted
#   "B":     2 journeys, one converted (value 50), one not
HAND_ROWS = [
    PathRow("A > B", 1, 100.0, 0),
    PathRow("A", 0, 0.0, 1),
    PathRow("B", 1, 50.0, 1),
]


def test_markov_removal_effect_matches_the_hand_worked_chain() -> None:
    """Transition counts: start->A 2, start->B 2, A->B 1, A->null 1, B->conv 2, B->null 1.

    So P(start->A) = P(start->B) = 1/2, P(A->B) = P(A->null) = 1/2, P(B->conv) = 2/3,
    P(B->null) = 1/3.
    P(conv) = 1/2 * 1/2 * 2/3 + 1/2 * 2/3 = 1/6 + 1/3 = 1/2 (2 of 4 journeys: consistent).
    Without A (start->A goes to null): P = 1/2 * 2/3 = 1/3, removal effect 1 - (1/3)/(1/2) = 1/3.
    Without B nothing converts: removal effect 1.
    Shares 1/3 : 1 = 1/4 : 3/4 of 2 conversions -> A 0.5, B 1.5; of value 150 -> 37.5, 112.5.
    """
    effects = removal_effects(HAND_ROWS)
    assert effects["A"] == pytest.approx(1 / 3)
    assert effects["B"] == pytest.approx(1.0)
    credit = {c.channel: c for c in markov_attribution(HAND_ROWS)}
    assert credit["A"].conversions == pytest.approx(0.5)
    assert credit["B"].conversions == pytest.approx(1.5)
    assert credit["A"].value == pytest.approx(37.5)
    assert credit["B"].value == pytest.approx(112.5)


def test_shapley_matches_the_hand_worked_game() -> None:
    """v(S) = conversions of the journeys touching only channels in S.

    Conversions: v({}) = 0, v({A}) = 0, v({B}) = 1 ("B"), v({A,B}) = 2 ("B" and "A > B").
    phi_A = 1/2 [v(A) - v({})] + 1/2 [v(AB) - v(B)] = 1/2 * 0 + 1/2 * 1 = 0.5
    phi_B = 1/2 [v(B) - v({})] + 1/2 [v(AB) - v(A)] = 1/2 * 1 + 1/2 * 2 = 1.5
    Value: v(A) = 0, v(B) = 50, v(AB) = 150:
    phi_A = 1/2 * 0 + 1/2 * 100 = 50; phi_B = 1/2 * 50 + 1/2 * 150 = 100.
    """
    credit = {c.channel: c for c in shapley_attribution(HAND_ROWS)}
    assert credit["A"].conversions == pytest.approx(0.5)
    assert credit["B"].conversions == pytest.approx(1.5)
    assert credit["A"].value == pytest.approx(50.0)
    assert credit["B"].value == pytest.approx(100.0)


def test_three_channel_shapley_is_efficient_and_symmetric() -> None:
    rows = [PathRow("a > b > c", 6, 60.0, 3), PathRow("c", 2, 20.0, 5), PathRow("a", 0, 0.0, 4)]
    credit = {c.channel: c for c in shapley_attribution(rows)}
    # v(S) only gains at {c} (2) and {a,b,c} (6): a and b are symmetric, c gets 2 + 6/3
    assert credit["a"].conversions == pytest.approx(2.0)
    assert credit["b"].conversions == pytest.approx(2.0)
    assert credit["c"].conversions == pytest.approx(4.0)
    assert sum(c.value for c in credit.values()) == pytest.approx(80.0)


def test_markov_with_a_single_channel_gets_everything() -> None:
    credit = markov_attribution([PathRow("x", 3, 30.0, 7), PathRow("x > x", 1, 5.0, 0)])
    assert [(c.channel, c.conversions, c.value) for c in credit] == [("x", 4.0, 35.0)]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first_touch", [1.0, 0.0, 0.0, 0.0]),
        ("last_touch", [0.0, 0.0, 0.0, 1.0]),
        ("linear", [0.25, 0.25, 0.25, 0.25]),
        ("position_based", [0.4, 0.1, 0.1, 0.4]),
    ],
)
def test_rule_based_weights(model: str, expected: list[float]) -> None:
    assert touch_weights(model, 4) == pytest.approx(expected)


def test_position_based_short_journeys_and_time_decay() -> None:
    assert touch_weights("position_based", 1) == [1.0]
    assert touch_weights("position_based", 2) == [0.5, 0.5]
    # 14 and 0 days before conversion with a 7-day half-life: raw 1/4 and 1 -> 0.2 and 0.8
    assert touch_weights("time_decay", 2, [14.0, 0.0]) == pytest.approx([0.2, 0.8])
    with pytest.raises(ValueError, match="days before conversion"):
        touch_weights("time_decay", 2)
    with pytest.raises(ValueError, match="unknown attribution model"):
        touch_weights("u_shaped", 2)


def test_vectorised_rule_credits_equal_touch_weights() -> None:
    """The journeys' polars weights are the pure function's, for paths of 1 to 5 touches."""
    rows = []
    days = {1: [3], 2: [20, 1], 3: [30, 9, 0], 4: [40, 12, 5, 2], 5: [50, 30, 14, 7, 0]}
    for n, before in days.items():
        for k, d in enumerate(before):
            rows.append(
                {
                    "journey_id": f"j{n}",
                    "touch_kind": "lead",
                    "touch_no": k + 1,
                    "converted_date": dt.date(2026, 3, 1),
                    "days_before_conversion": d,
                }
            )
    # an activity and a journey that never converted get no credit
    rows.append({**rows[-1], "touch_kind": "activity", "touch_no": 6})
    rows.append({**rows[0], "journey_id": "lost", "converted_date": None})
    credits = rule_credits(pl.DataFrame(rows))
    assert credits.filter(pl.col("journey_id") == "lost").is_empty()
    for model in HEURISTIC_MODELS:
        for n, before in days.items():
            got = (
                credits.filter((pl.col("model") == model) & (pl.col("journey_id") == f"j{n}"))
                .sort("touch_no")["weight"]
                .to_list()
            )
            assert got == pytest.approx(touch_weights(model, n, before)), (model, n)
