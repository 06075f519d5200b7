"""dbt models as Dagster assets, in two phases around the Python identity step; dbt tests
become asset checks.

Phase 1 (``warehouse_staging``) builds staging and ``int_identity__records``; the Splink step
(``identity/match_pairs``, orchestration/assets/identity.py) scores record pairs into the build
file; phase 2 (``warehouse_models``) reads them as the dbt source ``identity.match_pairs`` and
builds everything else (links, key map, golden customer, marts, snapshots, seeds).
"""

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import bind_dbt_child, require_manifest
from orchestration.resources import TandemConfig

# what the identity step needs before it can run
PHASE_1_SELECT = "staging int_identity__records"

# dbt's unit tests check the SQL on fixed inputs, not the data: a run's new extracts cannot change
# their outcome, so the pipeline leaves them to the test suite (tests/warehouse/test_unit_tests.py
# runs every one), as dbt recommends for production builds. They cost about a fifth of a tiny
# build's dbt time.
PIPELINE_BUILD_ARGS = ("--exclude-resource-type", "unit_test")

# A run with this tag set to "true" (`tandem run --full-refresh`) rebuilds the incremental models
# (the large staging facts) from all of raw; any other run adds only what landed since the last
# build (dbt_project/macros/staging/landed_since_last_build.sql).
FULL_REFRESH_TAG = "tandem/full_refresh"
# The SQL the incremental models were last built with (a digest, in the build file). Their rows
# were made by that SQL: when the dbt project's code for them changes (a Tandem upgrade, an edit),
# the next run rebuilds them from all of raw by itself instead of mixing old and new logic. Its
# schema is not published: readers have no use for it.
INCREMENTAL_CODE_TABLE = "build_meta.incremental_code"


def incremental_code_digest(manifest: Mapping[str, Any]) -> str:
    """A digest of the code behind the incremental models: their own SQL (dbt's checksum) and
    every macro of the project (``landed_since_last_build``, ``latest_version``, ...)."""
    digest = hashlib.sha256()
    models = [
        (key, node["checksum"]["checksum"])
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node.get("config", {}).get("materialized") == "incremental"
    ]
    project = {node["package_name"] for node in manifest["nodes"].values()}
    macros = [
        (key, hashlib.sha256(macro["macro_sql"].encode()).hexdigest())
        for key, macro in manifest.get("macros", {}).items()
        if macro["package_name"] in project
    ]
    for key, checksum in sorted(models) + sorted(macros):
        digest.update(f"{key}={checksum};".encode())
    return digest.hexdigest()


def incremental_code_changed(build_db: Path, digest: str) -> bool:
    """Whether the incremental models in ``build_db`` were built by other code than ``digest``
    (or by code not recorded: a build from before the record existed)."""
    if not build_db.exists():
        return False  # nothing built yet: dbt builds every model from all of raw anyway
    with duckdb.connect(str(build_db), read_only=True) as con:
        try:
            rows = con.execute(f"select digest from {INCREMENTAL_CODE_TABLE}").fetchall()
        except duckdb.CatalogException:
            # no record: a first build (only raw has landed) builds from all of raw anyway
            built = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'staging'"
            ).fetchone()[0]
            return built > 0
    return rows != [(digest,)]


def record_incremental_code(build_db: Path, digest: str) -> None:
    """Note the code the incremental models were just built with (after a build that passed)."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists build_meta")
        con.execute(f"create or replace table {INCREMENTAL_CODE_TABLE} (digest varchar not null)")
        con.execute(f"insert into {INCREMENTAL_CODE_TABLE} values (?)", [digest])


def dbt_build_args(tags: Mapping[str, str], extra_args: tuple[str, ...] = ()) -> list[str]:
    """The ``dbt build`` arguments of a pipeline step, from its run's tags."""
    refresh = ["--full-refresh"] if tags.get(FULL_REFRESH_TAG) == "true" else []
    return ["build", *PIPELINE_BUILD_ARGS, *refresh, *extra_args]


class TandemDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # staging / intermediate / marts, from the folder the model lives in
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"


def _dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    tandem: TandemConfig,
    extra_args: tuple[str, ...] = (),
):
    # One target folder per TANDEM_HOME: artefacts of the latest build (run_results, compiled
    # SQL) stay next to the data they describe, and partial parsing carries over between runs.
    target = tandem.settings().root / "dbt_target"
    bind_dbt_child()  # the dbt child dies with this process (orchestration/bin/dbt-child)
    args = dbt_build_args(context.run.tags, extra_args)
    yield from dbt.cli(args, context=context, target_path=target).stream()


@dbt_assets(
    manifest=require_manifest(),
    select=PHASE_1_SELECT,
    name="warehouse_staging",
    dagster_dbt_translator=TandemDbtTranslator(),
)
def warehouse_staging(context: dg.AssetExecutionContext, dbt: DbtCliResource, tandem: TandemConfig):
    """Phase 1: ``dbt build`` of staging and the identity records the Splink step reads."""
    # A test whose parents span both phases (a mart's relationship to a staging model) waits
    # for phase 2: dbt's default (eager) would run it now, before the mart exists.
    extra: tuple[str, ...] = ("--indirect-selection", "cautious")
    build_db = tandem.settings().build_db
    digest = incremental_code_digest(json.loads(require_manifest().read_text("utf-8")))
    if context.run.tags.get(FULL_REFRESH_TAG) != "true" and incremental_code_changed(
        build_db, digest
    ):
        context.log.warning(
            "the dbt code of the incremental models changed since they were built: "
            "rebuilding them from all of raw (--full-refresh)"
        )
        extra = (*extra, "--full-refresh")
    yield from _dbt_build(context, dbt, tandem, extra)
    # reached only when the build passed (dagster-dbt raises on a failed one)
    record_incremental_code(build_db, digest)


@dbt_assets(
    manifest=require_manifest(),
    exclude=PHASE_1_SELECT,
    name="warehouse_models",
    dagster_dbt_translator=TandemDbtTranslator(),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, tandem: TandemConfig):
    """Phase 2: ``dbt build`` of everything after identity resolution's Python step."""
    yield from _dbt_build(context, dbt, tandem)
