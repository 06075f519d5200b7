"""Shared fixtures: every test gets its own TANDEM_HOME, so nothing touches ./data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, TandemSettings

# Fixtures that generate sample data, run the pipeline or dbt, or start a browser or a server:
# a test that uses one (directly or through another fixture) is `slow`, and `make test-fast`
# leaves it out. A module that is slow for another reason says `pytestmark = pytest.mark.slow`.
SLOW_FIXTURES = frozenset(
    {
        "tiny_warehouse",  # tests/warehouse/conftest.py: the whole pipeline on the tiny company
        "slice_run",  # tests/foundation/conftest.py: the pipeline on the hand-written ERP extract
        "warehouse",  # a module's own warehouse (tests/warehouse/*)
        "tiny",  # tests/simulator/conftest.py: generated extracts
        "tiny_drops",
        "small",
        "tiny_extract",  # tests/ingestion/conftest.py
        "pg_server",  # tests/warehouse/test_postgres_target.py: a PostgreSQL cluster
        "server",  # tests/dashboards/test_browser.py: a Streamlit server for Chromium
        "own_run",  # tests/warehouse/test_bring_your_own.py: a whole run of its own extracts
        "bench_run",  # tests/bench/test_harness.py: the bench on a generated sample
        "published_home",  # tests/foundation/test_up_to_date.py: a `tandem run` in a child
        "gated_home",
    }
)

# Tests that start `tandem`, dbt or Dagster runs themselves (a child process costs ~8 CPU s of
# imports before it does anything): slow too, whatever fixtures they use. Node id prefixes.
SLOW_TESTS = (
    "tests/foundation/test_cli.py::",
    "tests/foundation/test_definitions_import.py::",
    "tests/foundation/test_event_log.py::test_runs_are_stored_and_read_back_by_a_new_instance",
    "tests/foundation/test_memory_limit.py::test_dbt_profile_passes_the_limit",
    "tests/foundation/test_operations.py::test_invalid_settings_are_one_line_naming_the_variable",
    "tests/foundation/test_operations.py::test_run_on_an_empty_home_says_what_is_missing_at_once",
    "tests/ingestion/test_dagster_landing.py::",
    "tests/ingestion/test_bad_input.py::test_row_numbers_hold_in_a_file_read_in_parallel",
    "tests/ingestion/test_bad_input_reasons.py::test_unmatched_and_skipped_files_are_listed",
    "tests/ingestion/test_bad_input_reasons.py::test_a_file_the_machine_failed_to_land_fails",
    "tests/warehouse/test_docs.py::test_docs_without_a_warehouse_says_what_to_do",
    "tests/workbench/test_access.py::test_users_command_and_demo_users",
    "tests/bench/test_dbt_vs_raw_sql.py::",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parse the dbt project when the manifest is stale: importing the Dagster definitions
    loads it and never parses (orchestration/dbt_manifest.py)."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller prepared it before the workers started
    from orchestration.dbt_manifest import ensure_manifest

    ensure_manifest()


# The longest modules, longest first. `make test` hands whole modules to two xdist workers in
# collection order (--dist loadscope), so starting the long ones first keeps one worker from
# finishing its share while the other still has a ten-minute module ahead of it. The slice
# builds its own home and goes first; the first module that needs the shared tiny warehouse
# (the browser's) builds it meanwhile on the other worker, and the PostgreSQL module, which
# mirrors that warehouse, comes after. The quality gate starts from the slice's first run
# (``slice_run``), so it comes later, when that run is done.
LONGEST_MODULES = (
    "tests/foundation/test_pipeline_slice.py",
    "tests/dashboards/test_browser.py",
    "tests/warehouse/test_bring_your_own.py",
    "tests/warehouse/test_postgres_target.py",
    "tests/warehouse/test_serving_file.py",
    "tests/foundation/test_quality_gate.py",
)


def module_rank(item: pytest.Item) -> int:
    """Where ``item``'s module goes: the listed modules first, then the other slow ones."""
    path = Path(str(item.path)).resolve().relative_to(REPO_ROOT).as_posix()
    if path in LONGEST_MODULES:
        return LONGEST_MODULES.index(path)
    return len(LONGEST_MODULES) + (0 if item.get_closest_marker("slow") else 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs an expensive fixture, or is listed in ``SLOW_TESTS``, as
    ``slow``, and put the longest
    modules first (a stable sort: tests keep their order within a module)."""
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())) or any(
            item.nodeid.startswith(prefix) for prefix in SLOW_TESTS
        ):
            item.add_marker(pytest.mark.slow)
    ranks = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        ranks[module] = min(ranks.get(module, 99), module_rank(item))
    items.sort(key=lambda item: ranks[item.nodeid.split("::")[0]])


def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder every xdist worker of this session sees (the session's own tmp without xdist):
    where a session fixture builds a home once, under a file lock, for all workers."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def copy_home(home: Path, target: Path) -> TandemSettings:
    """A private, writable copy of a finished home for a test that lands, builds or publishes
    again (copytree keeps the serving file's read-only mode; a publish replaces it anyway)."""
    shutil.copytree(home, target, symlinks=True)
    copy = TandemSettings(home=target)
    if copy.serving_db.exists():
        copy.serving_db.chmod(0o644)
    return copy


@pytest.fixture
def tandem_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TandemSettings]:
    """A fresh runtime home exported as TANDEM_HOME (and the tool variables derived from it)."""
    home = tmp_path / "home"
    monkeypatch.setenv("TANDEM_HOME", str(home))
    settings = TandemSettings()
    settings.ensure_dirs()
    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    yield settings


def run_tandem(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
    """Run the real `tandem` entry point in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
