"""The PostgreSQL target's connection comes from the one settings object."""

from __future__ import annotations

import pydantic
import pytest

from orchestration.postgres_mirror import pg_settings
from orchestration.settings import TandemSettings


def test_defaults_match_the_dbt_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HOST", "PORT", "USER", "PASSWORD", "DBNAME"):
        monkeypatch.delenv(f"TANDEM_PG_{key}", raising=False)
    assert pg_settings() == {
        "TANDEM_PG_HOST": "127.0.0.1",
        "TANDEM_PG_PORT": "5432",
        "TANDEM_PG_USER": "tandem",
        "TANDEM_PG_PASSWORD": "",
        "TANDEM_PG_DBNAME": "tandem",
    }


def test_environment_then_a_servers_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_PG_USER", "analyst")
    monkeypatch.setenv("TANDEM_PG_PORT", "6000")
    server = {"TANDEM_PG_PORT": "54329", "TANDEM_PG_DIR": "/tmp/pg-x", "PATH": "/bin"}
    settings = pg_settings(server)
    assert settings["TANDEM_PG_USER"] == "analyst"  # from this process's environment
    assert settings["TANDEM_PG_PORT"] == "54329"  # the server's variables win


def test_a_port_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_PG_PORT", "70000")
    with pytest.raises(pydantic.ValidationError, match="pg_port"):
        TandemSettings()
