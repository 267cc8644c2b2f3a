"""Every run changes the warehouse, publish/ and exports/ all at once or not at all.

A run that writes works on a copy beside the warehouse file and on staged copies of the
publish and exports folders. Only when the run completed is the copy checkpointed and
renamed over the original (an atomic rename on POSIX: the commit point), after which the
staged folders take the place of the old ones. A run that fails or is killed — even with
SIGKILL, anywhere — leaves all three as they were; the next writer throws the leftovers
away, or finishes the folder swap of a run whose warehouse rename had already happened
(the warehouse records every committed run in audit.run_commits).

One writer at a time: an exclusive lock file beside the warehouse. Readers never see a
half-written state: they read the committed file, which no writer opens in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path

import duckdb

from orchestration.private import private_dir, private_file, public_tree

STAGED = ".inbeeld-next-"
OLD = ".inbeeld-old-"

# The work list with BSNs (`inbeeld reidentify`, orchestration/publish/work_lists.py)
# lives until the next run or REIDENTIFIED_MAX_AGE, whichever comes first: BSNs are kept
# no longer than the outreach needs them. Every writing run removes it when it begins;
# the sensor inbeeld_werklijst_bsn_opruimen (and `inbeeld reidentify` itself) removes
# older ones when no run comes.
REIDENTIFIED = "werklijst_bsn.csv"
REIDENTIFIED_MAX_AGE = dt.timedelta(days=7)


class WarehouseBusy(RuntimeError):
    pass


class CommitError(RuntimeError):
    """The commit itself failed (disk full, read-only file system): nothing was changed."""


def _work_prefix(warehouse: Path) -> str:
    # DuckDB names a file's catalog after the file: keep the copy's name clear of the
    # schema names (raw, marts, reference, …), or dbt's references become ambiguous.
    tag = hashlib.sha1(warehouse.name.encode()).hexdigest()[:8]
    return f".inbeeld_run_{tag}_"


def _work_copies(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(_work_prefix(warehouse) + "*"))


def work_copy_path(warehouse: Path) -> Path:
    """The work copy's usual name: the same for every run on this warehouse, so dbt sees the
    same profile run after run and reuses its parsed project (partial parsing)."""
    return warehouse.with_name(f"{_work_prefix(warehouse)}work.duckdb")


def _in_use(path: Path) -> bool:
    """Whether a live process still has this database open: DuckDB holds a lock on the file
    it writes. After a run was killed, its dbt process may still be running on the copy."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: leave it alone
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def describe_os_error(exc: BaseException) -> str:
    """A Dutch cause for the summary: what went wrong and what to do."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "schijf vol: maak ruimte vrij op de schijf van het warehouse en start de run opnieuw"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            "het warehouse of de map ernaast is niet schrijfbaar: controleer de rechten en "
            "start de run opnieuw"
        )
    text = str(exc)
    if "No space left" in text or "disk is full" in text.lower():
        return "schijf vol: maak ruimte vrij op de schijf van het warehouse en start de run opnieuw"
    return f"{type(exc).__name__}: {text[:300]}"


def _committed_runs(warehouse: Path) -> set[str]:
    if not warehouse.is_file():
        return set()
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return set()
    try:
        return {r[0] for r in con.execute("select run_id from audit.run_commits").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


def remove_reidentified(exports: Path, older_than: dt.timedelta | None = None) -> list[Path]:
    """Remove <gemeentecode>/werklijst_bsn.csv under `exports` (also in a folder a killed
    swap left behind): every one, or only those last written longer than `older_than`
    ago. A link is removed as the link, never followed. Returns what it removed."""
    found = list(exports.glob(f"*/{REIDENTIFIED}"))
    found += exports.parent.glob(f"{OLD}{exports.name}-*/*/{REIDENTIFIED}")
    cutoff = None if older_than is None else time.time() - older_than.total_seconds()
    removed = []
    for path in sorted(found):
        try:
            if cutoff is not None and path.lstat().st_mtime > cutoff:
                continue
            path.unlink()
        except FileNotFoundError:  # removed meanwhile (a run, another sweep)
            continue
        removed.append(path)
    return removed


def _swap(staged: Path, target: Path, run_id: str) -> None:
    """staged takes target's place; the old folder is removed afterwards."""
    old = target.with_name(f"{OLD}{target.name}-{run_id}")
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(warehouse: Path, folders: list[Path]) -> None:
    """Under the lock: finish or throw away what a killed writer left behind.

    A work copy that a killed run's dbt process still writes is left where it is (with its
    WAL): that process would otherwise write its WAL beside the next run's copy of the same
    name. A later run removes it once nothing holds it.
    """
    for stale in _work_copies(warehouse):
        if _in_use(stale.with_name(stale.name.removesuffix(".wal"))):
            continue
        stale.unlink(missing_ok=True)
    committed: set[str] | None = None
    for target in folders:
        parent = target.parent
        if not parent.is_dir():
            continue
        for staged in sorted(parent.glob(f"{STAGED}{target.name}-*")):
            run_id = staged.name.removeprefix(f"{STAGED}{target.name}-")
            if committed is None:
                committed = _committed_runs(warehouse)
            if run_id in committed:
                _swap(staged, target, run_id)  # the warehouse went first: follow it
            else:
                shutil.rmtree(staged, ignore_errors=True)
        for old in sorted(parent.glob(f"{OLD}{target.name}-*")):
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:  # killed between the two renames of a swap that did not finish
                os.replace(old, target)


