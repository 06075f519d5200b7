"""The harness's arithmetic and report on hand-made inputs: exponents, ratios, goals, markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.goals import GOALS, evaluate
from bench.measure import Measurement, spread
from bench.ratio_base import RatioResult
from bench.ratios import RATIOS
from bench.raw_sql import SqlStep, plan_from_manifest, statements
from bench.report import BEGIN, END, _first_error, latest_results, update_document
from bench.run import end_to_end, stage_matches
from bench.scaling import growth_exponent
from bench.stages import forget_stored_models, model_order, pipeline_stages, relations_read_by


def _m(wall: float, cpu: float = 1.0, rss: float = 100.0) -> Measurement:
    return Measurement(wall, cpu, rss)


def test_growth_exponent_recovers_the_power_law() -> None:
    sizes = [1e5, 1e6, 1e7]
    assert growth_exponent(sizes, [3 * s**1.5 for s in sizes]) == pytest.approx(1.5)
    assert growth_exponent(sizes, [7.0, 7.0, 7.0]) == pytest.approx(0.0)
    assert growth_exponent([1e5], [2.0]) is None  # one scale fits nothing


def test_spread_and_paired_ratio() -> None:
    assert spread([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3}
    result = RatioResult([_m(10), _m(12), _m(30)], [_m(5), _m(4), _m(10)])
    # pairs 2, 3, 3: the median of the pairs, not a ratio of medians
    assert result.paired() == [2.0, 3.0, 3.0]
    assert result.value() == {"value": 3.0, "min": 2.0, "max": 3.0, "n": 3}


def _result(scale: str, **parts) -> dict:
    return {"scale": scale, "stages": [], "ratios": [], "end_to_end": {}, **parts}


def test_goals_say_met_missed_by_how_much_or_why_not_judged() -> None:
    goal = {g.name: g for g in GOALS}
    overhead = {"ratio": "dbt_vs_raw_sql", "status": "ok", "value": 3.0}
    missed = evaluate(goal["dbt_overhead"], _result("small", ratios=[overhead]))
    assert missed["status"] == "missed"
    assert missed["note"] == "missed by 1.50 x (2.0x the target)"
    met = evaluate(
        goal["incremental_day"],
        _result("small", ratios=[{"ratio": "incremental_vs_full", "status": "ok", "value": 0.1}]),
    )
    assert met["status"] == "met" and met["measured"] == 0.1
    assert evaluate(goal["medium_end_to_end"], _result("small"))["status"] == "not applicable"
    e2e = {"complete": True, "wall_seconds": 360.0, "peak_rss_mb": 900.0}
    slow = evaluate(goal["medium_end_to_end"], _result("medium", end_to_end=e2e))
    assert slow["note"] == "missed by 60.00 s (1.2x the target)"
    pandas = {
        "ratio": "rfm_pandas_speedup",
        "status": "not available yet",
        "note": "not available yet: the RFM model comes with a later issue",
    }
    assert evaluate(goal["rfm_vs_pandas"], _result("small", ratios=[pandas]))["status"] == (
        "not available yet"
    )
    slower = {"ratio": "rfm_pandas_speedup", "status": "ok", "value": 4.0}
    assert evaluate(goal["rfm_vs_pandas"], _result("small", ratios=[slower]))["note"] == (
        "missed by 6.00 x (2.5x the target)"
    )


def test_end_to_end_prefers_the_real_tandem_run() -> None:
    def stage(name: str, wall: float, rss: float) -> dict:
        metrics = {"wall_seconds": spread([wall]), "peak_rss_mb": spread([rss])}
        return {"stage": name, "status": "ok", "in_pipeline": True, "metrics": metrics}

    stages = [
        stage("land", 10, 300),
        stage("dbt_build", 20, 500),
        {"stage": "identity_resolution", "status": "not available yet", "in_pipeline": True},
    ]
    summed = end_to_end(stages, [])
    assert summed["complete"] and summed["wall_seconds"] == 30 and summed["peak_rss_mb"] == 500
    assert summed["not_available_yet"] == ["identity_resolution"]
    full = {
        "ratio": "incremental_vs_full",
        "status": "ok",
        "denominator_metrics": {"wall_seconds": spread([12.0]), "peak_rss_mb": spread([800.0])},
    }
    run = end_to_end(stages, [full])
    assert run["wall_seconds"] == 12.0 and run["sum_of_stages_seconds"] == 30
    assert run["peak_rss_mb"] == 800.0
    unmeasured = [*stages, {"stage": "publish", "status": "not measured", "in_pipeline": True}]
    assert not end_to_end(unmeasured, [])["complete"]


def test_stage_selection_and_page_relations() -> None:
    assert stage_matches("model:ml_revenue_trend", ["model"])
    assert stage_matches("page:overview", ["pages"])
    assert stage_matches("land", ["generate", "land"])
    assert not stage_matches("dbt_build", ["land"])
    sql = "select a from finance.rpt_revenue_monthly m join core.dim_customer c on 1=1"
    assert relations_read_by(sql) == ["core.dim_customer", "finance.rpt_revenue_monthly"]


def test_raw_sql_plan_follows_dependencies_and_skips_ephemeral() -> None:
    def node(kind: str, materialized: str, deps: list[str], code: str | None = "select 1"):
        return {
            "resource_type": kind,
            "config": {"materialized": materialized},
            "depends_on": {"nodes": deps},
            "compiled_code": code,
            "relation_name": '"build"."s"."x"',
        }

    manifest = {
        "nodes": {
            "test.t": node("test", "test", ["model.b"]),
            "model.b": node("model", "table", ["model.a", "model.e"]),
            "model.a": node("model", "view", ["source.raw"]),
            "model.e": node("model", "ephemeral", []),
            "model.unbuilt": node("model", "table", [], code=None),
        }
    }
    plan = plan_from_manifest(manifest)
    assert [s.unique_id for s in plan] == ["model.a", "model.b", "test.t"]
    assert statements(plan[1])[-1].startswith('create or replace table "build"."s"."x" as (')
    assert statements(SqlStep("t", "test", None, "select 1"))[0].startswith("select count(*)")


def test_report_block_is_replaced_and_other_sections_kept(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nIntro.\n\n## Landing\n\nTheirs.\n", encoding="utf-8")
    update_document(doc, "first")
    update_document(doc, "second")
    text = doc.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "second" in text and "first" not in text
    assert text.index("## Pipeline") < text.index("## Landing")
    assert text.endswith("## Landing\n\nTheirs.\n")


def test_latest_results_takes_the_newest_per_scale(tmp_path: Path) -> None:
    for name, marker in [
        ("small-20261127T050000Z.json", 1),
        ("small-20261127T060000Z.json", 2),
        ("medium-20261127T050000Z.json", 3),
        ("generate-small-20261127T070000Z.json", 4),
    ]:
        (tmp_path / name).write_text(json.dumps({"marker": marker}), encoding="utf-8")
    latest = latest_results(tmp_path)
    assert list(latest) == ["small", "medium"]
    assert latest["small"]["marker"] == 2 and latest["medium"]["marker"] == 3


def test_registry_orders_stages_and_marks_what_is_not_built_yet(tmp_path: Path) -> None:
    (tmp_path / "overview.py").write_text("", encoding="utf-8")
    stages = pipeline_stages({"ml_rfm": ["marts/fct_orders"]}, pages_dir=tmp_path)
    names = [s.name for s in stages]
    assert names[:5] == ["generate", "land", "raw_checks", "dbt_build", "identity_resolution"]
    assert names[-2:] == ["publish", "page:overview"]
    by_name = {s.name: s for s in stages}
    assert by_name["model:ml_rfm"].run is not None  # discovered: measured
    assert by_name["model:ml_clv"].unavailable.startswith("not available yet")
    # the Splink step runs inside dbt_build (phase 2 needs its pairs) and is re-timed alone
    assert by_name["identity_resolution"].run is not None
    assert by_name["dbt_build"].in_pipeline and not by_name["identity_resolution"].in_pipeline
    assert not by_name["page:overview"].in_pipeline and not by_name["generate"].in_pipeline
    assert [r.name for r in RATIOS if r.unavailable] == []
    for name in ("customer360_pandas_speedup", "rfm_pandas_speedup"):
        assert next(r for r in RATIOS if r.name == name).measure is not None


def test_customer_models_are_measured_stages_once_discovered(tmp_path: Path) -> None:
    models = {
        "ml_churn": ["core/fct_order_lines", "ml_clv"],
        "ml_clv": ["core/fct_order_lines"],
        "ml_segments": ["core/fct_order_lines"],
        "ml_rfm": ["marts/fct_orders"],
        "ml_channel_attribution": [],
        "ml_channel_mmm": ["ml_channel_attribution"],
    }
    stages = pipeline_stages(models, pages_dir=tmp_path)
    assert [s.name for s in stages if s.unavailable] == []
    by_name = {s.name: s for s in stages}
    for key in ("ml_churn", "ml_clv", "ml_segments"):
        assert by_name[f"model:{key}"].run is not None
    # churn reads the CLV table: its stage comes after CLV's, though its name sorts first
    names = [s.name for s in stages]
    assert names.index("model:ml_clv") < names.index("model:ml_churn")
    assert model_order(models) == [
        "ml_channel_attribution",
        "ml_channel_mmm",
        "ml_clv",
        "ml_churn",
        "ml_rfm",
        "ml_segments",
    ]
    # before discovery the churn stage is registered under its real key, selectable by name
    assert "model:ml_churn" in [s.name for s in pipeline_stages({}, pages_dir=tmp_path)]


def test_a_model_stage_forgets_stored_models_so_each_repetition_trains(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "build.duckdb"
    forget_stored_models(path)  # no build file yet: nothing to do, nothing created
    assert not path.exists()
    con = duckdb.connect(str(path))
    con.execute("create schema model_store")
    con.execute("create table model_store.churn_model as select 1 as payload")
    con.execute("create schema ml")
    con.execute("create table ml.churn_scores as select 0.5 as churn_probability")
    con.close()
    forget_stored_models(path)
    con = duckdb.connect(str(path), read_only=True)
    tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    con.close()
    assert tables == [("ml", "churn_scores")]


def _stage(name: str, wall: float, rss: float, status: str = "ok") -> dict:
    metrics = {"wall_seconds": {"median": wall}, "peak_rss_mb": {"median": rss}}
    return {"stage": name, "status": status, "metrics": metrics}


def test_customer_model_goals_add_the_three_stages_times_and_take_the_peak() -> None:
    goal = {g.name: g for g in GOALS}
    stages = [
        _stage("model:ml_churn", 120.0, 1500.0),
        _stage("model:ml_clv", 40.0, 900.0),
        _stage("model:ml_segments", 30.0, 2100.0),
    ]
    slow = evaluate(goal["customer_models_time"], _result("medium", stages=stages))
    assert slow["measured"] == 190.0 and slow["note"] == "missed by 10.00 s (1.1x the target)"
    memory = evaluate(goal["customer_models_memory"], _result("medium", stages=stages))
    assert memory["status"] == "missed" and memory["measured"] == 2100.0
    fast = [_stage(s["stage"], 50.0, 1000.0) for s in stages]
    assert evaluate(goal["customer_models_time"], _result("medium", stages=fast))["status"] == (
        "met"
    )
    partial = evaluate(goal["customer_models_time"], _result("medium", stages=fast[:2]))
    assert partial["status"] == "not measured"
    assert partial["note"] == "not measured: stage model:ml_segments was not run"
    absent = [*fast[:2], _stage("model:ml_segments", 0, 0, status="not available yet")]
    assert evaluate(goal["customer_models_time"], _result("medium", stages=absent))["status"] == (
        "not available yet"
    )


def test_failure_reason_is_the_last_exception_line() -> None:
    note = "cmd exited with 1; log x:\nTraceback\n  File y\nKeyError: 'a'\nRuntimeError: run failed"
    assert _first_error(note) == "RuntimeError: run failed"
    assert _first_error("plain | message") == "plain / message"
