"""The work a measured child process does: ``python -m bench.child TASK PARAMS.json OUT.json``.

Each task is the real pipeline code (the simulator, a Dagster run of the stage's assets, the dbt
CLI, a Streamlit page), imported only inside the task so the child pays for nothing else. A task
returns a JSON-able dict (row counts, step times) that the parent reads after measuring.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Task = Callable[[dict[str, Any]], dict[str, Any]]
TASKS: dict[str, Task] = {}


def task(name: str) -> Callable[[Task], Task]:
    """Register a child task under ``name``."""

    def register(function: Task) -> Task:
        TASKS[name] = function
        return function

    return register


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@task("generate")
def generate_extracts(params: dict[str, Any]) -> dict[str, Any]:
    """Simulate the company into ``params['out']`` (full extracts or daily drops)."""
    from simulator import generate

    summary = generate(
        Path(params["out"]),
        scale=params["scale"],
        seed=params["seed"],
        daily_drops=params.get("daily_drops", False),
        progress=_say,
    )
    files = summary["files"]
    return {
        "customers": summary["customers"],
        "files": len(files),
        "rows": sum(f["rows"] for f in files.values()),
        "bytes": sum(f["bytes"] for f in files.values()),
        "rows_by_file": {name: f["rows"] for name, f in files.items()},
    }


def _metadata_rows(metadata: dict[str, Any]) -> int | None:
    from orchestration.commands.pipeline import ROW_METADATA_KEYS

    values = [metadata[key] for key in ROW_METADATA_KEYS if key in metadata]
    if not values:
        return None
    return sum(int(getattr(value, "value", value) or 0) for value in values)


def _root_cause(error: Any) -> str:
    """The first line of the innermost error (Dagster wraps the asset's own exception)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = [line for line in str(error.message).splitlines() if line.strip()]
    return lines[0].strip() if lines else "step failed"


@task("dagster")
def materialize(params: dict[str, Any]) -> dict[str, Any]:
    """Materialize one stage's assets through Dagster, as the pipeline's job does."""
    import dagster as dg

    from orchestration.settings import get_settings

    settings = get_settings()
    settings.ensure_dirs()
    settings.export_tool_env()
    started = time.perf_counter()
    from orchestration.dbt_manifest import ensure_manifest

    ensure_manifest()
    # imported late: the definitions load the manifest just prepared
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    if params.get("checks_of_groups"):
        # the groups' asset checks alone: the groups minus their assets
        groups = dg.AssetSelection.groups(*params["checks_of_groups"])
        selection = groups - groups.without_checks()
    elif params.get("groups"):
        selection = dg.AssetSelection.groups(*params["groups"])
    elif params.get("exclude_groups"):
        selection = dg.AssetSelection.all() - dg.AssetSelection.groups(*params["exclude_groups"])
    else:
        keys = [dg.AssetKey.from_user_string(key) for key in params["keys"]]
        selection = dg.AssetSelection.assets(*keys)
    if params.get("without_checks"):
        selection = selection.without_checks()
    job = dg.define_asset_job("tandem_bench", selection=selection).resolve(asset_graph=graph)
    load_seconds = time.perf_counter() - started
    rows: dict[str, int] = {}
    checks = {"passed": 0, "failed": 0}
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            resources=defs.resources,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        for event in result.all_events:
            if event.is_step_materialization:
                materialization = event.event_specific_data.materialization
                counted = _metadata_rows(dict(materialization.metadata))
                if counted is not None:
                    key = materialization.asset_key.to_user_string()
                    rows[key] = rows.get(key, 0) + counted
            elif event.event_type_value == "ASSET_CHECK_EVALUATION":
                checks["passed" if event.event_specific_data.passed else "failed"] += 1
        step_seconds = sum(
            (stats.end_time or 0) - stats.start_time
            for stats in instance.get_run_step_stats(result.run_id)
            if stats.start_time
        )
    if not result.success:
        failures = [
            f"{event.step_key}: {_root_cause(event.event_specific_data.error)}"
            for event in result.all_events
            if event.is_step_failure and event.event_specific_data.error
        ]
        raise RuntimeError(f"Dagster run {result.run_id} failed: {'; '.join(failures)}")
    return {
        "run_id": result.run_id,
        "load_seconds": round(load_seconds, 3),
        "step_seconds": round(step_seconds, 3),
        "rows_by_asset": rows,
        "checks": checks,
    }


@task("discover")
def discover(params: dict[str, Any]) -> dict[str, Any]:
    """The model assets of the Dagster graph and their upstream assets."""
    from orchestration.settings import get_settings

    get_settings().export_tool_env()
    from orchestration.dbt_manifest import ensure_manifest

    ensure_manifest()
    from orchestration.assets.models import MODELS_GROUP
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    models = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        if node.group_name == MODELS_GROUP:
            models[key.to_user_string()] = sorted(p.to_user_string() for p in node.parent_keys)
    return {"models": models}


@task("pipeline")
def pipeline_run(params: dict[str, Any]) -> dict[str, Any]:
    """`tandem <command>` in this process (land + build + publish for ``run``)."""
    from orchestration.commands.pipeline import execute

    summary = execute(params.get("command", "run"), log_level="WARNING")
    steps = {s.stage: s for s in summary.stages}
    publish = steps.get("serving_warehouse")
    # A failed quality-check step does not stop the run from publishing; it is reported, and the
    # time still counts. Without a publish the run did not do the work being measured.
    if publish is None or publish.status != "success":
        failed = [f"{s.stage}: {'; '.join(s.problems)}" for s in summary.stages if s.problems]
        raise RuntimeError(f"tandem {summary.command} did not publish: {failed}")
    return {
        "seconds": summary.seconds,
        "rows": {s.stage: s.rows for s in summary.stages},
        "failed_steps": [s.stage for s in summary.stages if s.status != "success"],
    }


@task("raw_sql")
def raw_sql(params: dict[str, Any]) -> dict[str, Any]:
    """Execute dbt's compiled SQL directly in DuckDB, in dependency order."""
    from bench.raw_sql import execute_manifest

    return execute_manifest(Path(params["manifest"]), Path(params["database"]))


@task("model_sql")
def model_sql(params: dict[str, Any]) -> dict[str, Any]:
    """Build one model from its compiled SQL in the manifest, as dbt's table materialization."""
    from bench.raw_sql import execute_model

    return execute_model(Path(params["manifest"]), Path(params["database"]), params["model"])


@task("pandas_notebook")
def pandas_notebook(params: dict[str, Any]) -> dict[str, Any]:
    """The customer 360 or RFM the notebook way: inputs into pandas, then groupby and merge."""
    from bench.pandas_notebook import run

    return run(Path(params["database"]), params["notebook"])


@task("model_rfm")
def model_rfm(params: dict[str, Any]) -> dict[str, Any]:
    """``models_ml.rfm`` as the ``ml_rfm`` asset runs it, on the warehouse's as-of date."""
    import duckdb

    from models_ml.rfm import build_rfm
    from models_ml.warehouse import warehouse_as_of

    with duckdb.connect(params["database"]) as con:
        scored = build_rfm(con, warehouse_as_of(con))
    return {"rows": scored.height}


@task("postgres_mirror")
def postgres_mirror(params: dict[str, Any]) -> dict[str, Any]:
    """Copy the raw tables of a DuckDB build file into the PostgreSQL server of ``pg``."""
    from orchestration.postgres_mirror import mirror_to_postgres

    report = mirror_to_postgres(Path(params["build_db"]), params["pg"], Path(params["workdir"]))
    return {"seconds": report.seconds, "tables": len(report.tables), "rows": report.rows}


@task("page")
def render_page(params: dict[str, Any]) -> dict[str, Any]:
    """Run one Streamlit page to completion in-process (AppTest) and count what it showed."""

    app = signed_in_app(params["page"], params.get("timeout", 600)).run()
    if app.exception:
        raise RuntimeError(f"{params['page']} raised: {app.exception[0].value}")
    if app.error:
        raise RuntimeError(f"{params['page']} showed an error: {app.error[0].value}")
    elements = {
        "metrics": len(app.metric),
        "charts": len(app.get("plotly_chart")),
        "dataframes": len(app.dataframe),
        "tables": len(app.table),
    }
    return {"elements": elements}


def main(argv: list[str]) -> int:
    """Run one task: ``TASK PARAMS.json OUT.json``."""
    name, params_path, out_path = argv
    params = json.loads(Path(params_path).read_text(encoding="utf-8"))
    result = TASKS[name](params)
    Path(out_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def signed_in_app(page: str, timeout: float):
    """An AppTest of ``page`` with an admin signed in (pages check the role before reading)."""
    import time

    from streamlit.testing.v1 import AppTest

    from dashboards.access.session import SESSION_KEY

    app = AppTest.from_file(page, default_timeout=timeout)
    now = time.time()
    app.session_state[SESSION_KEY] = {
        "username": "bench",
        "role": "admin",
        "name": "bench",
        "signed_in": now,
        "last_seen": now,
    }
    return app
