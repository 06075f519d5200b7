"""Comparisons around dbt: dbt vs its compiled SQL, one daily drop vs a full rebuild, and the
DuckDB target vs the PostgreSQL target of the same project."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

from bench.context import BenchContext, link_tree, reset_warehouse
from bench.measure import ChildFailed, measure_child
from bench.ratio_base import RatioResult, scratch_warehouse
from orchestration.dbt_manifest import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT


def dbt_command(verb: str, target_path: Path, log_path: Path, *extra: str) -> list[str]:
    """The plain dbt CLI on Tandem's project, artefacts kept out of the repository."""
    return [
        dbt_executable(),
        verb,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        "--quiet",
        *extra,
    ]


def measure_dbt_vs_raw_sql(ctx: BenchContext) -> RatioResult:
    """`dbt build` vs executing its compiled SQL directly, on a copy of the landed raw data."""
    home, settings = scratch_warehouse(ctx, "ratio-dbt")
    target, logs = home / "dbt_target", home / "dbt_logs"
    env = ctx.env(home)
    # Warm-up parse (unmeasured): every later `dbt build` starts from a partial-parse state, as
    # the pipeline's own builds do; the raw SQL side never parses at all.
    measure_child(dbt_command("parse", target, logs), env, REPO_ROOT, home / "parse.log")
    dbt_runs, raw_runs = [], []
    outcome: dict[str, Any] = {}
    for repetition in range(ctx.repeat):
        ctx.say(f"  dbt build vs raw SQL: repetition {repetition + 1}/{ctx.repeat}")
        dbt_runs.append(
            measure_child(dbt_command("build", target, logs), env, REPO_ROOT, home / "build.log")
        )
        measurement, outcome = ctx.run_task(
            "raw_sql",
            {"manifest": str(target / "manifest.json"), "database": str(settings.build_db)},
            home=home,
            label="raw_sql",
        )
        raw_runs.append(measurement)
    failing = {uid: n for uid, n in outcome.get("test_failures", {}).items() if n}
    return RatioResult(
        dbt_runs,
        raw_runs,
        {
            "relations": len(outcome.get("relations", [])),
            "tests": len(outcome.get("test_failures", {})),
            "tests_failing": failing,
            "sql_seconds": outcome.get("sql_seconds"),
        },
    )


def measure_dagster_vs_dbt(ctx: BenchContext) -> RatioResult:
    """The pipeline's two dbt assets through Dagster vs the plain `dbt build` of the same nodes.

    Both sides start from a copy of the built warehouse (its identity pairs in place, so phase 2
    has its input without the Splink step, which is not dbt's) and from a warm partial parse:
    the Dagster side starts, as a `tandem run` does, from the project's parse; the plain side
    gets one unmeasured `dbt parse` in its own target folder. The Dagster side is one child
    process that imports Dagster, loads the definitions and materializes ``warehouse_staging``
    then ``warehouse_models`` (two dbt processes, every dbt test an asset check); the plain side
    is one `dbt build` of every node. The ratio is what Dagster costs on top of dbt.
    """
    home, _ = scratch_warehouse(ctx, "ratio-dagster")
    target, logs = home / "plain_target", home / "plain_logs"
    env = ctx.env(home)
    measure_child(dbt_command("parse", target, logs), env, REPO_ROOT, home / "parse.log")
    dagster_runs, plain_runs = [], []
    info: dict[str, Any] = {}
    for repetition in range(ctx.repeat):
        ctx.say(f"  Dagster vs plain dbt build: repetition {repetition + 1}/{ctx.repeat}")
        measurement, info = ctx.run_task(
            "dagster",
            {"exclude_groups": ["raw", "identity", "models", "serving"]},
            home=home,
            label="dagster_dbt",
        )
        dagster_runs.append(measurement)
        plain_runs.append(
            measure_child(dbt_command("build", target, logs), env, REPO_ROOT, home / "build.log")
        )
    return RatioResult(
        dagster_runs,
        plain_runs,
        {
            "dagster_load_seconds": info.get("load_seconds"),
            "dagster_step_seconds": info.get("step_seconds"),
            "asset_checks": info.get("checks", {}),
            "plain_nodes": _run_result_counts(target / "run_results.json"),
        },
    )


def last_drop(drops_root: Path) -> Path:
    """The newest ``drops/YYYY-MM-DD`` folder."""
    drops = sorted(p for p in (drops_root / "drops").iterdir() if p.is_dir())
    if not drops:
        raise FileNotFoundError(f"no daily drops under {drops_root / 'drops'}")
    return drops[-1]


