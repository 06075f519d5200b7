"""Dagster resources. Both derive every path from :class:`TandemSettings`."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.settings import TandemSettings, get_settings


class TandemConfig(dg.ConfigurableResource):
    """Gives assets the runtime settings (``TANDEM_HOME`` and friends)."""

    home: str | None = None

    def settings(self) -> TandemSettings:
        return TandemSettings(home=self.home) if self.home else get_settings()


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
