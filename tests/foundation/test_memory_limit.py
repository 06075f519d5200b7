"""One DuckDB memory limit (TANDEM_DUCKDB_MEMORY_LIMIT) reaches every writer of the build file.

Without it DuckDB may take 80% of the machine's RAM; a large build did (16.5 GB on 24 GB).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.landing import land_directory
from orchestration.resources import build_duckdb_resource
from orchestration.settings import TandemSettings
from tests.warehouse.dbt_cli import dbt_env, run_dbt

LIMIT, SHOWN = "1GB", "953.6 MiB"  # DuckDB reports the limit in binary units


@pytest.fixture
def limited(tandem_home: TandemSettings, monkeypatch: pytest.MonkeyPatch) -> TandemSettings:
    monkeypatch.setenv("TANDEM_DUCKDB_MEMORY_LIMIT", LIMIT)
    settings = TandemSettings()
    assert settings.duckdb_config() == {"memory_limit": LIMIT}
    assert settings.tool_env()["TANDEM_DUCKDB_MEMORY_LIMIT"] == LIMIT
    return settings


def memory_limit(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_default_is_four_gigabytes(tandem_home: TandemSettings) -> None:
    assert tandem_home.duckdb_memory_limit == "4GB"


def test_dagster_resource_connects_with_the_limit(limited: TandemSettings) -> None:
    with build_duckdb_resource().get_connection() as con:
        assert memory_limit(con) == SHOWN


def test_dbt_profile_passes_the_limit(limited: TandemSettings, tmp_path: Path) -> None:
    shown = run_dbt(
        dbt_env(limited),
        tmp_path / "target",
        "show",
        "--inline",
        "select current_setting('memory_limit') as memory_limit",
        "--output",
        "json",
    )
    assert f'"memory_limit": "{SHOWN}"' in shown.stdout


def test_landing_runs_with_its_own_limit(
    limited: TandemSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What DuckDB itself reports inside the landing, from the settings, not a constant."""
    report = land_directory(
        limited.build_db, limited.landing_dir, duckdb_config=limited.duckdb_config("landing")
    )
    assert report.files == []  # nothing to land, but the build file was opened
    assert report.duckdb_memory_limit == "1.3 GiB"  # the default landing limit, 1500MB
    monkeypatch.setenv("TANDEM_LANDING_MEMORY_LIMIT", LIMIT)
    report = land_directory(limited.build_db, limited.landing_dir)  # config from the settings
    assert report.duckdb_memory_limit == SHOWN
