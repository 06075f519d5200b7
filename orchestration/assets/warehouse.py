"""dbt models as Dagster assets; dbt tests become asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import ensure_manifest
from orchestration.resources import TandemConfig


class TandemDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # staging / intermediate / marts, from the folder the model lives in
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"


@dbt_assets(manifest=ensure_manifest(), dagster_dbt_translator=TandemDbtTranslator())
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, tandem: TandemConfig):
    """``dbt build`` of the selected models, streaming materializations and test results."""
    # One target folder per TANDEM_HOME: artefacts of the latest build (run_results, compiled
    # SQL) stay next to the data they describe, and partial parsing carries over between runs.
    target = tandem.settings().root / "dbt_target"
    yield from dbt.cli(["build"], context=context, target_path=target).stream()
