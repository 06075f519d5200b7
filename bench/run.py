"""One benchmark run: measure the selected stages and ratios at one scale, return the result.

The result is the JSON document written to ``bench/results/<scale>-<timestamp>.json``:
``stages`` (per stage: status, runs, metrics), a flat ``metrics`` list (stage, metric, median,
min, max), ``ratios`` (name, value, min, max, both sides), ``end_to_end``, ``goals`` and the
``machine`` it ran on.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from bench.context import BenchContext
from bench.goals import evaluate_all
from bench.measure import ChildFailed, spread
from bench.ratio_base import Ratio
from bench.ratios import RATIOS
from bench.stages import Stage, StageRun, pipeline_stages
from orchestration.settings import REPO_ROOT

SCHEMA_VERSION = 1
SCALES = ("tiny", "small", "medium", "large")
METRICS = ("wall_seconds", "cpu_seconds", "peak_rss_mb")
VERSIONED = (
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "dagster",
    "dagster-dbt",
    "polars",
    "pandas",
    "scikit-learn",
    "streamlit",
)


def source_revision() -> dict[str, Any]:
    """The commit measured and whether the working tree had local changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain") if commit else None
    return {"commit": commit, "local_changes": bool(status) if status is not None else None}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    versions = {}
    for package in VERSIONED:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "python": platform.python_version(),
        "versions": versions,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def stage_matches(stage_name: str, wanted: Sequence[str]) -> bool:
    """``wanted`` names a stage exactly, or ``model`` / ``page`` for all stages of that kind."""
    kind = stage_name.split(":", 1)[0]
    return any(w == stage_name or w.rstrip("s") == kind for w in wanted)


def _stage_record(stage: Stage, runs: list[StageRun]) -> dict[str, Any]:
    metrics = {
        metric: spread([getattr(run.measurement, metric) for run in runs]) for metric in METRICS
    }
    steps = [run.extra["step_seconds"] for run in runs if "step_seconds" in run.extra]
    if steps:
        metrics["step_seconds"] = spread(steps)
    last = runs[-1]
    return {
        "stage": stage.name,
        "title": stage.title,
        "status": "ok",
        "in_pipeline": stage.in_pipeline,
        "rows_in": last.rows_in,
        "rows_out": last.rows_out,
        "metrics": metrics,
        "runs": [
            {
                **run.measurement.to_dict(),
                "rows_in": run.rows_in,
                "rows_out": run.rows_out,
                "extra": run.extra,
            }
            for run in runs
        ],
    }


def _plain_record(stage: Stage, status: str, note: str) -> dict[str, Any]:
    return {
        "stage": stage.name,
        "title": stage.title,
        "status": status,
        "note": note,
        "in_pipeline": stage.in_pipeline,
    }


def _ratio_record(ratio: Ratio, status: str, note: str = "", **values: Any) -> dict[str, Any]:
    return {
        "ratio": ratio.name,
        "title": ratio.title,
        "numerator": ratio.numerator,
        "denominator": ratio.denominator,
        "status": status,
        "note": note,
        **values,
    }


def end_to_end(stages: list[dict[str, Any]], ratios: list[dict[str, Any]]) -> dict[str, Any]:
    """The pipeline from extracts to the published warehouse (land to publish).

    ``wall_seconds`` is the full rebuild of the incremental ratio when it ran: one real
    `tandem run`, which starts Dagster once. Otherwise it is the sum of the pipeline stages'
    medians, each of which pays its own Dagster start-up. ``complete`` is false when an available
    pipeline stage was not measured; stages not available yet are named and left out.
    """
    pipeline = [s for s in stages if s["in_pipeline"]]
    measured = [s for s in pipeline if s["status"] == "ok"]
    missing = [s["stage"] for s in pipeline if s["status"] not in {"ok", "not available yet"}]
    stage_sum = round(sum(s["metrics"]["wall_seconds"]["median"] for s in measured), 3)
    stage_peak = max((s["metrics"]["peak_rss_mb"]["max"] for s in measured), default=0.0)
    full = next(
        (r for r in ratios if r["ratio"] == "incremental_vs_full" and r["status"] == "ok"), None
    )
    run_seconds = full["denominator_metrics"]["wall_seconds"]["median"] if full else None
    run_peak = full["denominator_metrics"]["peak_rss_mb"]["max"] if full else 0.0
    return {
        "stages": [s["stage"] for s in measured],
        "not_available_yet": [s["stage"] for s in pipeline if s["status"] == "not available yet"],
        "complete": run_seconds is not None or (bool(measured) and not missing),
        "source": "tandem run (full rebuild)" if run_seconds is not None else "sum of stages",
        "wall_seconds": run_seconds if run_seconds is not None else stage_sum,
        "sum_of_stages_seconds": stage_sum,
        "tandem_run_seconds": run_seconds,
        "peak_rss_mb": max(stage_peak, run_peak),
    }


