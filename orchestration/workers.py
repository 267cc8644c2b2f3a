"""Worker processes for the steps that use every core: ingest's reading, publish's regions.

The workers come from a forkserver, not a fork of the step's process: that process has
Dagster's threads, and a fork copies their locks in whatever state they are in. A process
has one forkserver, started by its first pool with the modules below imported once, so
each worker of either step starts without importing them again ("__main__" as
multiprocessing's default has it, so no worker re-imports the main module).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PRELOAD = [
    "__main__",
    "orchestration.ingest.load",
    "dashboards.site",
    "orchestration.publish.szw",
]


def process_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )
