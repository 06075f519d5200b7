"""Churn labels, the time-split plan, reasons and the skipped run, on small constructed data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_ml.churn import MODEL_VERSION, fit_model, predict
from models_ml.churn_data import label_frame, labelled_snapshot, month_ends_before, plan_folds
from models_ml.churn_reasons import GROUPS, contributions, reason_order, top_reasons
from models_ml.churn_store import build_churn, retrain_reason
from models_ml.features import CATEGORY_FEATURES, NUMERIC_FEATURES
from models_ml.model_runs import latest_runs
from orchestration.settings import TandemSettings
from tests.models.churn_warehouse import AS_OF, LATER_FACTS, build, facts_until


def test_month_ends_run_from_the_first_month_to_the_as_of_date():
    ends = month_ends_before(dt.date(2024, 3, 30), dt.date(2023, 12, 15))
    assert ends == [dt.date(2023, 12, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29)]


def test_folds_test_later_than_they_learn_and_never_see_an_open_label():
    folds, production = plan_folds(dt.date(2025, 12, 20), dt.date(2023, 1, 5), 90)
    assert [f.test_date for f in folds] == [
        dt.date(2025, 2, 28),
        dt.date(2025, 5, 31),
        dt.date(2025, 8, 31),  # the last month end whose 90 days ended by 20 December
    ]
    for fold in folds:
        assert len(fold.train_dates) == 6
        # every training label (snapshot + 90 days) was known at the test cutoff
        assert all(d + dt.timedelta(days=90) <= fold.test_date for d in fold.train_dates)
    assert folds[-1].train_dates[-1] == dt.date(2025, 5, 31)
    assert production[-1] == dt.date(2025, 8, 31) and len(production) == 6
    assert all(d + dt.timedelta(days=90) <= dt.date(2025, 12, 20) for d in production)


def test_short_history_gives_fewer_folds():
    folds, _ = plan_folds(dt.date(2024, 6, 30), dt.date(2023, 10, 1), 90)
    assert len(folds) < 3


def test_label_is_no_order_in_the_horizon():
    features = pl.DataFrame({"customer_key": ["A", "B", "C"]})
    labelled = label_frame(features, {"B"})
    assert labelled["churned"].to_list() == [1, 0, 1]


def test_labelled_snapshot_reads_orders_after_the_cutoff_only(tmp_path):
    with_future = {t: rows + LATER_FACTS.get(t, []) for t, rows in facts_until(AS_OF).items()}
    con = build(tmp_path / "w.duckdb", with_future)
    snapshot = labelled_snapshot(con, AS_OF, 90)
    con.close()
    # A orders on 5 July (inside 90 days), B never again
    assert dict(snapshot.select("customer_key", "churned").rows()) == {"A": 0, "B": 1}


def _reason_frame() -> pl.DataFrame:
    row = {f: 0.0 for g in GROUPS for f in g.features}
    row.update(
        delay_3m=32.0,
        delay_prev_3m=5.0,
        tickets_3m=3.0,
        sla_breaches_3m=2.0,
        days_since_followup=74.0,
        overdue_amount=0.0,
        last_followup_date=dt.date(2024, 4, 17),
    )
    calm = dict(row, delay_3m=2.0, delay_prev_3m=2.0, tickets_3m=0.0, sla_breaches_3m=0.0)
    return pl.DataFrame([row, calm])


def _matrix(rows: int, **values: dict[str, float]) -> np.ndarray:
    """A customers x groups matrix with ``values[row_key][group_key]`` set, zeros elsewhere."""
    keys = [g.key for g in GROUPS]
    out = np.zeros((rows, len(GROUPS)))
    for row, groups in values.items():
        for key, value in groups.items():
            out[int(row[1:]), keys.index(key)] = value
    return out


def test_reasons_are_the_groups_adding_most_risk_in_plain_words():
    frame = _reason_frame()
    # the driver model's log-odds: payment first, then tickets, then the follow-up gap
    terms = _matrix(2, r0={"payment_delay": 0.50, "tickets": 0.30, "followup": 0.20})
    added = _matrix(2, r0={"tenure": 0.005}, r1={"tenure": 0.004})  # under a point: no reason
    reasons = top_reasons(added, terms, frame)
    first = reasons.row(0, named=True)
    assert first["reasons"] == [
        "payment delay up from 5 to 32 days",
        "3 tickets in 90 days, 2 past SLA",
        "no follow-up for 74 days",
    ]
    assert first["reasons_zh"][0] == "付款延迟从5天增至32天"
    assert first["first_reason_driver"] == "payment"
    calm = reasons.row(1, named=True)
    assert calm["reasons"] == [] and calm["reason_1"] is None
    assert calm["first_reason_driver"] is None


def test_an_actionable_driver_is_named_before_the_symptom_it_causes():
    keys = [g.key for g in GROUPS]
    added = _matrix(
        3,
        # recency adds far more, but a payment delay is what a manager can act on
        r0={"recency": 0.30, "orders": 0.05},
        # the production model's contribution of a driver group never makes it a reason:
        # only the driver model's odds do, and these stay under the floor
        r1={"recency": 0.30, "followup": 0.20},
        r2={"recency": 0.20},
    )
    terms = _matrix(
        3,
        r0={"payment_delay": 0.20},
        r1={"followup": 0.05},
        r2={"followup": 0.40, "tickets": 0.30},  # two drivers: the larger first
    )
    order = reason_order(added, terms)
    assert [keys[g] for g in order[0]] == ["payment_delay", "recency", "orders"]
    assert [keys[g] for g in order[1]] == ["recency"]
    assert [keys[g] for g in order[2]] == ["followup", "tickets", "recency"]
    frame = pl.concat([_reason_frame(), _reason_frame().head(1)])
    assert top_reasons(added, terms, frame)["first_reason_driver"].to_list() == [
        "payment",
        "orders",
        "silence",
    ]


def test_batched_contributions_equal_one_prediction_per_group():
    rng = np.random.default_rng(3)
    n = 400
    frame = pl.DataFrame(
        {name: rng.gamma(2.0, 5.0, n) for name in NUMERIC_FEATURES}
        | {name: rng.choice(["a", "b"], n) for name in CATEGORY_FEATURES}
    ).with_columns(
        pl.Series(
            "as_of_date", [dt.date(2024, 1, 31)] * (n // 2) + [dt.date(2024, 2, 29)] * (n // 2)
        ),
        (pl.col("delay_3m") + pl.col("days_since_last_order") > 20).cast(pl.Int8).alias("churned"),
    )
    model = fit_model("gradient_boosting", frame)
    probability = predict(model, frame)
    added = contributions(model, frame, probability)
    for k, group in enumerate(GROUPS):
        typical = frame.select(pl.col(f).median() for f in group.features).row(0)
        one = frame.with_columns(
            pl.lit(v, dtype=pl.Float64).alias(f)
            for f, v in zip(group.features, typical, strict=True)
        )
        np.testing.assert_allclose(added[:, k], probability - predict(model, one), atol=1e-12)
    # only the symptoms scored again: the same columns, the drivers' left at 0
    symptoms = contributions(model, frame, probability, ("orders", "tenure"))
    for k, group in enumerate(GROUPS):
        expected = added[:, k] if group.driver in ("orders", "tenure") else 0.0
        np.testing.assert_allclose(symptoms[:, k], expected, atol=1e-12)
    # the label is made of delay and recency: those groups add risk to the churners
    churners = frame["churned"].to_numpy() == 1
    assert added[churners, [g.key for g in GROUPS].index("recency")].mean() > 0.05


def test_too_little_history_is_a_skipped_run_not_a_crash(tmp_path):
    con = build(tmp_path / "w.duckdb", facts_until(AS_OF))
    outcome = build_churn(con, AS_OF, TandemSettings().churn_horizon_days)
    assert outcome.result is None
    assert outcome.run.status == "skipped"
    assert "time-split cutoffs" in outcome.run.reason
    assert outcome.notes[0].startswith("skipped: ")
    [run] = latest_runs(con)
    assert (run["model"], run["status"]) == ("churn", "skipped")
    assert run["reason"] == outcome.run.reason
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "churn_scores" not in tables
    con.close()


def test_horizon_comes_from_settings(monkeypatch):
    monkeypatch.setenv("TANDEM_CHURN_HORIZON_DAYS", "60")
    assert TandemSettings().churn_horizon_days == 60
    monkeypatch.delenv("TANDEM_CHURN_HORIZON_DAYS")
    assert TandemSettings().churn_horizon_days == 90
    monkeypatch.setenv("TANDEM_CHURN_HORIZON_DAYS", "0")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        TandemSettings()


def test_training_is_due_without_a_stored_model_when_old_or_when_asked_each_run():
    day = dt.date(2026, 10, 31)
    assert retrain_reason(None, day, 30) == f"no stored {MODEL_VERSION} model"
    assert retrain_reason(day, day, 30) is None  # stored by this very as-of date's run
    assert retrain_reason(day, day + dt.timedelta(days=29), 30) is None
    assert retrain_reason(day, day + dt.timedelta(days=30), 30) == (
        "stored model 30 days old (retrain every 30 days)"
    )
    assert retrain_reason(day, day, 0).startswith("retraining on every run")
    # a warehouse rebuilt to an earlier date: the stored model has seen labels from its future
    assert retrain_reason(day, day - dt.timedelta(days=1), 30) == (
        "as-of date 2026-10-30 is before the stored model's 2026-10-31"
    )


def test_retrain_days_come_from_settings(monkeypatch):
    assert TandemSettings().churn_retrain_days == 30
    monkeypatch.setenv("TANDEM_CHURN_RETRAIN_DAYS", "0")
    assert TandemSettings().churn_retrain_days == 0
    monkeypatch.setenv("TANDEM_CHURN_RETRAIN_DAYS", "-1")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        TandemSettings()
