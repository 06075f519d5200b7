"""The goals issue 6 sets, reported against (never asserted: benchmarks do not fail a run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GIB_MB = 1024  # peak RSS is recorded in MiB


@dataclass(frozen=True)
class Goal:
    """``measured <op> target`` on an end-to-end figure or a ratio, at one scale or any."""

    name: str
    text: str
    source: str  # "end_to_end", "ratio" or "stages"
    key: str  # end_to_end or stage metric (wall_seconds, peak_rss_mb) or ratio name
    op: str  # "<=" or ">="
    target: float
    unit: str
    scale: str | None = None  # None: judged at every scale
    # "stages": the stages whose median metric is summed (time) or maximised (peak memory)
    stages: tuple[str, ...] = ()


# issue 14's three customer models (bench.stages.CUSTOMER_MODELS), named here so judging the
# goals needs no stage registry
CUSTOMER_MODEL_STAGES = ("model:ml_churn", "model:ml_clv", "model:ml_segments")

GOALS: list[Goal] = [
    Goal(
        "medium_end_to_end",
        "medium end to end <= 5 min",
        "end_to_end",
        "wall_seconds",
        "<=",
        300,
        "s",
        "medium",
    ),
    Goal(
        "large_end_to_end",
        "large end to end <= 30 min",
        "end_to_end",
        "wall_seconds",
        "<=",
        1800,
        "s",
        "large",
    ),
    Goal(
        "large_peak_memory",
        "large peak memory <= 6 GB",
        "end_to_end",
        "peak_rss_mb",
        "<=",
        6 * GIB_MB,
        "MB",
        "large",
    ),
    Goal(
        "customer_models_time",
        "churn, CLV and segments trained (and scored) at medium <= 3 min together (issue 14)",
        "stages",
        "wall_seconds",
        "<=",
        180,
        "s",
        "medium",
        CUSTOMER_MODEL_STAGES,
    ),
    Goal(
        "customer_models_memory",
        "churn, CLV and segments peak memory at medium <= 2 GB each (issue 14)",
        "stages",
        "peak_rss_mb",
        "<=",
        2 * GIB_MB,
        "MB",
        "medium",
        CUSTOMER_MODEL_STAGES,
    ),
    Goal("dbt_overhead", "dbt overhead <= 1.5x raw SQL", "ratio", "dbt_vs_raw_sql", "<=", 1.5, "x"),
    Goal(
        "dagster_overhead",
        "dbt through Dagster <= 1.2x the plain dbt build (issue 18)",
        "ratio",
        "dagster_vs_dbt",
        "<=",
        1.2,
        "x",
        "medium",
    ),
    Goal(
        "incremental_day",
        "an incremental day <= 15% of a full rebuild",
        "ratio",
        "incremental_vs_full",
        "<=",
        0.15,
        "x",
    ),
    Goal(
        "rfm_vs_pandas",
        "RFM >= 10x faster than pandas",
        "ratio",
        "rfm_pandas_speedup",
        ">=",
        10,
        "x",
    ),
    Goal(
        "customer360_vs_pandas",
        "customer 360 >= 10x faster than pandas",
        "ratio",
        "customer360_pandas_speedup",
        ">=",
        10,
        "x",
    ),
]


def _stages_measured(goal: Goal, result: dict[str, Any]) -> tuple[float | None, str]:
    """Sum (seconds) or maximum (memory) of the goal's stages' medians, all stages measured."""
    records = {record["stage"]: record for record in result.get("stages", [])}
    values = []
    for name in goal.stages:
        record = records.get(name)
        if record is None:
            return None, f"not measured: stage {name} was not run"
        if record["status"] != "ok":
            return None, f"{record['status']}: stage {name}"
        values.append(record["metrics"][goal.key]["median"])
    return (max(values) if goal.key == "peak_rss_mb" else sum(values)), ""


def _measured(goal: Goal, result: dict[str, Any]) -> tuple[float | None, str]:
    if goal.source == "stages":
        return _stages_measured(goal, result)
    if goal.source == "end_to_end":
        end_to_end = result.get("end_to_end", {})
        if not end_to_end.get("complete"):
            return None, "not measured: not every pipeline stage ran"
        return end_to_end[goal.key], ""
    ratio = next((r for r in result.get("ratios", []) if r["ratio"] == goal.key), None)
    if ratio is None or ratio["status"] == "skipped":
        return None, "not measured in this run"
    if ratio["status"] != "ok":
        return None, ratio.get("note") or ratio["status"]
    return ratio["value"], ""


def evaluate(goal: Goal, result: dict[str, Any]) -> dict[str, Any]:
    """Judge one goal on one result: met, missed (by how much) or why it was not judged."""
    row: dict[str, Any] = {
        "goal": goal.name,
        "text": goal.text,
        "target": goal.target,
        "op": goal.op,
        "unit": goal.unit,
        "scale": goal.scale,
    }
    if goal.scale and goal.scale != result["scale"]:
        return {
            **row,
            "status": "not applicable",
            "measured": None,
            "note": f"judged at scale {goal.scale}",
        }
    measured, why = _measured(goal, result)
    if measured is None:
        status = "not available yet" if why.startswith("not available yet") else "not measured"
        return {**row, "status": status, "measured": None, "note": why}
    met = measured <= goal.target if goal.op == "<=" else measured >= goal.target
    note = ""
    if not met:
        gap = measured - goal.target if goal.op == "<=" else goal.target - measured
        factor = measured / goal.target if goal.op == "<=" else goal.target / measured
        note = f"missed by {gap:,.2f} {goal.unit} ({factor:.1f}x the target)"
    return {
        **row,
        "status": "met" if met else "missed",
        "measured": round(measured, 4),
        "note": note,
    }


def evaluate_all(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every goal judged on ``result``."""
    return [evaluate(goal, result) for goal in GOALS]
