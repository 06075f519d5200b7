"""ml.model_runs keeps every run, and the newest per model is what readers see."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from models_ml.model_runs import ModelRun, NotEnoughData, latest_runs, record_model_run


def test_runs_append_and_the_latest_per_model_wins() -> None:
    con = duckdb.connect()
    assert latest_runs(con) == []
    as_of = dt.date(2026, 6, 30)
    record_model_run(
        con,
        ModelRun("churn", "churn-1", as_of, metrics={"roc_auc": 0.81}, rows_written=120),
        run_at=dt.datetime(2026, 7, 1, 6, 0),
    )
    reason = "only 3 customers churned before 2026-07-31; at least 20 are needed"
    record_model_run(
        con,
        ModelRun.skipped("churn", "churn-1", as_of, reason),
        run_at=dt.datetime(2026, 7, 2, 6, 0),
    )
    record_model_run(
        con,
        ModelRun("clv", "clv-1", as_of, parameters={"r": 0.243}),
        run_at=dt.datetime(2026, 7, 1),
    )
    assert con.execute("select count(*) from ml.model_runs").fetchall()[0][0] == 3
    latest = {run["model"]: run for run in latest_runs(con)}
    assert latest["churn"]["status"] == "skipped"
    assert latest["churn"]["reason"] == reason
    assert latest["churn"]["rows_written"] == 0
    assert json.loads(latest["clv"]["parameters"]) == {"r": 0.243}


def test_not_enough_data_carries_its_reason() -> None:
    error = NotEnoughData("a single class: nobody churned")
    assert error.reason == "a single class: nobody churned"
    assert str(error) == "a single class: nobody churned"
