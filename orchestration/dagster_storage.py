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

- an engine per shard is made once and kept. It holds no connection (NullPool, as
  Dagster's): every write still opens, commits and closes its own SQLite connection, so
  what other processes see is unchanged;
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# A run's planned events (~220 for the monthly job) fit in one batch of at most this many.
EVENT_BATCH_SIZE = "1000"


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with an engine per shard and batches in one transaction."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
        self._engines: dict[str, Engine] = {}
        # Within store_event_batch: the open connection per shard, for this thread only.
        self._batch = threading.local()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> BatchingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
        return engine

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

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


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
