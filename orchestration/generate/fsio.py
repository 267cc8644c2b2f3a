"""Writing and removing many small files with a few threads.

A national inbox is ~20,000 folders and ~130,000 files; on a virtual disk each create
or unlink waits on I/O, which threads overlap (the GIL is released in the syscalls).
Measured here: removing 126k files took 103 s serially and 13 s with 16 threads.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

THREADS = 16


Job = tuple[Path, list[tuple[str, bytes]]]
BATCH = 32  # folders per task: fewer hand-overs between threads


def _write_folders(jobs: list[Job]) -> None:
    for folder, files in jobs:
        os.makedirs(folder, exist_ok=True)
        for name, data in files:
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(data)


class FolderWriter:
    """Writes whole folders in the background; `close` waits and re-raises any error."""

    def __init__(self, threads: int = THREADS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads)
        self._pending: list = []
        self._batch: list[Job] = []

    def submit(self, folder: Path, files: list[tuple[str, bytes]]) -> None:
        self._batch.append((folder, files))
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(_write_folders, self._batch))
            self._batch = []
        if len(self._pending) > 4 * THREADS:  # bound the memory held by queued files
            self._drain(keep=THREADS)

    def _drain(self, keep: int = 0) -> None:
        while len(self._pending) > keep:
            self._pending.pop(0).result()

    def close(self) -> None:
        try:
            self._flush()
            self._drain()
        finally:
            self._pool.shutdown(wait=True)


def _remove_files(folder: str) -> None:
    with os.scandir(folder) as it:
        for entry in it:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)


def remove_tree(root: Path) -> None:
    """rmtree, with the file unlinks spread over threads; symlinks are removed, not followed."""
    folders: list[str] = []
    for dirpath, dirnames, _ in os.walk(root, topdown=True, followlinks=False):
        folders.append(dirpath)
        for d in list(dirnames):  # a symlinked folder is unlinked like a file
            if os.path.islink(os.path.join(dirpath, d)):
                os.unlink(os.path.join(dirpath, d))
                dirnames.remove(d)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(_remove_files, folders))
    for folder in reversed(folders):  # children were listed after their parents
        os.rmdir(folder)
