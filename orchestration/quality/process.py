"""The GX validations in a process of their own.

Importing great_expectations and building its context takes ~3 s of one core. In the
run's own process that import either waited in the first check or, on a thread beside the
ingest, held the GIL the ingest needed (a month's ingest took 11-12 s instead of 6-7).
So the ingest starts this process (start()): it imports GX on the other core while the
ingest reads. The checks then send it their validations (validate()); it opens the
warehouse read-only itself, after the check's own connection is closed, and returns the
outcomes (counts, expectation names and files: never a value). The dbt step stops it
(stop()): the checks block dbt, so they are done by then, and its memory goes back before
the run's largest step.

A spawned process, not one from orchestration.workers' forkserver: a pool's first worker
from that server waits for the server's own imports, and GX among them would burden every
ingest and publish worker with GX's modules.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from orchestration.quality import suites
from orchestration.quality.screening import validate_run
from orchestration.quality.suites import SuiteOutcome

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def start() -> ProcessPoolExecutor:
    """Start GX's process (idempotent); it imports GX and builds its context at once."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=suites.warm_up,
            )
            # A pool starts its process at the first task: this one (empty) starts it now.
            _pool.submit(int)
        return _pool


def stop() -> None:
    """Stop GX's process if it runs (a later check starts a new one)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def validate(
    warehouse: Path, suite_names: tuple[str, ...], months: list[str]
) -> dict[str, SuiteOutcome]:
    """One outcome per month (YYYY-MM, or 'alle'), every suite of `suite_names` validated
    over the rows of `months` in `warehouse`, in GX's process (started here if need be).
    The caller holds no connection to `warehouse`: DuckDB lets a second process open a
    file only when no process has it open for writing."""
    return start().submit(_validate, str(warehouse), suite_names, months).result()


def _validate(
    warehouse: str, suite_names: tuple[str, ...], months: list[str]
) -> dict[str, SuiteOutcome]:
    outcomes = {month[:7]: SuiteOutcome() for month in months}  # 'alle' stays 'alle'
    with duckdb.connect(warehouse, read_only=True) as con:
        for suite in suite_names:
            validate_run(con, suite, months, outcomes)
    return outcomes
