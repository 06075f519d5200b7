"""The registry of side-by-side comparisons, each measured in the same run on the same data.

A ratio runs its numerator and its denominator alternately (A, B, A, B, ...) so a change in the
machine's load hits both sides alike; its value is the median of the paired ratios of wall time,
with their min and max as the spread. A comparison that needs a part a later issue brings is
registered as not available yet.
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.context import BenchContext, link_tree, reset_warehouse
from bench.measure import ChildFailed, Measurement, measure_child
from orchestration.dbt_manifest import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, TandemSettings


@dataclass(frozen=True)
class RatioResult:
    """Paired repetitions of both sides of a comparison."""

    numerator: list[Measurement]
    denominator: list[Measurement]
    extra: dict[str, Any] = field(default_factory=dict)

    def paired(self) -> list[float]:
        """Numerator wall time over denominator wall time, repetition by repetition."""
        return [
            a.wall_seconds / b.wall_seconds
            for a, b in zip(self.numerator, self.denominator, strict=True)
            if b.wall_seconds > 0
        ]

    def value(self) -> dict[str, float]:
        """Median, min and max of the paired ratios."""
        pairs = self.paired()
        if not pairs:
            raise ValueError("no paired measurements to divide")
        return {
            "value": round(statistics.median(pairs), 4),
            "min": round(min(pairs), 4),
            "max": round(max(pairs), 4),
            "n": len(pairs),
        }


@dataclass(frozen=True)
class Ratio:
    """A comparison: ``numerator`` time over ``denominator`` time."""

    name: str
    title: str
    numerator: str
    denominator: str
    needs: str  # the last pipeline stage whose output the comparison starts from
    measure: Callable[[BenchContext], RatioResult] | None = None
    unavailable: str | None = None


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed DuckDB file (and its WAL, if a crash left one) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))


def scratch_warehouse(ctx: BenchContext, name: str) -> tuple[Path, TandemSettings]:
    """A fresh TANDEM_HOME ``ctx.work / name`` holding a copy of the stage home's build file."""
    home = ctx.work / name
    settings = ctx.settings(home)
    reset_warehouse(settings)
    copy_database(ctx.settings().build_db, settings.build_db)
    return home, settings


# --- dbt build vs the same SQL straight in DuckDB ---------------------------------------------


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


# --- one incremental daily drop vs a full rebuild ---------------------------------------------


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


# --- the DuckDB target vs the PostgreSQL target of the same dbt project -----------------------


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


# --- the customer 360: Tandem's SQL vs a pandas notebook ----------------------------------


def pandas_pairs(
    ctx: BenchContext,
    home: Path,
    title: str,
    pandas_params: dict[str, Any],
    tandem: tuple[str, dict[str, Any]],
) -> RatioResult:
    """The notebook (task ``pandas_notebook``) and Tandem's task, alternately, on ``home``.

    The first pair is a warm-up, not counted, so both sides read a file already in the page
    cache. The notebook's load and compute seconds are kept apart in ``extra``.
    """
    tandem_task, tandem_params = tandem
    pandas_runs, tandem_runs, pandas_parts, tandem_rows = [], [], [], None
    for repetition in range(ctx.repeat + 1):
        counted = repetition > 0
        if counted:
            ctx.say(f"  {title}, pandas vs Tandem: repetition {repetition}/{ctx.repeat}")
        pandas_run, pandas_out = ctx.run_task(
            "pandas_notebook", pandas_params, home=home, label=f"pandas_{pandas_params['notebook']}"
        )
        tandem_run, tandem_out = ctx.run_task(
            tandem_task, tandem_params, home=home, label=tandem_task
        )
        if counted:
            pandas_runs.append(pandas_run)
            tandem_runs.append(tandem_run)
            pandas_parts.append(pandas_out)
            tandem_rows = tandem_out["rows"]
    last = pandas_parts[-1]
    return RatioResult(
        pandas_runs,
        tandem_runs,
        {
            "customers": tandem_rows,
            "pandas_rows": last["rows"],
            "input_rows": last["input_rows"],
            "pandas_load_seconds": [part["load_seconds"] for part in pandas_parts],
            "pandas_compute_seconds": [part["compute_seconds"] for part in pandas_parts],
        },
    )


def measure_customer360_vs_pandas(ctx: BenchContext) -> RatioResult:
    """``rpt_customer_360`` in pandas (``bench.pandas_notebook``) vs its compiled SQL in DuckDB.

    Both sides start from the same built warehouse (a copy of the stage's build file) and the
    same inputs: the marts and intermediate tables the model reads. The Tandem side rebuilds
    the table from the SQL dbt compiled for it (what the pipeline executes for this model); the
    pandas side reads those inputs into DataFrames, then filters, groups and merges them, as an
    analyst's notebook would.
    """
    home, settings = scratch_warehouse(ctx, "ratio-customer360")
    target, logs = home / "dbt_target", home / "dbt_logs"
    measure_child(
        dbt_command("compile", target, logs, "--select", "rpt_customer_360"),
        ctx.env(home),
        REPO_ROOT,
        home / "compile.log",
    )
    sql_params = {
        "manifest": str(target / "manifest.json"),
        "database": str(settings.build_db),
        "model": "rpt_customer_360",
    }
    return pandas_pairs(
        ctx,
        home,
        "customer 360",
        {"database": str(settings.build_db), "notebook": "customer_360"},
        ("model_sql", sql_params),
    )


def measure_rfm_vs_pandas(ctx: BenchContext) -> RatioResult:
    """RFM in pandas (``bench.pandas_notebook.rfm``) vs ``models_ml.rfm`` as the asset runs it.

    Both sides start from a copy of the stage's build file. The Tandem side aggregates the
    order lines in DuckDB, scores and segments them in polars and writes ``ml.rfm``; the pandas
    side reads the order lines into a DataFrame and groups, ranks and merges them.
    """
    home, settings = scratch_warehouse(ctx, "ratio-rfm")
    database = str(settings.build_db)
    return pandas_pairs(
        ctx,
        home,
        "RFM",
        {"database": database, "notebook": "rfm"},
        ("model_rfm", {"database": database}),
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


# --- the registry -----------------------------------------------------------------------------

RATIOS: list[Ratio] = [
    Ratio(
        "dbt_vs_raw_sql",
        "dbt build / the same compiled SQL run directly in DuckDB (orchestration overhead)",
        "dbt build",
        "compiled SQL in DuckDB",
        needs="land",
        measure=measure_dbt_vs_raw_sql,
    ),
    Ratio(
        "incremental_vs_full",
        "one daily drop (land + build + publish) / full rebuild from the full extract",
        "incremental day",
        "full rebuild",
        needs="generate",
        measure=measure_incremental_vs_full,
    ),
    Ratio(
        "duckdb_vs_postgres",
        "dbt build on the DuckDB target / the same project on the PostgreSQL target",
        "DuckDB target",
        "PostgreSQL target",
        needs="land",
        measure=measure_duckdb_vs_postgres,
    ),
    Ratio(
        "rfm_pandas_speedup",
        "RFM in pandas / RFM in Tandem (how many times faster Tandem is)",
        "pandas",
        "Tandem",
        needs="dbt_build",
        measure=measure_rfm_vs_pandas,
    ),
    Ratio(
        "customer360_pandas_speedup",
        "customer 360 in pandas / customer 360 in Tandem (how many times faster Tandem is)",
        "pandas",
        "Tandem",
        needs="dbt_build",
        measure=measure_customer360_vs_pandas,
    ),
]
