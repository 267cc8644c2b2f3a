"""Dagster's event log through orchestration/dagster_storage.py: the records Dagster's own
SQLite storage would hold, batches all or nothing, and the instance inbeeld configures."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import (
    AssetMaterializationPlannedData,
    DagsterEvent,
    DagsterEventType,
    StepMaterializationData,
)
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration.cli import dagster_yaml
from orchestration.dagster_storage import (
    EVENT_BATCH_SIZE,
    KEPT_ENGINES,
    BatchingSqliteEventLogStorage,
    InbeeldSqliteStorage,
)

RUN = "run-1"


def _entry(event: DagsterEvent, run_id: str = RUN) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=10,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        dagster_event=event,
    )


def _planned(key: dg.AssetKey) -> EventLogEntry:
    return _entry(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value,
            job_name="inbeeld_maand",
            event_specific_data=AssetMaterializationPlannedData(key),
        )
    )


def _materialized(key: dg.AssetKey) -> EventLogEntry:
    return _entry(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
            job_name="inbeeld_maand",
            event_specific_data=StepMaterializationData(
                dg.AssetMaterialization(key, metadata={"rijen": 3})
            ),
        )
    )


KEYS = [dg.AssetKey(["marts", f"model_{n}"]) for n in range(5)]


def _summary(storage: SqliteEventLogStorage) -> tuple:
    records = storage.get_records_for_run(RUN, limit=1000).records
    events = [
        (r.event_log_entry.dagster_event_type, r.event_log_entry.dagster_event.asset_key)
        for r in records
    ]
    assets = {
        r.asset_entry.asset_key: (
            r.asset_entry.last_materialization_record is not None,
            r.asset_entry.last_planned_materialization_run_id,
        )
        for r in storage.get_asset_records()
    }
    return events, assets


def test_batched_and_single_writes_hold_what_dagsters_own_storage_holds(tmp_path: Path) -> None:
    """The planned events as one batch and the materializations one by one: the run's
    events and the asset index equal those Dagster's own storage writes event by event."""
    theirs = SqliteEventLogStorage(str(tmp_path / "theirs"))
    ours = BatchingSqliteEventLogStorage(str(tmp_path / "ours"))
    planned = [_planned(k) for k in KEYS]
    done = [_materialized(k) for k in KEYS[:3]]
    for event in planned + done:
        theirs.store_event(event)
    ours.store_event_batch(planned)
    for event in done:
        ours.store_event(event)
    assert _summary(ours) == _summary(theirs)
    events, assets = _summary(ours)
    assert len(events) == 8
    assert sum(1 for materialized, _ in assets.values() if materialized) == 3
    assert len(assets) == len(KEYS)


class _FailingOnThird(BatchingSqliteEventLogStorage):
    calls = 0

    def store_event(self, event: EventLogEntry) -> None:
        self.calls += 1
        if self.calls == 3:
            raise OSError("schijf vol")
        super().store_event(event)


def test_a_batch_that_fails_part_way_leaves_nothing(tmp_path: Path) -> None:
    """Dagster falls back to writing a failed batch event by event: the events written
    before the failure must not be there twice, so the batch rolls back as a whole."""
    storage = _FailingOnThird(str(tmp_path / "events"))
    with pytest.raises(OSError):
        storage.store_event_batch([_planned(k) for k in KEYS])
    assert storage.get_records_for_run(RUN).records == []
    assert list(storage.get_asset_records()) == []
    # The storage is usable afterwards: no connection or transaction was left open.
    storage.store_event_batch([_planned(k) for k in KEYS])
    assert len(storage.get_records_for_run(RUN, limit=100).records) == len(KEYS)


def test_the_instance_inbeeld_writes_uses_it_and_a_run_reads_back(tmp_path: Path) -> None:
    """DAGSTER_HOME/dagster.yaml as `inbeeld` writes it: Dagster's folders, our event log;
    a materialisation with a check, its planned events batched, is all in the run's log."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(home))

    @dg.asset(check_specs=[dg.AssetCheckSpec("gevuld", asset="tabel")])
    def tabel() -> dg.MaterializeResult:
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            # The storage switches Dagster's batching on in whichever process makes it.
            assert os.environ["DAGSTER_EVENT_BATCH_SIZE"] == EVENT_BATCH_SIZE
            assert instance.get_ref().storage_data.class_name == InbeeldSqliteStorage.__name__
            assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
            result = dg.materialize([tabel], instance=instance)
            assert result.success
            kinds = [
                r.event_log_entry.dagster_event_type
                for r in instance.get_records_for_run(result.run_id, limit=1000).records
            ]
            assert kinds.count(DagsterEventType.ASSET_MATERIALIZATION_PLANNED) == 1
            assert kinds.count(DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED) == 1
            assert kinds.count(DagsterEventType.ASSET_MATERIALIZATION) == 1
            assert kinds.count(DagsterEventType.ASSET_CHECK_EVALUATION) == 1
            check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
                [dg.AssetCheckKey(dg.AssetKey("tabel"), "gevuld")]
            )
            assert check[dg.AssetCheckKey(dg.AssetKey("tabel"), "gevuld")].status.value == (
                "SUCCEEDED"
            )
    # Dagster's own layout: the run and index databases where the default storage keeps them.
    assert (home / "history" / "runs.db").exists()
    assert (home / "history" / "runs" / "index.db").exists()
    assert (home / "history" / "runs" / f"{result.run_id}.db").exists()


def _open_databases(folder: Path) -> set[str]:
    """Names of the SQLite databases under `folder` this process holds open (Linux)."""
    held = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and target.endswith(".db"):
            held.add(Path(target).name)
    return held


def test_kept_connections_hide_nothing_and_stay_bounded(tmp_path: Path) -> None:
    """The storage keeps a connection per recent shard: what it wrote is committed for any
    other reader at once, the open databases stay bounded however many runs it touched,
    and a wipe (Dagster deletes the run files) leaves it working."""
    folder = tmp_path / "events"
    ours = BatchingSqliteEventLogStorage(str(folder))
    runs = [f"run-{n}" for n in range(3 * KEPT_ENGINES)]
    for run in runs:
        ours.store_event(_entry(_materialized(KEYS[0]).dagster_event, run_id=run))
        # Another process's view: Dagster's own storage on the same files.
        theirs = SqliteEventLogStorage(str(folder))
        assert len(theirs.get_records_for_run(run).records) == 1
    assert 1 < len(_open_databases(folder)) <= KEPT_ENGINES
    with ours.index_connection() as conn:
        # WAL (Dagster's) synced at checkpoints, not at every commit (1 = NORMAL)
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
    assert ours.has_table("asset_check_executions")
    assert not ours.has_table("geen_tabel")
    ours.wipe()  # Dagster deletes the run files and empties the index
    assert _open_databases(folder) <= {"index.db"}
    ours.store_event(_materialized(KEYS[1]))
    assert len(ours.get_records_for_run(RUN).records) == 1
    ours.dispose()
    assert _open_databases(folder) == set()
