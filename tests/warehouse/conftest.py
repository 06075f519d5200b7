"""One tiny company run through the whole real pipeline, shared by the warehouse tests.

Generating, landing, checking and building costs about a minute, so the session pays it once:
``tandem run`` in a child process (real Dagster run, real dbt build, real DuckDB files), then
tests read the published serving file and the extracts and ground truth it was built from.
Tests that need other data (re-sent files, a second target) build their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import TandemSettings
from tests.conftest import run_tandem

TINY_SEED = 42


@dataclass(frozen=True)
class TinyWarehouse:
    """A tiny company's extracts, truth and the warehouse `tandem run` published from them."""

    settings: TandemSettings
    env: dict[str, str]
    summary: dict

    @property
    def extracts(self) -> Path:
        return self.settings.landing_dir

    @property
    def truth(self) -> Path:
        return self.settings.landing_dir / "truth"

    def true_companies(self) -> str:
        """SQL: every true company (truth/companies.parquet) with the golden ``customer_key`` its
        ERP record maps to, one row per company and ERP record."""
        return f"""
            select key_map.customer_key, companies.*
            from '{self.truth}/identity.parquet' as identity
            join '{self.truth}/companies.parquet' as companies using (true_customer_id)
            join intermediate.int_customer_key_map as key_map
                on key_map.source_system = 'erp' and key_map.source_record_id = identity.record_id
            where identity.system = 'erp'
        """

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run ``sql`` on a short-lived read-only connection to the serving file."""
        con = duckdb.connect(str(self.settings.serving_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str, params: list | None = None):
        return self.rows(sql, params)[0][0]


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyWarehouse]:
    home = tmp_path_factory.mktemp("tiny-warehouse") / "home"
    env = {"TANDEM_HOME": str(home), "TANDEM_SEED": str(TINY_SEED)}
    generated = run_tandem("generate", "--scale", "tiny", env=env)
    assert generated.returncode == 0, generated.stderr[-3000:]
    completed = run_tandem("run", "--json", env=env, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    yield TinyWarehouse(TandemSettings(home=home), env, json.loads(completed.stdout))
