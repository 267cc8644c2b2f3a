"""Worker processes for the steps that use every core: ingest's reading, publish's regions.

The workers come from a forkserver, not a fork of the step's process: that process has
Dagster's threads, and a fork copies their locks in whatever state they are in. A process
has one forkserver, started by its first pool with the modules below imported once, so
each worker of either step starts without importing them again ("__main__" as
multiprocessing's default has it, so no worker re-imports the main module).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PRELOAD = [
    "__main__",
    "orchestration.ingest.load",
    "dashboards.site",
    "orchestration.publish.szw",
]


def _forkserver() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start_server() -> None:
    """Start the forkserver now, without waiting for it: its imports then run on the other
    core while the caller goes on (`inbeeld run` imports Dagster meanwhile), and the first
    pool's workers start at once (a pool started it itself in 0.5-0.8 s, in the month's
    publish step)."""
    _forkserver()
    multiprocessing.forkserver.ensure_running()


def process_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_forkserver(), initializer=initializer, initargs=initargs
    )
