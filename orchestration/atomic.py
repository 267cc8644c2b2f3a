"""One `inbeeld run` changes the warehouse all at once or not at all.

The run works on a copy beside the warehouse file and, only when the whole asset graph
completed, checkpoints the copy and renames it over the original (an atomic rename on
POSIX). A run that fails or is killed — even with SIGKILL, in the ingest or in dbt —
leaves the warehouse exactly as it was; the next run throws the stale copy away.
Readers (dashboards, the UI) always see a complete, consistent warehouse.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class WarehouseBusy(RuntimeError):
    pass


def _work_prefix(warehouse: Path) -> str:
    # DuckDB names a file's catalog after the file: keep the copy's name clear of the
    # schema names (raw, marts, reference, …), or dbt's references become ambiguous.
    tag = hashlib.sha1(warehouse.name.encode()).hexdigest()[:8]
    return f".inbeeld_run_{tag}_"


def _work_copies(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(_work_prefix(warehouse) + "*"))


@contextmanager
def atomic_warehouse(warehouse: Path) -> Iterator[tuple[Path, list[bool]]]:
    """Yields (work copy, commit flag); set commit[0] = True to publish the copy."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"Another inbeeld run is writing {warehouse}. Wait for it to finish."
            ) from None
        for stale in _work_copies(warehouse):  # left by a killed run
            stale.unlink(missing_ok=True)
        work = warehouse.with_name(f"{_work_prefix(warehouse)}{os.getpid()}.duckdb")
        if warehouse.exists():
            shutil.copy2(warehouse, work)
            wal = warehouse.with_name(warehouse.name + ".wal")
            if wal.exists():
                shutil.copy2(wal, work.with_name(work.name + ".wal"))
        commit = [False]
        try:
            yield work, commit
            if commit[0] and work.exists():
                con = duckdb.connect(str(work))
                con.execute("checkpoint")
                con.close()
                with open(work, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(work, warehouse)
                warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
        finally:
            for leftover in (work, work.with_name(work.name + ".wal")):
                leftover.unlink(missing_ok=True)
