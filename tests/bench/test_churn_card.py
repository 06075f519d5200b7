"""The churn card is written from a run's figures: its reasons paragraph and goal verdicts
follow the measured numbers, so a later run cannot leave text that contradicts it."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from bench.churn_card import (
    alive_summary,
    goal_verdict,
    lead_summary,
    reasons_summary,
    write_card,
)
from bench.churn_truth import reason_shares


def _reason(share: float, customers: int, precision: float = 0.9, top20: float = 0.7) -> dict:
    return {
        "customers": customers,
        "first_reason_share": share,
        "without_reason": customers // 4,
        "share_of_those_with_a_reason": min(1.0, share * 4 / 3),
        "top20_customers": customers // 10,
        "top20_first_reason_share": top20,
        "named_first": customers,
        "precision": precision / 2,
        "named_with_a_main_driver": customers // 2,
        "precision_among_driven": precision,
    }


def _validation(cutoff: str, model: str, auc: float, ece: float) -> dict:
    return {
        "cutoff": cutoff,
        "model": model,
        "train_rows": 1000,
        "customers": 500,
        "churn_rate": 0.3,
        "roc_auc": auc,
        "pr_auc": 0.5,
        "brier": 0.18,
        "ece": ece,
        "top_decile_lift": 2.0,
    }


FIGURES = {
    "as_of": "2026-10-31",
    "scale_home": "/homes/medium",
    "chosen_model": "gradient_boosting",
    "scored": 32124,
    "train_validate_score_seconds": 100.0,
    "score_seconds": 12.0,
    "peak_rss_mb": 1400,
    "process_cpu_seconds": 90.0,
    "load_average": [2.0, 2.5, 3.0],
    "step_seconds_wall_cpu": {
        "features": [30.0, 17.0],
        "validation": [50.0, 30.0],
        "production_fit": [10.0, 6.0],
        "scoring_and_reasons": [12.0, 7.0],
    },
    "validation": [
        _validation(c, m, 0.76, 0.01)
        for c in ("2026-01-31", "2026-04-30", "2026-07-31")
        for m in ("logistic", "gradient_boosting")
    ],
    "truth": {
        "per_cutoff": [
            {
                "cutoff": c,
                "oracle_auc": 0.72,
                "oracle_full_auc": 0.82,
                "alive_stop_auc_gradient_boosting": 0.52,
                "alive_stop_oracle_auc": 0.69,
            }
            for c in ("2026-01-31", "2026-04-30", "2026-07-31")
        ],
        "reasons": {
            "payment": _reason(0.58, 2504),
            "tickets": _reason(0.08, 1227, top20=0.0),
            "silence": _reason(0.98, 5644),
        },
        "lead_time": {
            "true_churners_next_3m": 900,
            "churners_top_decile_share": 0.2,
            "churners_high_band_share": 0.1,
            "stayers_high_band_share": 0.09,
            "flagged_median_days_to_stop": 32.0,
            "flagged_median_days_since_last_order": 143.0,
            "alive_customers": 80000,
            "alive_stop_auc": 0.51,
        },
    },
}


def test_reasons_paragraph_says_which_drivers_are_named_in_most_cases():
    text = reasons_summary(FIGURES)
    assert "in most cases for payment 58% of 2,504" in text
    assert "silence 98% of 5,644 (precision among customers with a main driver 90%)" in text
    assert "It does not for tickets 8% of 1,227" in text
    assert "306 of them are given no reason at all" in text
    assert "of those given one the first names it for 11%" in text
    assert "top 20% of risk (122) the share is 0%" in text
    assert "under the odds floor of a reason" in text  # the why of the driver that falls short


def test_reasons_paragraph_follows_a_run_where_tickets_reach_most():
    figures = copy.deepcopy(FIGURES)
    figures["truth"]["reasons"]["tickets"] = _reason(0.61, 1232)
    figures["truth"]["reasons"]["payment"] = _reason(0.40, 2500)
    text = reasons_summary(figures)
    assert "tickets 61% of 1,232" in text.split("It does not")[0]
    assert "It does not for payment 40% of 2,500" in text
    assert "tickets" not in text.split("It does not")[1]
    assert "odds floor of a reason." not in text


def test_goal_verdicts_come_from_the_measured_means():
    assert goal_verdict(0.95, 0.05) == {"ratio_verdict": "met", "ece_verdict": "met"}
    assert goal_verdict(0.94, 0.051) == {"ratio_verdict": "not met", "ece_verdict": "not met"}


def test_card_is_written_from_the_figures(tmp_path):
    curve = pl.DataFrame(
        {
            "bin": [0, 1],
            "mean_predicted": [0.1, 0.6],
            "observed_rate": [0.12, 0.55],
            "cutoff": ["2026-07-31", "2026-07-31"],
        }
    )
    figures = copy.deepcopy(FIGURES)
    figures["validation"] = [
        _validation(c, "gradient_boosting", 0.66, 0.07)
        for c in ("2026-01-31", "2026-04-30", "2026-07-31")
    ]
    path = write_card(None, figures, docs=tmp_path, curve=curve)
    card = path.read_text(encoding="utf-8")
    assert (tmp_path / "churn_reliability.png").stat().st_size > 0
    assert "ratio 0.917; goal at least 0.95: not met" in card
    assert "ECE 0.070\n(goal at most 0.05: not met)" in card
    assert "It does not for tickets 8% of 1,227" in card
    assert "the score put 20% there" in card
    assert "75% of the true hazard's AUC" in card  # 0.52 / 0.69 on every cutoff
    assert "(log-odds\n0.12)" in card and "not recorded by this run" in card
    assert "{" not in card  # every placeholder filled
    figures["driver_weights"] = {"tickets_3m": 0.1021, "followups_3m": -0.1012}
    card = write_card(None, figures, docs=tmp_path, curve=curve).read_text(encoding="utf-8")
    assert "unit): tickets_3m +0.1021, followups_3m -0.1012." in card


def test_comparative_sentences_follow_the_measured_figures():
    lead = dict(FIGURES["truth"]["lead_time"])
    assert "longer than the 90-day horizon" in lead_summary(lead)
    lead.update(flagged_median_days_since_last_order=40.0, churners_top_decile_share=0.31)
    text = lead_summary(lead)
    assert "the score put 31% there" in text and "horizon" not in text
    assert "less well than the hazard" in alive_summary([0.52, 0.5], [0.7, 0.68])
    close = alive_summary([0.68, 0.69], [0.7, 0.7])
    assert "98% of the true hazard's AUC" in close and "about as well" in close


def test_a_driver_customer_given_no_reason_counts_as_a_miss():
    scores = pl.DataFrame(
        {
            "customer_key": ["a", "b", "c", "d"],
            "churn_probability": [0.9, 0.2, 0.1, 0.5],
            "first_reason_driver": ["tickets", None, None, "payment"],
        }
    )
    keys = pl.DataFrame({"customer_key": ["a", "b", "c", "d"], "true_customer_id": [1, 2, 3, 4]})
    drivers = pl.DataFrame(
        {"true_customer_id": [1, 2, 3, 4], "true_driver": ["tickets", "tickets", None, "tickets"]}
    )
    tickets = reason_shares(scores, drivers, keys)["tickets"]
    assert tickets["customers"] == 3 and tickets["without_reason"] == 1
    assert tickets["first_reason_share"] == pytest.approx(1 / 3)
    assert tickets["share_of_those_with_a_reason"] == pytest.approx(1 / 2)
    assert (tickets["named_first"], tickets["precision"]) == (1, 1.0)
