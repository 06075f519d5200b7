"""One typed settings object for every Tandem component.

Everything that needs a path (the dbt profile, the Dagster resources, the Streamlit pages, the CLI)
derives it from here, so a single environment variable, ``TANDEM_HOME``, moves the whole runtime.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
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
    serve_port: int = Field(
        default=8501, ge=1, le=65535, description="Port the dashboards listen on."
    )
    dagster_port: int = Field(
        default=3000, ge=1, le=65535, description="Port of the Dagster UI (`make dev`)."
    )
    as_of_date: dt.date | None = Field(
        default=None,
        description=(
            "As-of date for date-dependent models and scores (default: the latest business day"
            " in the data, see core.dim_as_of_date)."
        ),
    )
    churn_horizon_days: int = Field(
        default=90,
        ge=1,
        description=(
            "Churn label horizon: a buying customer has churned when it places no approved"
            " order in this many days after the as-of date (models_ml/churn.py)."
        ),
    )
    churn_retrain_days: int = Field(
        default=30,
        ge=0,
        description=(
            "Days a trained churn model is used before the next run trains and validates it"
            " again; every run scores with the stored model until then. 0: train on every run."
            " A run with no stored model for the current model version and horizon, or an"
            " as-of date before the model's, always trains (models_ml/churn_store.py)."
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
    landing_memory_limit: str = Field(
        default="1500MB",
        description=(
            "Memory DuckDB may take while landing extracts (DuckDB syntax): a medium GL file"
            " (3.2M rows) is typed inside 1500MB without spilling (at 1 GB it spilt and took"
            " twice as long), and landing stays under its 2 GB budget."
        ),
    )
    identity_customer_entity: Literal["legal_entity", "group"] = Field(
        default="legal_entity",
        description=(
            "What a golden customer is: each legal entity (a branch, …分公司 with its own credit"
            " code, is its own customer) or a group (a branch joins its parent)."
        ),
    )
    schedules_enabled: bool = Field(
        default=True,
        description=(
            "Whether the daily schedule and the landing sensor start switched on under"
            " `make dev` / the Dagster daemon (false: both start stopped)."
        ),
    )
    gx_max_rows: int = Field(
        default=250_000,
        ge=0,
        description=(
            "Rows of one raw batch Great Expectations validates; a larger batch is validated on"
            " a repeatable sample and every result says 'sampled N of M rows' (0: every row)."
        ),
    )
    # Alerts on a failed or blocked run (orchestration/alerts.py): e-mail, a webhook, or both;
    # nothing configured means no alert (one log line says so).
    alert_smtp_host: str = Field(default="", description="Alert e-mail: SMTP host (empty: off).")
    alert_smtp_port: int = Field(default=25, ge=1, le=65535, description="Alert e-mail: port.")
    alert_smtp_from: str = Field(default="tandem@localhost", description="Alert e-mail: sender.")
    alert_smtp_to: str = Field(
        default="", description="Alert e-mail: recipients, separated by commas."
    )
    alert_smtp_user: str = Field(default="", description="Alert e-mail: login (optional).")
    alert_smtp_password: str = Field(default="", description="Alert e-mail: password (optional).")
    alert_smtp_starttls: bool = Field(
        default=False, description="Alert e-mail: upgrade the connection with STARTTLS."
    )
    alert_webhook_url: str = Field(
        default="", description="Alerts: URL that receives a JSON POST per failed run (optional)."
    )
    dbt_target: Literal["duckdb", "postgres"] = Field(
        default="duckdb", description="dbt target: the DuckDB build file or a PostgreSQL server."
    )
    # The PostgreSQL target (dbt profile target `postgres` and orchestration/postgres_mirror.py);
    # orchestration/services/postgres.sh prints these for a throw-away server.
    pg_host: str = Field(default="127.0.0.1", description="PostgreSQL target: host.")
    pg_port: int = Field(default=5432, ge=1, le=65535, description="PostgreSQL target: port.")
    pg_user: str = Field(default="tandem", description="PostgreSQL target: user.")
    pg_password: str = Field(default="", description="PostgreSQL target: password.")
    pg_dbname: str = Field(default="tandem", description="PostgreSQL target: database.")

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
        """The DuckDB file the pipeline writes (raw history + the latest build).

        It has the serving file's name in a folder of its own: DuckDB names a database after
        its file, so dbt's docs call a table ``tandem.core.dim_customer``, exactly as it is
        queried on the serving file."""
        return self.warehouse_dir / "build" / self.serving_db.name

    @property
    def legacy_build_db(self) -> Path:
        """Where homes made before the build file moved into ``warehouse/build/`` keep it."""
        return self.warehouse_dir / "build.duckdb"

    def move_legacy_build(self) -> bool:
        """Move an older home's ``warehouse/build.duckdb`` (raw history included) to
        :attr:`build_db`; only a writing command calls this. True when it moved one."""
        legacy = self.legacy_build_db
        if not legacy.exists() or self.build_db.exists():
            return False
        self.build_db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", ".wal"):
            source = legacy.with_name(legacy.name + suffix)
            if source.exists():
                os.replace(source, self.build_db.with_name(self.build_db.name + suffix))
        return True

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
            self.build_db.parent,
            self.exports_dir,
            self.models_dir,
            self.dagster_home,
        ):
            path.mkdir(parents=True, exist_ok=True)
        config_file = self.dagster_home / "dagster.yaml"
        # written when missing, when Tandem wrote it for another folder (a copied or moved home)
        # or when an earlier Tandem wrote it; a file the user took over is theirs
        wanted = dagster_yaml(self.dagster_home)
        written = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
        ours = not written or written in OLD_DAGSTER_YAML or written.startswith(DAGSTER_YAML_MARK)
        if ours and written != wanted:
            config_file.write_text(wanted, encoding="utf-8")

    def duckdb_config(self, purpose: Literal["build", "landing"] = "build") -> dict[str, str]:
        """Configuration for every read-write DuckDB connection of the pipeline: the build
        (dbt, Splink, the models) or landing, which has its own, smaller memory limit."""
        limit = self.landing_memory_limit if purpose == "landing" else self.duckdb_memory_limit
        return {"memory_limit": limit}

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
            # dbt.log at info: what the run printed, each node's start, end and failure. dbt's
            # default writes debug events too, as JSON under Dagster: 30 MB and about a fifth
            # of phase 2's dbt CPU at tiny.
            "DBT_LOG_LEVEL_FILE": "info",
        }

    def postgres_env(self) -> dict[str, str]:
        """The ``TANDEM_PG_*`` variables the dbt profile's postgres target reads."""
        return {
            "TANDEM_PG_HOST": self.pg_host,
            "TANDEM_PG_PORT": str(self.pg_port),
            "TANDEM_PG_USER": self.pg_user,
            "TANDEM_PG_PASSWORD": self.pg_password,
            "TANDEM_PG_DBNAME": self.pg_dbname,
        }

    def export_tool_env(self) -> None:
        """Put :meth:`tool_env` into this process's environment (for in-process dbt/Dagster)."""
        os.environ.update(self.tool_env())


