"""Transient failures retry, lasting ones fail at once in one line that says what to do."""

from __future__ import annotations

import errno
import subprocess
import sys
import threading
import time

import dagster as dg
import duckdb
from dagster._utils.error import SerializableErrorInfo

from ingestion.ledger import ensure_meta
from orchestration.assets.publish import PUBLISH_RETRIES, is_transient, publish_asset
from orchestration.commands.pipeline import _root_cause
from orchestration.no_room import disk_full
from orchestration.resources import TandemConfig
from orchestration.settings import TandemSettings, get_settings

# holds the build file's write lock until the flag file appears
HOLD_LOCK = """
import sys, time, duckdb, pathlib
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
while not pathlib.Path(sys.argv[2]).exists():
    time.sleep(0.05)
con.close()
"""


def _retried(instance: dg.DagsterInstance) -> bool:
    return any(
        record.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
        for run in instance.get_runs()
        for record in instance.get_records_for_run(run.run_id).records
    )


def test_publish_waits_out_a_lock_held_by_another_process(tandem_home: TandemSettings) -> None:
    con = duckdb.connect(str(tandem_home.build_db))
    ensure_meta(con)  # the landing ledger a publish records what it was built from
    con.execute("create schema core")
    con.execute("create table core.dim_customer as select 'C1' as customer_key")
    con.close()
    flag = tandem_home.root / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tandem_home.build_db), str(flag)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    instance = dg.DagsterInstance.ephemeral()
    outcome: dict = {}
    runner = threading.Thread(
        target=lambda: outcome.update(
            result=dg.materialize(
                [publish_asset([])],
                resources={"tandem": TandemConfig()},
                instance=instance,
                raise_on_error=False,
            )
        )
    )
    runner.start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not _retried(instance):
        time.sleep(0.1)
    flag.touch()  # the lock goes away only once the publish has met it and asked to retry
    runner.join(timeout=300)
    holder.wait(timeout=30)
    result = outcome["result"]
    assert result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert 1 <= len(retries) <= PUBLISH_RETRIES
    served = duckdb.connect(str(tandem_home.serving_db), read_only=True)
    try:
        assert served.execute("select customer_key from core.dim_customer").fetchall() == [("C1",)]
    finally:
        served.close()


def test_only_lock_errors_count_as_transient() -> None:
    lock = duckdb.IOException(
        'IO Error: Could not set lock on file "b.duckdb": Conflicting lock is held in pid 7'
    )
    assert is_transient(lock)
    assert not is_transient(OSError(errno.ENOSPC, "No space left on device"))
    assert not is_transient(FileNotFoundError("no build to publish"))


def test_no_room_is_found_behind_a_second_error() -> None:
    try:
        try:
            raise OSError(errno.EFBIG, "File too large")
        except OSError:
            raise RuntimeError("cannot rollback - no transaction is active")  # noqa: B904
    except RuntimeError as error:
        found = disk_full(error)
    assert isinstance(found, OSError) and found.errno == errno.EFBIG
    assert disk_full(ValueError("bad value")) is None
    wal = SerializableErrorInfo(
        'TransactionException: Failed to commit: Could not write file "b.wal": File too large\n',
        [],
        "TransactionException",
    )
    rollback = SerializableErrorInfo(
        "TransactionException: cannot rollback - no transaction is active\n",
        [],
        "TransactionException",
        context=wal,
    )
    step = SerializableErrorInfo("DagsterExecutionStepExecutionError: step failed\n", [], "D")
    step = step._replace(cause=rollback)
    settings = get_settings()
    assert _root_cause(step) == (
        f"no room to write under {settings.root} (TransactionException: Failed to commit:"
        ' Could not write file "b.wal": File too large): free disk space there (or raise the'
        " file-size limit) and run the command again; what landed before is intact"
    )
