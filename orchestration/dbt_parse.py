"""dbt's parsed project, kept and reused between runs on one warehouse.

dbt parses the whole project (8 s here; with its start-up 18 s) when the vars or the
profile differ from its last parse, and the run's work-copy path is in both. One saved
parse per work-copy path (the same path run after run, orchestration.atomic.work_copy_path)
lets every later run on that warehouse parse only what changed; dbt itself checks the
saved state (dbt's version, vars, profile, every file's checksum) and parses in full when
it does not fit. The first run on a warehouse (the demo, always) has no saved parse:
`parse_ahead` makes one beside the run's first steps, on the core they leave idle.

Light on purpose (no Dagster import): the CLI starts the parse before it loads Dagster.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

PARTIAL_PARSE = "partial_parse.msgpack"
PARSE_STATES = DBT_PROJECT_DIR / "target" / "parse_states"
KEEP_PARSE_STATES = 8
AHEAD_PREFIX = "parse-ahead-"
STALE_AHEAD_SECONDS = 3600  # a parse takes ~20 s; an older folder lost its process


def dbt_executable() -> str:
    """The venv's dbt, so an unactivated venv works too; else `dbt` from PATH."""
    venv_dbt = REPO_ROOT / ".venv" / "bin" / "dbt"
    return str(venv_dbt) if venv_dbt.exists() else "dbt"


def warehouse_vars(work: Path) -> str:
    """The --vars of every dbt command on a work copy: the profile reads the path from them
    (never from the environment). Parse and build must pass the same, or dbt re-parses."""
    return json.dumps({"warehouse_path": str(work)})


def parse_state_file(work: Path) -> Path:
    """Where the parse of dbt runs on this work copy is kept."""
    key = hashlib.sha256(str(work).encode()).hexdigest()[:16]
    return PARSE_STATES / f"{key}.msgpack"


def restore_parse_state(saved: Path, target: Path) -> None:
    """Put the saved parse where this invocation's dbt looks for it (its target folder);
    without one, dagster-dbt copies the project's own (from `dbt parse`) as before."""
    if not saved.is_file():
        return
    target.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(saved, target / PARTIAL_PARSE)
    except OSError:  # pruned meanwhile by another run: dbt parses in full
        (target / PARTIAL_PARSE).unlink(missing_ok=True)


def keep_parse_state(target: Path, saved: Path, keep: int = KEEP_PARSE_STATES) -> None:
    """After a completed dbt command: keep its parse for the next run (written whole, then
    renamed, so a reader never sees half a file); only the newest few are kept."""
    fresh = target / PARTIAL_PARSE
    if not fresh.is_file():
        return
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_name(f".{saved.name}.{uuid.uuid4().hex[:8]}")
    try:
        shutil.copyfile(fresh, partial)
        os.replace(partial, saved)
    except OSError:
        partial.unlink(missing_ok=True)
        return
    for old in _newest_first(saved.parent.glob("*.msgpack"))[keep:]:
        old.unlink(missing_ok=True)


def _newest_first(paths) -> list[Path]:
    dated = []
    for p in paths:
        try:
            dated.append((p.stat().st_mtime, p))
        except OSError:  # removed meanwhile by another run
            continue
    return [p for _, p in sorted(dated, reverse=True)]


class ParseAhead:
    """`dbt parse` for a work copy without a saved parse, in the background.

    It writes only its own target folder and, when it completed, the saved parse (renamed
    into place: the run's dbt step sees the whole file or none). dbt parse opens no
    database. Should the dbt step start first, it parses in full as it would have anyway.
    """

    def __init__(self, work: Path) -> None:
        self.saved = parse_state_file(work)
        targets = DBT_PROJECT_DIR / "target"
        _remove_stale(targets)
        self.target = targets / f"{AHEAD_PREFIX}{uuid.uuid4().hex[:8]}"
        self._proc = subprocess.Popen(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(self.target),
                "--log-path",
                str(self.target),
                "--vars",
                warehouse_vars(work),
            ],
            cwd=DBT_PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._keep, name="dbt-parse-ahead", daemon=True)
        self._thread.start()

    def _keep(self) -> None:
        if self._proc.wait() == 0:
            keep_parse_state(self.target, self.saved)
        shutil.rmtree(self.target, ignore_errors=True)

    def close(self) -> None:
        """Stop a parse still running (the run ended first) and clean up after it.

        SIGKILL, not SIGTERM: a parse started from a shell's background job can inherit
        SIGTERM ignored (see cli.restore_interrupts) and would then run on to the end.
        Killing it is safe: it writes only its own folder until the final rename."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._thread.join(timeout=30)


def _remove_stale(targets: Path) -> None:
    """The folders of parses whose command was killed before it could clean up."""
    for old in targets.glob(f"{AHEAD_PREFIX}*"):
        try:
            if time.time() - old.stat().st_mtime > STALE_AHEAD_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:  # removed meanwhile
            continue


def parse_ahead(work: Path) -> ParseAhead | None:
    """Start the parse for `work` when none is saved; None when there is one already."""
    if parse_state_file(work).is_file():
        return None
    try:
        return ParseAhead(work)
    except OSError:  # no dbt to start: the run's own dbt step reports that
        return None
