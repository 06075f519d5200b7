"""Dagster's SQLite event log, keeping its database connections open between events.

Dagster's own ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens the database file,
commits and closes it again for every event it stores, and an asset check's result is stored in
three such transactions (the run's file, the cross-run index, the check's own table). A Tandem
build reports one event per dbt model and one per dbt test (several hundred asset checks), so a
tiny `tandem run` spent more CPU storing events than dbt spent running the phase-2 tests (a
profile of phase 2: 37 CPU s in Dagster's process against 54 for the plain `dbt build`; three
quarters of it in creating engines, opening, committing and closing the files).

This subclass keeps one engine, and with it one open connection, per database file: the run's
own file and the index. Nothing else changes: the same files, the same schema, the same
transaction per event (a killed run loses nothing it had committed; the files stay in WAL mode,
which lets the Dagster UI read while a run writes). Only the most recently used files stay open,
so a long-lived ``dagster dev`` does not collect one open file per run.

``settings.ensure_dirs`` names this class in the home's ``dagster.yaml`` with the instance's
usual folder, ``history/runs``, as an absolute path: Dagster reads the file with no
``DAGSTER_HOME`` set too (``DagsterInstance.from_config``). Every `tandem` command rewrites the
path when the home was copied or moved, so a copy never writes into the original's files.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

# open database files kept per process: the index, the current run and a few recent ones
OPEN_FILES = 8


def _commit_without_sync(dbapi_connection: Any, _record: Any) -> None:
    """``synchronous=NORMAL``: in WAL mode a commit no longer waits for the disk (17 s of a tiny
    run's wall time went to those waits); a crashed or killed process still loses nothing it
    committed, and only a power cut can take back the last few events, never corrupt the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class TandemEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one open connection per database file (see module doc)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # set before the parent's constructor: it may already store into the index
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> TandemEventLogStorage:
        # the parent's would build the parent class; its config type (``base_dir``) is inherited
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The open engine of ``shard``'s file, created (and the file initialised) on first use.
        Called with ``_db_lock`` held."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            # one DBAPI connection reused by every call; `_db_lock` serialises the threads
            poolclass=StaticPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _commit_without_sync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_FILES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # the parent's contract: one transaction per call, one call at a time per storage
        # (the engine is looked up once the lock is held: `with` enters left to right)
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def close_files(self) -> None:
        """Close every open database file (they reopen on the next event)."""
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        # the parent deletes the run files: close them first, so nothing writes to a deleted file
        self.close_files()
        super().wipe()

    def dispose(self) -> None:
        self.close_files()
        super().dispose()
