"""Comparisons of Tandem's SQL with the pandas notebook an analyst would write (RFM, 360)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.context import BenchContext
from bench.measure import measure_child
from bench.ratio_base import RatioResult, scratch_warehouse
from bench.ratios_dbt import dbt_command
from orchestration.settings import REPO_ROOT


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
