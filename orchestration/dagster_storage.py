"""Dagster's own SQLite storage, with cheaper event writes (#14: a run's fixed cost).

A month's run writes ~715 events to Dagster's event log (every asset's and check's
planned, output and materialization or evaluation events). Dagster's SQLite event log
builds a new SQLAlchemy engine for every connection — two or three per event (the run's
shard and the index shard) — and writes the 212 planned events of a run one transaction
each before the run starts. Measured on this machine: 7-9 ms per event, ~2 s before the
first step, and during the dbt step the writes take CPU from dbt's two threads.

This storage is Dagster's, file for file (the same folders and databases under
DAGSTER_HOME, so the UI, the daemon and an existing home read it unchanged), with two
changes:

- an engine per shard is made once and kept, and it keeps one SQLite connection open
  (a pool of one; Dagster's own opens and closes a connection for every query, and closing
  the last connection of a WAL database checkpoints it and deletes its WAL file: ~4 ms of
  every event). Every write still commits before it returns, so what other processes see
  is unchanged. The engines of the most recently used shards are kept (a webserver reads
  many runs' shards), the others disposed, so open files stay bounded; `wipe` disposes
  them all before Dagster deletes the files;
- those connections sync the WAL at checkpoints rather than at every commit
  (`synchronous=NORMAL`, SQLite's advice for WAL): the run history may lose its last
  events on a power cut, the database is never damaged;
- `has_table` asks that kept engine (Dagster's makes an engine and a connection for it,
  and asks at every check evaluation);
- a batch of events is written in one transaction per shard. Dagster sends a run's
  planned events as one batch only when DAGSTER_EVENT_BATCH_SIZE is set (read at every
  event), so this storage sets it in every process that makes it: the CLI, the webserver,
  the daemon and its run workers alike. If a batch fails, Dagster itself falls back to
  writing its events one by one.

We subclass Dagster's storage rather than write one: the schema, the migrations and every
query stay Dagster's. tests/test_dagster_storage.py holds the events written through it
equal to those written through Dagster's own.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# A run's planned events (~220 for the monthly job) fit in one batch of at most this many.
EVENT_BATCH_SIZE = "1000"

# Shards whose engine (and open connection) is kept: the index and the runs in use. Each
# open connection holds three files (the database, its WAL and its shared memory).
KEPT_ENGINES = 8


def _no_sync_per_commit(dbapi_connection: Any, _record: Any) -> None:
    # In WAL mode (Dagster's), NORMAL syncs at checkpoints, not at every commit: a power
    # cut may lose the last events, never the database. The warehouse has its own commit.
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with an engine per shard and batches in one transaction."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()
        # Guards the engine cache; not Dagster's _db_lock, which is held while a connection
        # is in use (and has_table is asked inside one).
        self._engines_lock = threading.RLock()
        # Within store_event_batch: the open connection per shard, for this thread only.
        self._batch = threading.local()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> BatchingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = create_engine(
                self.conn_string_for_shard(shard),
                # One connection kept; more threads at once get one each, closed after use.
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=8,
                connect_args={
                    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                    "check_same_thread": False,
                },
            )
            event.listen(engine, "connect", _no_sync_per_commit)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            while len(self._engines) > KEPT_ENGINES:
                # A connection still checked out of a disposed engine closes when returned.
                self._engines.popitem(last=False)[1].dispose()
            return engine

    def has_table(self, table_name: str) -> bool:
        # Dagster adds tables by migration and never drops one: a table seen stays.
        if table_name not in self._tables:
            engine = self._engine(INDEX_SHARD_NAME)
            with engine.connect() as conn:
                if engine.dialect.has_table(conn, table_name):
                    self._tables.add(table_name)
        return table_name in self._tables

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        open_in_batch: dict[str, Connection] | None = getattr(self._batch, "connections", None)
        if open_in_batch is not None:
            conn = open_in_batch.get(shard)
            if conn is None:
                with self._db_lock:
                    conn = self._engine(shard).connect()
                conn.begin()
                open_in_batch[shard] = conn
            yield conn  # committed with the whole batch
            return
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        self._batch.connections = {}
        try:
            for event in events:
                self.store_event(event)
            for conn in self._batch.connections.values():
                conn.commit()
        finally:
            for conn in self._batch.connections.values():
                conn.close()  # rolls back what was not committed
            self._batch.connections = None

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # no connection left open on a file Dagster deletes
        self._tables.clear()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class InbeeldSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (runs, event log, schedules under DAGSTER_HOME), with
    the event log above; configured in DAGSTER_HOME/dagster.yaml as `storage: custom`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage = BatchingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: dict[str, Any]
    ) -> InbeeldSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
