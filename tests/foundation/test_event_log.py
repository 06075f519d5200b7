"""The home's Dagster instance stores its events through Tandem's event log (open files kept
between events), and what it stores is what Dagster's own storage reads back."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.event_log import OPEN_FILES, TandemEventLogStorage
from orchestration.settings import OLD_DAGSTER_YAML, TandemSettings, dagster_yaml


@dg.asset
def numbers() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=numbers)
def numbers_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _instance(settings: TandemSettings, monkeypatch: pytest.MonkeyPatch) -> dg.DagsterInstance:
    settings.ensure_dirs()
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))
    return dg.DagsterInstance.get()


def test_runs_are_stored_and_read_back_by_a_new_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = TandemSettings(home=tmp_path / "home")
    with _instance(settings, monkeypatch) as instance:
        assert isinstance(instance.event_log_storage, TandemEventLogStorage)
        runs = [
            dg.materialize([numbers, numbers_positive], instance=instance).run_id
            for _ in range(OPEN_FILES + 2)  # more runs than files kept open
        ]
        stored = {run: len(instance.all_logs(run)) for run in runs}
        with instance.event_log_storage.index_connection() as conn:
            # WAL, and commits that do not wait for the disk (1 = NORMAL)
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    # the files are in the usual place, one per run plus the cross-run index
    files = {path.stem for path in (settings.dagster_home / "history" / "runs").glob("*.db")}
    assert files == {*runs, "index"}

    # Dagster also reads the file with no DAGSTER_HOME set (DagsterInstance.from_config)
    monkeypatch.delenv("DAGSTER_HOME")
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as again:
        assert {run: len(again.all_logs(run)) for run in runs} == stored
        assert min(stored.values()) > 5
        latest = again.get_latest_materialization_event(dg.AssetKey("numbers"))
        assert latest is not None and latest.run_id == runs[-1]
        check = again.event_log_storage.get_latest_asset_check_execution_by_key(
            [numbers_positive.check_key]
        )[numbers_positive.check_key]
        assert check.run_id == runs[-1]


def _config(settings: TandemSettings) -> str:
    return (settings.dagster_home / "dagster.yaml").read_text(encoding="utf-8")


def test_a_copied_home_writes_its_own_event_logs(tmp_path: Path) -> None:
    original = TandemSettings(home=tmp_path / "original")
    original.ensure_dirs()
    shutil.copytree(original.root, tmp_path / "copy")
    copy = TandemSettings(home=tmp_path / "copy")
    assert str(original.dagster_home) in _config(copy)  # as copied
    copy.ensure_dirs()
    assert _config(copy) == dagster_yaml(copy.dagster_home)
    assert str(original.dagster_home) not in _config(copy)
    assert f'base_dir: "{copy.dagster_home}/history/runs"' in _config(copy)


def test_a_home_from_an_earlier_version_gets_the_new_config_and_an_edited_one_is_kept(
    tmp_path: Path,
) -> None:
    earlier = TandemSettings(home=tmp_path / "earlier")
    earlier.dagster_home.mkdir(parents=True)
    (earlier.dagster_home / "dagster.yaml").write_text(OLD_DAGSTER_YAML[0], encoding="utf-8")
    earlier.ensure_dirs()
    assert _config(earlier) == dagster_yaml(earlier.dagster_home)

    edited = TandemSettings(home=tmp_path / "edited")
    edited.dagster_home.mkdir(parents=True)
    mine = OLD_DAGSTER_YAML[0] + "run_monitoring:\n  enabled: true\n"
    (edited.dagster_home / "dagster.yaml").write_text(mine, encoding="utf-8")
    edited.ensure_dirs()
    assert (edited.dagster_home / "dagster.yaml").read_text(encoding="utf-8") == mine
