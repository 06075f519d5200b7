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