# The Dagster instance of a home. One run at a time: the schedule and the landing sensor share one
# DuckDB writer. The event log keeps its SQLite files open between events
# (orchestration/event_log.py) in the home's own history folder; run and schedule storage stay
# Dagster's defaults. The first line marks a file Tandem keeps in step with its home (rewritten
# when the home is copied or moved); without it the file is the user's and left alone.
DAGSTER_YAML_MARK = "# written by Tandem for this home; delete this line to keep your own edits"


def dagster_yaml(dagster_home: Path) -> str:
    """The ``dagster.yaml`` Tandem writes for the Dagster instance in ``dagster_home``."""
    event_logs = json.dumps(str(dagster_home / "history" / "runs"))  # a quoted YAML string
    return f"""{DAGSTER_YAML_MARK}
telemetry:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 1
event_log_storage:
  module: orchestration.event_log
  class: TandemEventLogStorage
  config:
    base_dir: {event_logs}
"""


# what earlier versions wrote: upgraded like a marked file
OLD_DAGSTER_YAML = (
    "telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n",
)


class SettingsError(ValueError):
    """An invalid TANDEM_* setting, said in one line: the variable, its value, what is allowed."""


def _allowed(error: dict) -> str:
    """What a setting accepts, from pydantic's error (its type and bounds)."""
    context = error.get("ctx") or {}
    if "expected" in context:  # a Literal: the allowed values
        return "use one of " + str(context["expected"]).replace("'", "")
    kind = error.get("type", "")
    if kind.startswith("int") or "ge" in context or "le" in context:
        if "ge" in context:
            return f"use a whole number of at least {context['ge']}"
        if "le" in context:
            return f"use a whole number of at most {context['le']}"
        return "use a whole number"
    if kind.startswith("date"):
        return "use a date as YYYY-MM-DD"
    return str(error.get("msg", "invalid value")).lower()


def settings_error(error: ValidationError) -> SettingsError:
    """One line per invalid setting, naming the environment variable (never a traceback)."""
    lines = []
    for item in error.errors():
        name = "TANDEM_" + "_".join(str(part) for part in item["loc"]).upper()
        lines.append(f"{name}={item.get('input')!s} is not valid: {_allowed(item)}")
    return SettingsError("; ".join(lines))


def get_settings() -> TandemSettings:
    """Settings from the current environment (read fresh each call: tests change TANDEM_HOME).

    Raises :class:`SettingsError` (a ``ValueError``) naming each invalid variable.
    """
    try:
        return TandemSettings()
    except ValidationError as error:
        raise settings_error(error) from None


def main(argv: list[str]) -> int:
    """``python -m orchestration.settings [--get NAME]``: the tool environment, or one setting.

    Without arguments it prints the tool environment as KEY=VALUE lines, so the Makefile (dbt
    parse, dagster dev) uses the same paths as everything else; ``--get dagster_port`` prints one
    setting's value. An invalid setting is one line on stderr and exit status 2.
    """
    try:
        current = get_settings()
    except SettingsError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2
    if len(argv) == 2 and argv[0] == "--get":
        print(getattr(current, argv[1]))
        return 0
    current.ensure_dirs()
    for key, value in current.tool_env().items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
