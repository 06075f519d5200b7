"""The harness at scale tiny: the CLI writes the documented JSON; landing rows add up."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from bench.run import METRICS
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.conftest import run_tandem


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path, str]:
    """One real `tandem bench` at tiny: generate and land measured, nothing else."""
    tmp = tmp_path_factory.mktemp("bench")
    report = tmp / "BENCHMARKS.md"
    report.write_text((REPO_ROOT / "docs" / "BENCHMARKS.md").read_text(encoding="utf-8"))
    theirs = report.read_text(encoding="utf-8").split("## Sample data generation", 1)[1]
    completed = run_tandem(
        "bench",
        "--scale",
        "tiny",
        "--repeat",
        "1",
        "--stages",
        "generate,land",
        "--ratios",
        "none",
        "--results-dir",
        str(tmp / "results"),
        "--report",
        str(report),
        "--work",
        str(tmp / "work"),
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    [path] = (tmp / "results").glob("tiny-*.json")
    return json.loads(path.read_text(encoding="utf-8")), tmp / "work", report, theirs


def test_result_has_the_documented_structure(bench_run) -> None:
    result, _, report, theirs = bench_run
    assert result["scale"] == "tiny" and result["repeat"] == 1
    assert result["machine"]["cpus"] >= 1 and result["machine"]["versions"]["duckdb"]
    stages = {s["stage"]: s for s in result["stages"]}
    generate = stages["generate"]
    assert generate["status"] == "ok" and len(generate["runs"]) == 1
    assert generate["rows_out"] == result["dataset"]["rows"] > 40_000
    for name in ("generate", "land"):
        for metric in METRICS:
            values = stages[name]["metrics"][metric]
            assert 0 < values["min"] <= values["median"] <= values["max"], (name, metric)
    flat = {(m["stage"], m["metric"]): m for m in result["metrics"]}
    assert flat[("land", "wall_seconds")] == {
        "stage": "land",
        "metric": "wall_seconds",
        **stages["land"]["metrics"]["wall_seconds"],
    }
    assert stages["identity_resolution"]["status"] == "not measured"  # not in --stages
    assert stages["dbt_build"]["status"] == "not measured"
    assert result["ratios"] == []
    assert not result["end_to_end"]["complete"]  # dbt build and publish were not measured
    assert {g["goal"] for g in result["goals"]} >= {"dbt_overhead", "incremental_day"}
    text = report.read_text(encoding="utf-8")
    assert text.split("## Sample data generation", 1)[1] == theirs
    assert "| tiny | generate |" in text and "| tiny | land |" in text


def test_land_rows_out_equal_the_ledger_and_the_raw_tables(bench_run) -> None:
    result, work, _, _ = bench_run
    land = next(s for s in result["stages"] if s["stage"] == "land")
    assert land["status"] == "ok", land.get("note")
    [run] = land["runs"]
    assert run["wall_seconds"] > 0 and run["cpu_seconds"] > 0 and run["peak_rss_mb"] > 50
    # Dagster's own step time is part of the child's wall time
    assert 0 < run["extra"]["step_seconds"] < run["wall_seconds"]
    assert land["rows_in"] == result["dataset"]["rows"]
    con = duckdb.connect(str(TandemSettings(home=work / "home").build_db), read_only=True)
    try:
        ledger = con.execute(
            "select sum(rows) from raw_meta.file_ledger where status = 'landed'"
        ).fetchone()[0]
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'raw\\_%' escape '\\' and table_schema <> 'raw_meta'"
        ).fetchall()
        raw_rows = sum(
            con.execute(f"select count(*) from {schema}.{name}").fetchone()[0]
            for schema, name in tables
        )
    finally:
        con.close()
    assert land["rows_out"] == ledger == raw_rows
    # the planted truncated receipts file is quarantined, so fewer rows land than were written
    assert 0 < land["rows_out"] < land["rows_in"]
    assert run["extra"]["ledger"]["quarantined"]["files"] >= 1
