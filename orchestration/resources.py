"""Dagster resources. Both derive every path from :class:`TandemSettings`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as package_version

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version  # dagster-dbt's own version type

from orchestration.settings import TandemSettings, get_settings


class TandemConfig(dg.ConfigurableResource):
    """Gives assets the runtime settings (``TANDEM_HOME`` and friends)."""

    home: str | None = None

    def settings(self) -> TandemSettings:
        return TandemSettings(home=self.home) if self.home else get_settings()


class TandemDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without the two things each dbt step paid for and never used.

    Before every ``dbt build`` dagster-dbt runs ``dbt --version`` in a subprocess and opens a
    dbt adapter in this process (importing dbt and loading its macros): together 10-40 s per
    step on this machine. The adapter only serves ``fetch_row_counts`` and
    ``fetch_column_metadata``, which Tandem does not call; the version is the installed
    dbt-core's, the same package the ``dbt`` executable runs.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None  # dagster-dbt then runs dbt without an adapter handle


def build_duckdb_resource() -> DuckDBResource:
    settings = get_settings()
    return DuckDBResource(
        database=str(settings.build_db), connection_config=settings.duckdb_config()
    )


def sensor_status() -> dg.DefaultSensorStatus:
    """Sensors start running unless ``TANDEM_SCHEDULES_ENABLED`` is false."""
    if get_settings().schedules_enabled:
        return dg.DefaultSensorStatus.RUNNING
    return dg.DefaultSensorStatus.STOPPED


def schedule_status() -> dg.DefaultScheduleStatus:
    """Schedules start running unless ``TANDEM_SCHEDULES_ENABLED`` is false."""
    if get_settings().schedules_enabled:
        return dg.DefaultScheduleStatus.RUNNING
    return dg.DefaultScheduleStatus.STOPPED
