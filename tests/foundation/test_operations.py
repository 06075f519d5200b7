"""Clear failure, no loss (issue #18): stale publish copies and runs, a read-only serving file,
friendly reader errors, one-line settings errors, an empty home said before any long work."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dashboards.serving import WarehouseUnavailable, query
from orchestration.cli import build_parser
from orchestration.commands.pipeline import HOST_TAG, PID_TAG, fail_stale_runs
from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, SettingsError, TandemSettings, get_settings
from tests.conftest import run_tandem


def _build(path: Path, value: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(f"create or replace table t as select {value} as v")
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_publish_removes_copies_of_killed_publishes_and_serves_read_only(tmp_path: Path) -> None:
    build, serving = _build(tmp_path / "build.duckdb", 1), tmp_path / "serve/tandem.duckdb"
    serving.parent.mkdir()
    dead = serving.parent / f".tandem.duckdb.{_dead_pid()}.publishing"
    dead.write_bytes(b"x" * 4096)  # what a kill during the copy leaves
    alive = serving.parent / f".tandem.duckdb.{os.getppid()}.publishing"  # a running publisher
    alive.write_bytes(b"y")
    result = publish(build, serving)
    assert result.stale_removed == (dead.name,)
    assert not dead.exists() and alive.exists()
    assert stat.S_IMODE(serving.stat().st_mode) == 0o444
    _build(build, 2)
    publish(build, serving)  # replacing a read-only serving file works
    assert query("select v from t", path=serving)["v"].to_list() == [2]
    assert stat.S_IMODE(serving.stat().st_mode) == 0o444


def test_reader_gets_a_friendly_message_when_a_writer_holds_the_file(tmp_path: Path) -> None:
    serving = _build(tmp_path / "tandem.duckdb", 7)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60)",
            str(serving),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.perf_counter()
        with pytest.raises(WarehouseUnavailable) as error:
            query("select v from t", path=serving)
        assert time.perf_counter() - started >= 1.5  # retried before giving up
    finally:
        holder.kill()
        holder.wait()
    message = str(error.value)
    assert message.startswith(f"The warehouse {serving} is locked by another program")
    assert "read_only=True" in message
    assert query("select v from t", path=serving)["v"].to_list() == [7]  # free again


def test_runs_left_started_by_a_killed_process_are_marked_failed() -> None:
    @dg.op
    def noop() -> None:
        return None

    @dg.job
    def job() -> None:
        noop()

    host = socket.gethostname()
    with dg.instance_for_test() as instance:

        def started(tags: dict[str, str]) -> str:
            run = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED, tags=tags)
            return run.run_id

        killed = started({PID_TAG: str(_dead_pid()), HOST_TAG: host})
        running = started({PID_TAG: str(os.getppid()), HOST_TAG: host})
        daemon = started({})  # launched by dagster dev / the daemon: not ours to judge
        assert fail_stale_runs(instance) == [killed]
        status = {r: instance.get_run_by_id(r).status for r in (killed, running, daemon)}
        assert status == {
            killed: dg.DagsterRunStatus.FAILURE,
            running: dg.DagsterRunStatus.STARTED,
            daemon: dg.DagsterRunStatus.STARTED,
        }


def test_invalid_settings_are_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tandem_home: TandemSettings
) -> None:
    monkeypatch.setenv("TANDEM_SCALE", "huge")
    monkeypatch.setenv("TANDEM_SERVE_PORT", "abc")
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert str(error.value) == (
        "TANDEM_SCALE=huge is not valid: use one of tiny, small, medium or large; "
        "TANDEM_SERVE_PORT=abc is not valid: use a whole number"
    )
    completed = run_tandem("run", env={"TANDEM_SCALE": "huge", "TANDEM_SERVE_PORT": "abc"})
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [f"tandem run: {error.value}"]
    monkeypatch.delenv("TANDEM_SCALE")
    monkeypatch.delenv("TANDEM_SERVE_PORT")
    script = run_tandem_settings({"TANDEM_DAGSTER_PORT": "70000"})
    assert (script.returncode, script.stderr.strip()) == (
        2,
        "tandem: TANDEM_DAGSTER_PORT=70000 is not valid: use a whole number of at most 65535",
    )


def run_tandem_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.settings"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_and_serve_honour_the_scale_and_port_settings() -> None:
    env = {**os.environ, "TANDEM_SCALE": "tiny", "TANDEM_DAGSTER_PORT": "3123"}
    demo = subprocess.run(
        ["make", "-n", "demo"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "tandem generate --scale tiny" in demo.stdout
    port = run_tandem_settings({"TANDEM_DAGSTER_PORT": "3123"})
    settings_get = [sys.executable, "-m", "orchestration.settings", "--get", "dagster_port"]
    got = subprocess.run(settings_get, env=env, capture_output=True, text=True, check=True)
    assert (port.returncode, got.stdout.strip()) == (0, "3123")
    dev = subprocess.run(
        ["make", "-n", "dev"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "--get dagster_port" in dev.stdout
    assert build_parser().parse_args(["serve", "--port", "9001"]).port == 9001


def test_run_on_an_empty_home_says_what_is_missing_at_once(tandem_home: TandemSettings) -> None:
    completed = run_tandem("run")
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        "tandem run: nothing to build: no extract has landed and "
        f"{tandem_home.landing_dir} holds no file a contract claims. Put your ERP/CRM extracts "
        "there (README: Use your own extracts) or write sample data with `tandem generate "
        "--scale tiny`, then `tandem run`"
    ]
    assert not tandem_home.build_db.exists()  # no long work started