def measure_incremental_vs_full(ctx: BenchContext) -> RatioResult:
    """`tandem run` after one new daily drop vs `tandem run` from nothing, same extracts.

    The full rebuild lands the full extract into an empty warehouse. The incremental run starts
    from that built warehouse and lands the last daily drop of the same simulation (same scale,
    seed and period; the drops together hold exactly the rows of the full extract). The full
    extract already holds that day's rows, which the drop sends again; staging keeps one version
    per key, so the result equals landing every earlier drop first, which as a set-up would
    cost ~0.1 s per file for ~10,000 files. Both run in one TANDEM_HOME with dbt's parse state
    warm (an unmeasured `dbt parse` first), as daily runs do, so neither pays a full parse.
    """
    drops_out = ctx.work / "drops"
    if not drops_out.exists():
        ctx.say("  generating daily drops of the same simulation")
        ctx.run_task(
            "generate",
            {"out": str(drops_out), "scale": ctx.scale, "seed": ctx.seed, "daily_drops": True},
            label="generate-drops",
        )
    drop = last_drop(drops_out)
    home = ctx.work / "ratio-incremental"
    settings = ctx.settings(home)
    shutil.rmtree(home, ignore_errors=True)
    link_tree(ctx.settings().landing_dir, settings.landing_dir)
    settings.ensure_dirs()
    target = settings.root / "dbt_target"
    measure_child(
        dbt_command("parse", target, home / "dbt_logs"),
        ctx.env(home),
        REPO_ROOT,
        home / "parse.log",
    )
    dropped = settings.landing_dir / "drops" / drop.name
    saved = ctx.work / "ratio-incremental-start"
    full_runs, incremental_runs = [], []
    info: dict[str, Any] = {}
    for repetition in range(ctx.repeat):
        ctx.say(f"  incremental day vs full rebuild: repetition {repetition + 1}/{ctx.repeat}")
        shutil.rmtree(settings.landing_dir / "drops", ignore_errors=True)
        reset_warehouse(settings)
        measurement, _ = ctx.run_task("pipeline", {"command": "run"}, home=home, label="full")
        full_runs.append(measurement)
        if repetition == 0:
            # the state a daily run starts from: yesterday's built warehouse
            shutil.rmtree(saved, ignore_errors=True)
            shutil.copytree(settings.warehouse_dir, saved)
        reset_warehouse(settings)
        shutil.copytree(saved, settings.warehouse_dir, dirs_exist_ok=True)
        link_tree(drop, dropped)
        measurement, info = ctx.run_task(
            "pipeline", {"command": "run"}, home=home, label="incremental"
        )
        incremental_runs.append(measurement)
    drop_files = [p for p in drop.rglob("*") if p.is_file()]
    return RatioResult(
        incremental_runs,
        full_runs,
        {
            "drop": drop.name,
            "drop_files": len(drop_files),
            "rows": info.get("rows", {}),
            "failed_steps": info.get("failed_steps", []),
        },
    )


def measure_duckdb_vs_postgres(ctx: BenchContext) -> RatioResult:
    """`dbt build` on the DuckDB target vs the same project on a throw-away PostgreSQL 15.

    Both sides start from the same landed raw data: a copy of the build file for DuckDB, and a
    mirror of its raw tables (``orchestration.postgres_mirror``, PostgreSQL ``COPY``) for
    PostgreSQL. The server (``orchestration/services/postgres.sh``) is started once and stopped
    at the end; its start, the mirror (in a child: wall, CPU, peak RSS) and its stop are set-up,
    reported in ``extra`` but not in the ratio. The PostgreSQL side's CPU seconds are the dbt
    process's; the server's own CPU during each build is ``postgres_server_cpu_seconds``. Each
    side has its own dbt target folder, parsed once unmeasured, so both builds start from a warm
    partial-parse state.
    """
    # imported here: only this comparison needs the server script
    from orchestration.services.postgres import PostgresServerError, start_server

    home, settings = scratch_warehouse(ctx, "ratio-postgres")
    try:
        server = start_server()
    except PostgresServerError as error:
        raise ChildFailed(f"the PostgreSQL server did not start: {error}") from error
    env = {**ctx.env(home), **server.env()}
    sides = {"duckdb": home / "duckdb_target", "postgres": home / "postgres_target"}
    duckdb_runs, postgres_runs, server_cpus = [], [], []
    try:
        # in a child: a parent grown by the copy would pass its peak RSS on to every dbt child
        mirror_run, mirror = ctx.run_task(
            "postgres_mirror",
            {"build_db": str(settings.build_db), "pg": server.env(), "workdir": str(ctx.work)},
            home=home,
            label="postgres_mirror",
        )
        for name, target in sides.items():
            measure_child(
                dbt_command("parse", target, target, "--target", name),
                env,
                REPO_ROOT,
                home / f"{name}-parse.log",
            )
        for repetition in range(ctx.repeat):
            ctx.say(f"  DuckDB vs PostgreSQL target: repetition {repetition + 1}/{ctx.repeat}")
            for name, runs in (("duckdb", duckdb_runs), ("postgres", postgres_runs)):
                server_cpu = server_cpu_seconds(server.directory)
                runs.append(
                    measure_child(
                        dbt_command("build", sides[name], sides[name], "--target", name),
                        env,
                        REPO_ROOT,
                        home / f"{name}-build.log",
                    )
                )
                if name == "postgres":
                    server_cpus.append(round(server_cpu_seconds(server.directory) - server_cpu, 3))
    finally:
        stop_seconds = server.stop()
    nodes = {
        name: _run_result_counts(target / "run_results.json") for name, target in sides.items()
    }
    return RatioResult(
        duckdb_runs,
        postgres_runs,
        {
            "server_start_seconds": server.start_seconds,
            "server_stop_seconds": stop_seconds,
            "mirror_seconds": mirror["seconds"],
            "mirror_tables": mirror["tables"],
            "mirror_rows": mirror["rows"],
            "mirror": mirror_run.to_dict(),
            # the PostgreSQL side's cpu_seconds are dbt's; the server's own work is here
            "postgres_server_cpu_seconds": server_cpus,
            "nodes": nodes,
        },
    )


def server_cpu_seconds(cluster: Path) -> float:
    """CPU seconds the PostgreSQL server of ``cluster`` has used so far, backends included.

    The postmaster reaps every backend, so its children's times hold the exited connections;
    the live processes are added one by one.
    """
    pid = int((cluster / "data" / "postmaster.pid").read_text(encoding="utf-8").split()[0])
    postmaster = psutil.Process(pid)
    times = postmaster.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in postmaster.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue  # a backend that just exited: its time is in the postmaster's children
        total += child_times.user + child_times.system
    return total


def _run_result_counts(path: Path) -> dict[str, int]:
    """How many nodes of the last dbt invocation ended in each status (success, pass, ...)."""
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    return dict(Counter(result["status"] for result in results))