def flat_metrics(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (stage, metric): median, min, max, n."""
    return [
        {"stage": s["stage"], "metric": metric, **values}
        for s in stages
        if s["status"] == "ok"
        for metric, values in s["metrics"].items()
    ]


def run_bench(
    scale: str,
    seed: int = 42,
    repeat: int = 3,
    stages: Sequence[str] | None = None,
    ratios: Sequence[str] | None = None,
    work: Path | None = None,
    keep: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure ``stages`` (default: all) and ``ratios`` (default: all) at ``scale``.

    Stages a selected stage or ratio builds on run once, unmeasured, as set-up. Failures are
    recorded in the result (the stages after a failed one are skipped), never raised.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if repeat < 1:
        raise ValueError("--repeat must be at least 1")
    scratch = work or Path(tempfile.mkdtemp(prefix=f"tandem-bench-{scale}-"))
    ctx = BenchContext(scale, seed, scratch, repeat, progress)
    started_at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    say = ctx.say
    wanted_ratios = [r for r in RATIOS if ratios is None or r.name in ratios]
    try:
        plan = _plan(ctx, stages, wanted_ratios)
        stage_records, failed = _run_stages(ctx, plan)
        ratio_records = _run_ratios(ctx, wanted_ratios, failed)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    result: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "scale": scale,
        "seed": seed,
        "repeat": repeat,
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "source": source_revision(),
        "dataset": {k: v for k, v in ctx.state.get("dataset", {}).items() if k != "rows_by_file"},
        "stages": stage_records,
        "metrics": flat_metrics(stage_records),
        "ratios": ratio_records,
        "end_to_end": end_to_end(stage_records, ratio_records),
        "work": str(scratch) if keep else None,
    }
    result["goals"] = evaluate_all(result)
    say(f"bench {scale}: done in {result['seconds']:.0f} s")
    return result


def _plan(
    ctx: BenchContext, selected: Sequence[str] | None, ratios: list[Ratio]
) -> list[tuple[Stage, str]]:
    """Each stage with what to do: ``measure``, ``setup`` (run once), ``skip`` or ``missing``."""
    base = pipeline_stages({})
    needs = {r.needs for r in ratios if r.measure is not None}
    chosen = [s.name for s in base if selected is None or stage_matches(s.name, selected)]
    # Model stages are discovered from the Dagster graph, which costs a Dagster start-up: only
    # when a model or anything after the models is wanted.
    names = [s.name for s in base]
    last = max((names.index(n) for n in [*chosen, *needs] if n in names), default=-1)
    models: dict[str, list[str]] = {}
    if last > names.index("dbt_build"):
        ctx.say("discovering model assets in the Dagster graph")
        _, found = ctx.run_task("discover", {}, label="discover")
        models = found["models"]
    full = pipeline_stages(models)
    full_names = [s.name for s in full]
    chosen = [s.name for s in full if selected is None or stage_matches(s.name, selected)]
    last = max((full_names.index(n) for n in [*chosen, *needs] if n in full_names), default=-1)
    plan = []
    for index, stage in enumerate(full):
        if stage.unavailable:
            plan.append((stage, "missing"))
        elif stage.name in chosen:
            plan.append((stage, "measure"))
        elif index <= last:
            # stages before the last one wanted, and a ratio's `needs` stage itself
            plan.append((stage, "setup"))
        else:
            plan.append((stage, "skip"))
    return plan


def _run_stages(
    ctx: BenchContext, plan: list[tuple[Stage, str]]
) -> tuple[list[dict[str, Any]], str | None]:
    records: list[dict[str, Any]] = []
    failed: str | None = None
    for stage, action in plan:
        if action == "missing":
            records.append(_plain_record(stage, "not available yet", stage.unavailable or ""))
            continue
        if failed:
            if action == "measure":
                records.append(_plain_record(stage, "skipped", f"`{failed}` failed"))
            continue
        if action == "skip":
            records.append(_plain_record(stage, "not measured", "not selected"))
            continue
        assert stage.run is not None
        times = ctx.repeat if action == "measure" else 1
        runs: list[StageRun] = []
        try:
            for repetition in range(times):
                ctx.say(f"{stage.name}: {action} {repetition + 1}/{times}")
                if stage.prepare:
                    stage.prepare(ctx)
                runs.append(stage.run(ctx))
        except (ChildFailed, OSError, ValueError, KeyError) as error:
            if stage.blocking:
                failed = stage.name
            records.append(_plain_record(stage, "failed", str(error)))
            continue
        if action == "measure":
            records.append(_stage_record(stage, runs))
        else:
            records.append(_plain_record(stage, "not measured", "run once as set-up"))
    return records, failed


def _run_ratios(ctx: BenchContext, ratios: list[Ratio], failed: str | None) -> list[dict[str, Any]]:
    records = []
    for ratio in ratios:
        if ratio.measure is None:
            records.append(_ratio_record(ratio, "not available yet", ratio.unavailable or ""))
            continue
        if failed:
            records.append(_ratio_record(ratio, "skipped", f"`{failed}` failed"))
            continue
        ctx.say(f"ratio {ratio.name}")
        try:
            outcome = ratio.measure(ctx)
        except (ChildFailed, OSError, ValueError, KeyError) as error:
            records.append(_ratio_record(ratio, "failed", str(error)))
            continue
        records.append(
            _ratio_record(
                ratio,
                "ok",
                **outcome.value(),
                numerator_metrics={
                    m: spread([getattr(x, m) for x in outcome.numerator]) for m in METRICS
                },
                denominator_metrics={
                    m: spread([getattr(x, m) for x in outcome.denominator]) for m in METRICS
                },
                extra=outcome.extra,
            )
        )
    return records
