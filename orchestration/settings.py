"""One typed settings object for every Tandem component.

Everything that needs a path (the dbt profile, the Dagster resources, the Streamlit pages, the CLI)
derives it from here, so a single environment variable, ``TANDEM_HOME``, moves the whole runtime.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

Scale = Literal["tiny", "small", "medium", "large"]


class TandemSettings(BaseSettings):
    """Runtime configuration, read from ``TANDEM_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", frozen=True, extra="ignore")

    home: Path = Field(
        default=Path("data"),
        description="Runtime home: landing, quarantine, warehouse, exports, models, dagster.",
    )
    scale: Scale = Field(default="small", description="Sample-data scale used by `make demo`.")
    seed: int = Field(default=42, description="Sample-data seed used by `make demo`.")
    serve_host: str = Field(default="127.0.0.1", description="Address the dashboards bind to.")
    serve_port: int = Field(default=8501, description="Port the dashboards listen on.")
    as_of_date: dt.date | None = Field(
        default=None,
        description=(
            "As-of date for date-dependent models and scores (default: the latest business day"
            " in the data, see intermediate.int_as_of_date)."
        ),
    )
    duckdb_memory_limit: str = Field(
        default="4GB",
        description=(
            "Memory DuckDB may take in one pipeline process (the dbt build, landing, Splink,"
            " the models) before it spills to a temporary folder beside the build file; DuckDB"
            " syntax, e.g. 4GB, 800MB or 50%. Its own default, 80% of RAM, lets a large build"
            " fill the machine."
        ),
    )
    identity_customer_entity: Literal["legal_entity", "group"] = Field(
        default="legal_entity",
        description=(
            "What a golden customer is: each legal entity (a branch, …分公司 with its own credit"
            " code, is its own customer) or a group (a branch joins its parent)."
        ),
    )
    dbt_target: Literal["duckdb", "postgres"] = Field(
        default="duckdb", description="dbt target: the DuckDB build file or a PostgreSQL server."
    )

    @cached_property
    def root(self) -> Path:
        """``home`` as an absolute path (relative values are taken from the working directory)."""
        return self.home.expanduser().resolve()

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def build_db(self) -> Path:
        """The DuckDB file the pipeline writes (raw history + the latest build)."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def serving_db(self) -> Path:
        """The published DuckDB file readers open read-only; replaced atomically on publish."""
        return self.warehouse_dir / "tandem.duckdb"

    def ensure_dirs(self) -> None:
        """Create the runtime folders and the Dagster instance config (telemetry off)."""
        for path in (
            self.landing_dir,
            self.quarantine_dir,
            self.warehouse_dir,
            self.exports_dir,
            self.models_dir,
            self.dagster_home,
        ):
            path.mkdir(parents=True, exist_ok=True)
        dagster_yaml = self.dagster_home / "dagster.yaml"
        if not dagster_yaml.exists():
            dagster_yaml.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")

    def duckdb_config(self) -> dict[str, str]:
        """Configuration for every read-write DuckDB connection of the pipeline."""
        return {"memory_limit": self.duckdb_memory_limit}

    def tool_env(self) -> dict[str, str]:
        """Environment variables that dbt and Dagster read (the dbt profile uses ``env_var``)."""
        return {
            "TANDEM_HOME": str(self.root),
            "TANDEM_BUILD_DB": str(self.build_db),
            "TANDEM_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "TANDEM_IDENTITY_CUSTOMER_ENTITY": self.identity_customer_entity,
            "DAGSTER_HOME": str(self.dagster_home),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def export_tool_env(self) -> None:
        """Put :meth:`tool_env` into this process's environment (for in-process dbt/Dagster)."""
        os.environ.update(self.tool_env())


def get_settings() -> TandemSettings:
    """Settings from the current environment (read fresh each call: tests change TANDEM_HOME)."""
    return TandemSettings()


if __name__ == "__main__":
    # `python -m orchestration.settings` prints the tool environment as KEY=VALUE lines, so the
    # Makefile (dbt parse, dagster dev) uses the same paths as everything else.
    current = get_settings()
    current.ensure_dirs()
    for key, value in current.tool_env().items():
        print(f"{key}={value}")
