"""One tiny company run through the whole real pipeline, shared by the warehouse tests.

Generating, landing, checking and building costs about a minute, so the session pays it once:
``tandem run`` in a child process (real Dagster run, real dbt build, real DuckDB files), then
tests read the published serving file (marts, models, docs), the build file (raw, staging,
intermediate, identity) and the extracts and ground truth they were built from.
Under pytest-xdist (``make test`` runs two workers) the first worker to ask builds it in a
folder all workers share, under a file lock, and the others wait and read the same build.
Tests that need other data (re-sent files, a second target) build their own; a test that must
write copies the home first (:meth:`TinyWarehouse.copy_home`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from orchestration.settings import TandemSettings
from tests.conftest import run_tandem, shared_dir

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
        ERP record maps to, one row per company and ERP record. It reads the key map: run it
        with :meth:`build_rows`."""
        return f"""
            select key_map.customer_key, companies.*
            from '{self.truth}/identity.parquet' as identity
            join '{self.truth}/companies.parquet' as companies using (true_customer_id)
            join intermediate.int_identity__customer_key_map as key_map
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

    def build_rows(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run ``sql`` read-only on the build file: raw, staging, intermediate and identity
        tables (and :meth:`true_companies`) live there only, not in the serving file."""
        con = duckdb.connect(str(self.settings.build_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def build_scalar(self, sql: str, params: list | None = None):
        return self.build_rows(sql, params)[0][0]

    def copy_home(self, target: Path) -> TandemSettings:
        """A private copy of the whole runtime home (extracts, build and serving files, the
        Dagster instance) for a test that lands, builds or publishes again."""
        shutil.copytree(self.settings.root, target, symlinks=True)
        return TandemSettings(home=target)


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> TinyWarehouse:
    root = shared_dir(tmp_path_factory, worker_id) / "tiny-warehouse"
    root.mkdir(exist_ok=True)
    home, summary = root / "home", root / "run.json"
    env = {"TANDEM_HOME": str(home), "TANDEM_SEED": str(TINY_SEED)}
    with FileLock(root / ".lock"):
        if not summary.exists():
            generated = run_tandem("generate", "--scale", "tiny", env=env)
            assert generated.returncode == 0, generated.stderr[-3000:]
            completed = run_tandem("run", "--json", env=env, timeout=900)
            assert completed.returncode == 0, completed.stderr[-3000:]
            summary.write_text(completed.stdout, encoding="utf-8")
    return TinyWarehouse(
        TandemSettings(home=home), env, json.loads(summary.read_text(encoding="utf-8"))
    )