class WarehouseTransaction:
    """The lock, the work copy and the staged folders of one writing run."""

    def __init__(
        self,
        warehouse: Path,
        run_id: str,
        public: list[Path] | None = None,
        private: list[Path] | None = None,
        lock_wait_seconds: float = 0,
    ) -> None:
        self.warehouse = warehouse
        self.run_id = run_id
        self.public = public or []  # published aggregates: readable by a web server
        self.private = private or []  # person-level exports: owner-only
        self.folders = self.public + self.private
        self.lock_wait_seconds = lock_wait_seconds
        self.work = work_copy_path(warehouse)
        self._work_made = False
        self._lock: int | None = None
        self._umask: int | None = None
        self._staged: dict[Path, Path] = {}
        self.committed = False

    # ------------------------------------------------------------------ begin

    def begin(self) -> None:
        private_dir(self.warehouse.parent, create_parents=True, chmod=False)
        lock_path = self.warehouse.with_name(self.warehouse.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseBusy(
                        f"Een andere inbeeld-run schrijft al in {self.warehouse}. Wacht tot die "
                        "klaar is (zie de Dagster-UI) en start deze run daarna opnieuw."
                    ) from None
                time.sleep(0.5)
        self._lock = fd
        # Whatever DuckDB, dbt and the work lists create during the run (the WAL, temporary
        # files) is owner-only; published folders are opened up explicitly at commit.
        self._umask = os.umask(0o077)
        try:
            recover(self.warehouse, self.folders)
            # A re-identified list lives until the next run at the longest: gone now,
            # whether or not this run commits.
            for folder in self.private:
                remove_reidentified(folder)
            if self.work.exists():  # still held by a killed run's dbt: a name of our own
                self.work = self.work.with_name(
                    f"{_work_prefix(self.warehouse)}{uuid.uuid4().hex[:12]}.duckdb"
                )
            self._work_made = True
            if self.warehouse.exists():
                shutil.copyfile(self.warehouse, private_file(self.work))
                wal = self.warehouse.with_name(self.warehouse.name + ".wal")
                if wal.exists():
                    wal_copy = private_file(self.work.with_name(self.work.name + ".wal"))
                    shutil.copyfile(wal, wal_copy)
            else:  # a first run: a new, empty database (owner-only by the umask)
                duckdb.connect(str(self.work)).close()
        except BaseException:
            self.abort()
            raise

    def staged(self, target: Path, *, fresh: bool = False) -> Path:
        """The folder this run writes instead of `target`, made on first use: a copy of it,
        or (`fresh`) an empty folder for a writer that writes the complete set.

        The work lists are always fresh: a youth who objected since, or a municipality
        without a list this month, leaves no old file behind. A re-identified list
        (werklijst_bsn.csv) is removed when the run begins (remove_reidentified).
        """
        if target not in self._staged:
            staged = target.with_name(f"{STAGED}{target.name}-{self.run_id}")
            shutil.rmtree(staged, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not fresh:
                shutil.copytree(target, staged, symlinks=True)
            else:
                staged.mkdir()
            self._staged[target] = staged
        return self._staged[target]

    # ------------------------------------------------------------------ end

    def commit(self) -> None:
        """The work copy replaces the warehouse, then the staged folders replace theirs."""
        if self.committed:
            return
        try:
            con = duckdb.connect(str(self.work))
            try:
                con.execute("create schema if not exists audit")
                con.execute(
                    "create table if not exists audit.run_commits "
                    "(run_id varchar primary key, committed_at timestamp not null)"
                )
                con.execute(
                    "insert or replace into audit.run_commits values (?, ?)",
                    [self.run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)],
                )
                con.execute("checkpoint")
            finally:
                con.close()
            os.chmod(self.work, 0o600)
            with open(self.work, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(self.work, self.warehouse)  # the commit point
        except (OSError, duckdb.Error) as exc:
            raise CommitError(describe_os_error(exc)) from exc
        self.committed = True
        self.warehouse.with_name(self.warehouse.name + ".wal").unlink(missing_ok=True)
        self.work.with_name(self.work.name + ".wal").unlink(missing_ok=True)
        for target, staged in self._staged.items():
            if target in self.public:
                public_tree(staged)
            _swap(staged, target, self.run_id)
        self._staged.clear()

    def abort(self) -> None:
        if self._work_made:  # never another run's copy
            for leftover in (self.work, self.work.with_name(self.work.name + ".wal")):
                leftover.unlink(missing_ok=True)
        for staged in self._staged.values():
            shutil.rmtree(staged, ignore_errors=True)
        self._staged.clear()

    def release(self) -> None:
        if not self.committed:
            self.abort()
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None
        if self._umask is not None:
            os.umask(self._umask)
            self._umask = None
