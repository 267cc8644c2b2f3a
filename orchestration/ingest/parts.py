"""A large run's files, read in parts on every core.

Reading is per file (hash, parse, row rules, pseudonyms) and nothing in it depends on
another file, so a run's in-scope files are cut into parts of consecutive files; each part
is read by a worker process into a DuckDB file of its own (the same staging tables as a
run in one process). The run's process takes the parts' outcomes over in the order of the
files and attaches their files read-only; the one transaction at the end copies their
rows from there, and only it touches the warehouse. What a run writes is the same
whichever way it was read.

A run of a few megabytes stays in one process: a worker's start costs more than it saves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from orchestration.ingest.inbox import InboxFile

# Below this many bytes in scope a run is read in its own process: starting the workers
# costs ~1.8 s (the forkserver's imports). Measured at the real size with the column-wise
# reader: a 25 MB month took 2.9 s in one process and 4.0 s in parts, two months (50 MB)
# 5.2 and 5.4 s; a region's month is far below, the country's backfill (~1.2 GB) far above.
PARALLEL_MIN_BYTES = 64 * 2**20
# A part is at most this many bytes: enough parts to keep both cores busy to the end, few
# enough that a part's DuckDB file and its copy stay a small cost.
PART_BYTES = 16 * 2**20
_STAGE_DIR_PREFIX = ".ingest-parts-"


def plan_parts(files: Sequence[InboxFile], workers: int, min_bytes: int) -> list[list[InboxFile]]:
    """Consecutive runs of files, or [] when the run is read in one process.

    At least two parts per worker, so a worker that draws the large files is not left
    alone at the end.
    """
    total = sum(f.size for f in files)
    if workers <= 1 or len(files) < 2 or total < min_bytes:
        return []
    target = max(1, min(PART_BYTES, total // (2 * workers)))
    parts: list[list[InboxFile]] = [[]]
    size = 0
    for f in files:
        if parts[-1] and size + f.size > target:
            parts.append([])
            size = 0
        parts[-1].append(f)
        size += f.size
    return parts


def known_by_part(
    parts: list[list[InboxFile]], known: dict[tuple[str, str], tuple]
) -> list[dict[tuple[str, str], tuple]]:
    """The audit.loads versions of each part's paths: all a worker needs of them."""
    part_of = {f.path: n for n, files in enumerate(parts) for f in files}
    out: list[dict[tuple[str, str], tuple]] = [{} for _ in parts]
    for key, value in known.items():
        n = part_of.get(key[0])
        if n is not None:
            out[n][key] = value
    return out


def warehouse_dir(con) -> Path:  # noqa: ANN001 - a DuckDB connection
    """The folder of the connection's database file (the parts go beside it, on the same
    disk, never in a shared /tmp); the system's temporary folder for an in-memory one."""
    rows = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    return Path(path).resolve().parent if path else Path(tempfile.gettempdir())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: Path) -> None:
    """Remove the part folders of runs that were killed (no cleanup ran): they hold
    pseudonymised rows. A folder's name holds its run's process id; a live one is kept."""
    for old in parent.glob(f"{_STAGE_DIR_PREFIX}*"):
        pid = old.name[len(_STAGE_DIR_PREFIX) :].split("-", 1)[0]
        if old.is_dir() and not (pid.isdigit() and _pid_alive(int(pid))):
            shutil.rmtree(old, ignore_errors=True)


class StageDir:
    """A private folder (0700) for the parts' DuckDB files, removed when the run ends."""

    def __init__(self, parent: Path) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{_STAGE_DIR_PREFIX}{os.getpid()}-", dir=parent))

    def part(self, n: int) -> Path:
        return self.path / f"part-{n:05d}.duckdb"

    def __enter__(self) -> StageDir:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
