"""One ingest run: scan the inbox, read what is new, write it to the warehouse atomically.

Versions (SPEC §1): audit.loads holds one row per (path, sha256). A loaded version is
never read again; a new loaded version of a path becomes current and the earlier one
stops being current; a rejected version leaves the current one in place. Rejected
versions are judged again on every run, because a refusal can depend on other files
(ambiguous_file) or on the registry (unknown_gemeente).

Bounded memory: a file is hashed in chunks first (an unchanged version is never parsed),
then parsed streaming (a small file without quotes is parsed from the bytes it was hashed
from, together with other small files: reader.split_files); its records join a buffer
per kind that is validated every CHUNK_ROWS rows (small files share a chunk, a big file
spans chunks) and written to
staging tables (schema ingest_stage, outside the transaction: DuckDB keeps the appends of
an open transaction in memory, a single insert ... select is written out). The one
transaction at the end copies the rows of the files that ended loaded (or no_valid_rows,
for quarantine) and writes audit.loads; a file refused by a later chunk or byte
(gemeentecode_mismatch on row 900,000, invalid UTF-8 at the end) is simply not copied.

Hostile entries: every file is opened with O_NOFOLLOW|O_NONBLOCK and fstat-ed; anything
but a regular file, and a file gone between scan and read, is refused as not_a_file, a
file above INBEELD_MAX_FILE_MB as file_too_large, both without being read. A version that
is not read at all is recorded under the sha256 of zero bytes (reader.EMPTY_SHA256).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest import limits, parts
from orchestration.ingest.inbox import InboxFile, describe_mode
from orchestration.ingest.messages import file_message, row_message_parts
from orchestration.ingest.reader import (
    EMPTY_SHA256,
    NUL_DETAIL,
    Block,
    BlockStream,
    FileFault,
    Fingerprint,
    ParsedFile,
    ReadFault,
    Records,
    RecordStream,
    check_header,
    fingerprint,
    split_files,
    too_large,
    utf8_fault,
)
from orchestration.ingest.rows import COLUMNS, column_kind, validate_batch
from orchestration.ingest.warehouse import (
    DDL,
    LOAD_COLUMNS,
    QUARANTINE_COLUMNS,
    RAW_COLUMNS,
    RAW_TABLE,
    SHORT_LISTS_SQL,
)
from orchestration.workers import process_pool

Progress = Callable[[int, int, str], None]


@dataclass
class Rejection:
    path: str
    gemeentecode: str | None
    month: dt.date | None
    reason: str
    message: str


class ShortList(NamedTuple):
    """A jib list loaded this run, less than half as long as the municipality's previous one."""

    path: str
    rows: int
    previous_rows: int


@dataclass
class IngestReport:
    months: list[dt.date]
    files_seen: int = 0
    files_unchanged: int = 0
    files_reactivated: int = 0
    files_loaded: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    quarantine_by_gemeente: Counter = field(default_factory=Counter)  # (gm, reason) -> n
    rows_by_table: Counter = field(default_factory=Counter)
    # Files modified within the settle window (or changed while read): not read, not
    # recorded in audit.loads; the next run takes them. Also in audit.held_back.
    held_back: list[str] = field(default_factory=list)
    short_lists: list[ShortList] = field(default_factory=list)

    @property
    def files_rejected(self) -> int:
        return len(self.rejections)


@dataclass
class _Outcome:
    file: InboxFile
    sha256: str
    status: str = "loaded"
    rows_in: int | None = None
    reason: str | None = None
    message: str | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    seen: tuple | None = None  # (status, is_current, reason) of this version in audit.loads
    fault: FileFault | None = None  # refused as a whole, found while reading or validating
    held: bool = False  # changed while being read: held back, not recorded
    done: bool = False  # read to its end
    bsns: set[str] | None = None  # jib spanning chunks: pseudo_ids of its valid rows so far
    file_key: int | None = None  # its key in its stage's files table, once rows are staged
    by_reason: Counter = field(default_factory=Counter)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


def _rejected(
    f: InboxFile,
    sha: str,
    reason: str,
    rows_in: int | None,
    detail: str = "",
    line: int | None = None,
) -> _Outcome:
    message = file_message(reason, f.path, detail, line)
    return _Outcome(f, sha, "rejected", rows_in, reason=reason, message=message)


def _in_scope(f: InboxFile, months: set[dt.date] | None) -> bool:
    # Root files and files under an unreadable month folder belong to no month: every
    # run looks at them, so they are never missed.
    return f.month is None or months is None or f.month in months


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: pd.DataFrame | str,
    columns: tuple[str, ...] | None = None,
) -> None:
    """Insert a frame, or the result of a select (into `columns`, or all in their order)."""
    if isinstance(rows, str):
        into = f" ({', '.join(columns)})" if columns else ""
        con.execute(f"insert into {table}{into} {rows}")
        return
    if len(rows) == 0:
        return
    con.register("_incoming", pa.Table.from_pandas(rows, preserve_index=False))
    try:
        cols = ", ".join(rows.columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from _incoming")
    finally:
        con.unregister("_incoming")


STAGE = "ingest_stage"
_STAGED = {**RAW_TABLE, "quarantine": "audit.quarantine"}
# A staged row names its file by a key into the stage's `files` table instead of carrying
# these columns itself: 40% less to write for the ingest's largest cost after reading.
_FILE_COLUMNS = ("path", "sha256", "month", "gemeentecode", "source")
_FILES_DDL = (
    "file_key integer, path varchar, sha256 varchar, month date, gemeentecode varchar, "
    "source varchar"
)


def _file_columns(kind: str) -> tuple[str, ...]:
    """The columns of a raw table that come from the row's file. A bevolking.csv row carries
    its own gemeentecode: a root file has none."""
    own = ("gemeentecode",) if kind == "bevolking" else ()
    return tuple(c for c in RAW_COLUMNS[kind] if c in _FILE_COLUMNS and c not in own)


def _row_columns(kind: str) -> tuple[str, ...]:
    return tuple(c for c in RAW_COLUMNS[kind] if c not in _file_columns(kind))


def _create_stage(con: duckdb.DuckDBPyConnection) -> None:
    # A crash of an earlier run may have left its stage behind: it is never read again.
    _drop_stage(con)
    con.execute(f"create schema {STAGE}")
    con.execute(f"create table {STAGE}.files ({_FILES_DDL})")
    for name, table in _STAGED.items():
        columns = "*" if name == "quarantine" else ", ".join(_row_columns(name))
        key = "" if name == "quarantine" else "0::integer as file_key, "
        con.execute(f"create table {STAGE}.{name} as select {key}{columns} from {table} limit 0")


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop schema if exists {STAGE} cascade")


_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_UNITS |= {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def _memory_limit(con: duckdb.DuckDBPyConnection) -> tuple[str, float | None]:
    (value,) = con.execute("select current_setting('memory_limit')").fetchone() or ("",)
    number, _, unit = str(value).partition(" ")
    try:
        return str(value), float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        return str(value), None


class _BoundedMemory:
    """Lower DuckDB's memory_limit for the run (never raise it) and restore it after."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.original: str | None = None

    def __enter__(self) -> None:
        value, size = _memory_limit(self.con)
        if size is None or size > limits.DUCKDB_MEMORY_BYTES:
            self.original = value
            self.con.execute(f"set memory_limit = '{limits.DUCKDB_MEMORY_BYTES}B'")

    def __exit__(self, *exc: object) -> None:
        if self.original is None:
            return
        self.con.execute("reset memory_limit")  # the default, exactly, when it was
        if _memory_limit(self.con)[0] != self.original:
            self.con.execute(f"set memory_limit = '{self.original}'")


def _stage(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    _insert(con, f"{STAGE}.{name}", frame)


def _open(path: os.PathLike | str) -> int | str:
    """An fd of a regular file, never following a symlink nor blocking on a FIFO; or why
    not (Dutch, for not_a_file)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return "het verdween tijdens het lezen"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "het is een snelkoppeling (symbolische link)"
        return f"het kon niet geopend worden ({exc.strerror})"
    try:
        why = describe_mode(os.fstat(fd).st_mode)
    except OSError as exc:
        why = f"het kon niet gelezen worden ({exc.strerror})"
    if why is not None:
        os.close(fd)
        return why
    return fd


class _Run:
    """The reading and writing of one ingest run (inside its transaction)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        pseudonymise: Pseudonymiser,
        known: dict[tuple[str, str], tuple],
        settle_seconds: float,
        max_bytes: int | None = None,
        chunk_rows: int | None = None,
    ) -> None:
        self.con = con
        self.pseudonymise = pseudonymise
        self.known = known
        self.settle_seconds = settle_seconds
        self.max_bytes = limits.max_file_bytes() if max_bytes is None else max_bytes
        self.chunk_rows = limits.CHUNK_ROWS if chunk_rows is None else chunk_rows
        self.outcomes: list[_Outcome] = []
        self.reactivate: list[tuple[str, str]] = []
        self.unchanged = 0
        # Versions already in audit.loads that this run found again (last_seen_at).
        self.seen_again: list[tuple[str, str]] = []
        self.held_back: list[str] = []
        self._pending: dict[str, list[tuple[_Outcome, ParsedFile]]] = {}
        self._buffered: Counter = Counter()
        self._small: list[tuple[_Outcome, str]] = []  # deferred files (_defer)
        self._small_chars = 0
        self._next_key = 0  # file_key of the next file staged (_file_keys)
        # Where the staged rows are: this run's stage, then each worker's part (absorb).
        self.stages: list[str] = [STAGE]

    # ------------------------------------------------------------------ one file
    def read(self, f: InboxFile) -> None:
        if f.not_regular is not None:
            # Refused at scan time (lstat): never opened, never followed.
            assert f.reason is not None
            self._judged(_rejected(f, EMPTY_SHA256, f.reason, None, f.detail))
            return
        fd = _open(f.abspath)
        if isinstance(fd, str):
            self._judged(self._unreadable(f, fd))
            return
        try:
            self._read_fd(f, fd)
        finally:
            os.close(fd)

    def _unreadable(self, f: InboxFile, why: str) -> _Outcome:
        # A name fault stays the reason (SPEC order); the file is not read either way.
        if f.reason is not None:
            return _rejected(f, EMPTY_SHA256, f.reason, None, f.detail)
        return _rejected(f, EMPTY_SHA256, "not_a_file", None, why)

    def _read_fd(self, f: InboxFile, fd: int) -> None:
        st = os.fstat(fd)
        if self.settle_seconds > 0 and abs(time.time() - st.st_mtime) < self.settle_seconds:
            self.held_back.append(f.path)  # still being written: the next run reads it
            return
        if st.st_size > self.max_bytes:
            fault = too_large(st.st_size, self.max_bytes)
            if f.reason is not None:
                self._judged(_rejected(f, EMPTY_SHA256, f.reason, None, f.detail))
            else:
                self._judged(_rejected(f, EMPTY_SHA256, fault.reason, None, fault.detail))
            return
        try:
            fp = fingerprint(fd, self.max_bytes, keep_bytes=limits.BLOCK_BYTES)
        except OSError as exc:
            self._judged(self._unreadable(f, f"het kon niet gelezen worden ({exc.strerror})"))
            return
        if isinstance(fp, FileFault):  # grew past the limit while being hashed
            sha = EMPTY_SHA256
            reason, detail = (f.reason, f.detail) if f.reason else (fp.reason, fp.detail)
            self._judged(_rejected(f, sha, reason, None, detail))
            return
        sha = fp.sha256
        seen = self.known.get((f.path, sha))
        if seen is not None and seen[0] == "loaded":
            if seen[1]:
                self.unchanged += 1
            else:
                self.reactivate.append((f.path, sha))
            self.seen_again.append((f.path, sha))
            return
        if f.reason is not None:
            self._judged(_rejected(f, sha, f.reason, None, f.detail), seen)
            return
        if fp.size == 0:
            self._judged(_rejected(f, sha, "empty_file", None), seen)
            return
        if fp.has_nul:
            self._judged(_rejected(f, sha, "not_utf8", None, NUL_DETAIL), seen)
            return
        outcome = _Outcome(f, sha, seen=seen)
        if fp.data is not None and not fp.has_quote:
            self._defer(outcome, fd, fp.data)
        else:
            self._parse(outcome, fd, fp)
        self.outcomes.append(outcome)

    def _judged(self, outcome: _Outcome, seen: tuple | None = None) -> None:
        # Refused before being read: its version key may be known (EMPTY_SHA256 of an
        # unreadable entry recurs every run).
        outcome.seen = seen or self.known.get((outcome.file.path, outcome.sha256))
        outcome.done = True
        self.outcomes.append(outcome)

    def _parse(self, o: _Outcome, fd: int, fp: Fingerprint) -> None:
        assert o.file.source is not None
        reading = _FileReading(o, column_kind(o.file.source))
        stream: RecordStream | BlockStream
        try:
            if fp.has_quote:
                stream = RecordStream(fd, self.max_bytes)
                for start, values in stream:
                    self._record(reading, start, values)
            else:
                stream = BlockStream(fd, self.max_bytes)
                records = Records()
                for text in stream:
                    block = records.feed(text)
                    if block is not None:
                        self._block(reading, block)
        except ReadFault as exc:
            o.fault = exc.fault
        except UnicodeDecodeError:
            o.fault = utf8_fault(fd)
        except OSError as exc:
            o.fault = FileFault("not_a_file", f"het kon niet gelezen worden ({exc.strerror})")
        else:
            self._settle(reading, changed=stream.sha256 != fp.sha256)
            return
        o.rows_in = reading.rows_in
        o.done = True

    def _settle(self, reading: _FileReading, changed: bool = False) -> None:
        """A file read to its end without a fault of its bytes."""
        o = reading.outcome
        if reading.header is None:
            o.fault = FileFault("empty_file")
        elif changed:
            o.held = True  # changed between hashing and parsing: still being written
        elif o.fault is not None:
            o.fault.rows_in = reading.rows_in  # header fault: rows_in counts every record
        o.rows_in = reading.rows_in
        o.done = True

    def _defer(self, o: _Outcome, fd: int, data: bytes) -> None:
        """A small file without quotes waits for others, to be split in one Arrow pass with
        them (split_files); it is parsed from the very bytes that were hashed."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            o.fault, o.done = utf8_fault(fd), True
            return
        self._small.append((o, text))
        self._small_chars += len(text)
        if self._small_chars >= limits.BLOCK_BYTES:
            self._parse_small()

    def _parse_small(self) -> None:
        small, self._small, self._small_chars = self._small, [], 0
        for (o, _), block in zip(small, split_files([t for _, t in small]), strict=True):
            reading = _FileReading(o, column_kind(o.file.source or ""))
            if block is not None:
                self._block(reading, block)
            self._settle(reading)

    def _header(self, reading: _FileReading, values: list[str], start: int) -> None:
        reading.header = ParsedFile([v.casefold() for v in values], start)
        required, optional = COLUMNS[reading.kind]
        positions = check_header(reading.header, required, optional)
        if isinstance(positions, FileFault):
            reading.outcome.fault = positions  # the rest is only counted (rows_in)
        else:
            reading.positions = sorted(set(positions.values()))

    def _record(self, reading: _FileReading, start: int, values: list[str]) -> None:
        """One record read by csv.reader."""
        if reading.header is None:
            self._header(reading, values, start)
            return
        reading.rows_in += 1
        if reading.outcome.fault is not None:
            return
        if reading.piece is None:
            reading.piece = self._new_piece(reading)
        reading.piece.lines.append(start)
        reading.piece.records.append(values)
        self._added(reading, 1)

    def _block(self, reading: _FileReading, block: Block) -> None:
        """A block's records read column-wise, in pieces that keep the chunks' size."""
        if reading.header is None and len(block):
            self._header(reading, block.record(0), int(block.lines[0]))
            block = block[1:]
        reading.rows_in += len(block)
        if reading.outcome.fault is not None:
            return
        start = 0
        while start < len(block):
            room = max(1, self.chunk_rows - self._buffered[reading.kind])
            rows = block[start : start + room]
            start += len(rows)
            piece = self._new_piece(reading)
            piece.lines = rows.lines.tolist()
            piece.columns = {p: rows.column(p) for p in reading.positions}
            self._added(reading, len(rows))

    def _new_piece(self, reading: _FileReading) -> ParsedFile:
        assert reading.header is not None
        piece = ParsedFile(reading.header.header, reading.header.header_line)
        self._pending.setdefault(reading.kind, []).append((reading.outcome, piece))
        reading.piece = piece
        return piece

    def _added(self, reading: _FileReading, n: int) -> None:
        self._buffered[reading.kind] += n
        if self._buffered[reading.kind] >= self.chunk_rows:
            o = reading.outcome
            if reading.kind == "jib" and o.bsns is None:
                o.bsns = set()  # the file goes on in the next chunk
            self._flush(reading.kind)
            reading.piece = None

    # ------------------------------------------------------------------ chunks
    def flush_all(self) -> None:
        self._parse_small()
        for kind in list(self._pending):
            self._flush(kind)

    def _flush(self, kind: str) -> None:
        """Validate the buffered records of a kind and write their rows."""
        items = [(o, p) for o, p in self._pending.pop(kind, []) if o.fault is None and not o.held]
        self._buffered[kind] = 0
        if not items:
            return
        batch = validate_batch(
            kind,
            [(p, o.file.month, o.file.gemeentecode) for o, p in items],
            self.pseudonymise,
            [o.bsns for o, _ in items] if kind == "jib" else None,
        )
        n = len(items)
        loaded = np.bincount(batch.loaded["file"].to_numpy(dtype=np.int64), minlength=n)
        quarantined = np.bincount(batch.quarantine["file"].to_numpy(dtype=np.int64), minlength=n)
        counts = batch.quarantine.groupby(["file", "reason"]).size()
        for i, (o, _) in enumerate(items):
            fault = batch.faults.get(i)
            if fault is not None:
                o.fault = fault
                continue
            o.rows_loaded += int(loaded[i])
            o.rows_quarantined += int(quarantined[i])
            if o.done:
                o.bsns = None  # its last piece: the set is no longer needed
        for (i, reason), count in counts.items():
            items[int(i)][0].by_reason[reason] += int(count)
        owners = [o for o, _ in items]
        if len(batch.loaded):
            keys = np.array(self._file_keys(owners), dtype=np.int32)
            frame = batch.loaded.reset_index(drop=True)
            frame.insert(0, "file_key", keys[frame["file"].to_numpy(dtype=np.int64)])
            _stage(self.con, kind, frame[["file_key", *_row_columns(kind)]])
        if len(batch.quarantine):
            frame = _with_file_version(batch.quarantine, owners)
            _stage(self.con, "quarantine", _quarantine_rows(frame))

    def _file_keys(self, owners: list[_Outcome]) -> list[int]:
        """Each file's key in this stage's `files` table, given on its first staged rows."""
        new: list[_Outcome] = []
        for o in owners:
            if o.file_key is None:
                o.file_key = self._next_key
                self._next_key += 1
                new.append(o)
        if new:
            _stage(
                self.con,
                "files",
                pd.DataFrame(
                    {
                        "file_key": [o.file_key for o in new],
                        "path": [o.file.path for o in new],
                        "sha256": [o.sha256 for o in new],
                        "month": [o.file.month for o in new],
                        "gemeentecode": [o.file.gemeentecode for o in new],
                        "source": [o.file.source for o in new],
                    }
                ),
            )
        return [o.file_key for o in owners]  # type: ignore[misc]

    # ------------------------------------------------------------------ parts
    def part_read(self) -> _PartRead:
        return _PartRead(
            self.outcomes, self.unchanged, self.reactivate, self.seen_again, self.held_back
        )

    def absorb(self, part: _PartRead, stage_file: Path) -> None:
        """Take over what a worker read: its outcomes after ours; its staged rows stay in
        its file, attached read-only, and the one transaction copies them from there."""
        self.outcomes += part.outcomes
        self.unchanged += part.unchanged
        self.reactivate += part.reactivate
        self.seen_again += part.seen_again
        self.held_back += part.held_back
        alias = f"ingest_part_{len(self.stages)}"
        quoted = str(stage_file).replace("'", "''")
        self.con.execute(f"attach '{quoted}' as {alias} (read_only)")
        self.stages.append(f"{alias}.{STAGE}")

    def detach_parts(self) -> None:
        for stage in self.stages[1:]:
            self.con.execute(f"detach {stage.split('.')[0]}")
        del self.stages[1:]


@dataclass
class _FileReading:
    """The state of one file while its records are read."""

    outcome: _Outcome
    kind: str
    header: ParsedFile | None = None
    positions: list[int] = field(default_factory=list)  # the known columns' positions
    piece: ParsedFile | None = None  # the piece its records are added to
    rows_in: int = 0


@dataclass
class _PartRead:
    """What a worker hands back of its part (the staged rows stay in its DuckDB file)."""

    outcomes: list[_Outcome]
    unchanged: int
    reactivate: list[tuple[str, str]]
    seen_again: list[tuple[str, str]]
    held_back: list[str]


_worker_pseudonymise: Pseudonymiser | None = None


def _init_worker(pseudonymise: Pseudonymiser) -> None:
    global _worker_pseudonymise  # one per worker process, its cache kept between parts
    _worker_pseudonymise = pseudonymise


def _read_part(
    files: list[InboxFile],
    known: dict[tuple[str, str], tuple],
    stage_file: Path,
    settle_seconds: float,
    max_bytes: int,
    chunk_rows: int,
) -> _PartRead:
    """In a worker: one part read exactly as the run's own process reads its files, into
    the staging tables of a DuckDB file of its own."""
    assert _worker_pseudonymise is not None
    con = duckdb.connect(str(stage_file))
    try:
        # One DuckDB thread: the other cores read the other parts.
        con.execute(f"set memory_limit = '{limits.DUCKDB_MEMORY_BYTES}B'; set threads = 1")
        ensure_schema(con)
        _create_stage(con)
        run = _Run(con, _worker_pseudonymise, known, settle_seconds, max_bytes, chunk_rows)
        for f in files:
            run.read(f)
        run.flush_all()
        con.execute("checkpoint")
    finally:
        con.close()
    return run.part_read()


def _with_file_version(frame: pd.DataFrame, owners: list[_Outcome]) -> pd.DataFrame:
    """Quarantined rows with their file's path and sha256 (looked up per file, not per row);
    loaded rows name their file by file_key instead (_file_keys)."""
    idx = frame["file"].to_numpy(dtype=np.int64)
    out = frame.reset_index(drop=True)
    out["path"] = np.array([o.file.path for o in owners], dtype=object)[idx]
    out["sha256"] = np.array([o.sha256 for o in owners], dtype=object)[idx]
    return out


def _quarantine_rows(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)
    messages = np.empty(n, dtype=object)
    lines = frame["line"].to_numpy(dtype=np.int64)
    line_text = lines.astype(str)
    # One message template per (reason, path, detail): built column-wise, not per row.
    groups = frame.groupby(["reason", "path", "detail"], sort=False).indices
    for (reason, path, detail), rows in groups.items():
        head, tail = row_message_parts(reason, path, detail)
        messages[rows] = np.char.add(np.char.add(head, line_text[rows]), tail).astype(object)
    out = pd.DataFrame(
        {
            "path": frame["path"],
            "sha256": frame["sha256"],
            "line": lines,
            "reason": frame["reason"],
            "message": messages,
            "pseudo_id": frame["pseudo_id"],
            "bsn_length": pd.array(frame["bsn_length"].tolist(), dtype="Int64"),
        }
    )
    return out[list(QUARANTINE_COLUMNS)]


def ingest(
    con: duckdb.DuckDBPyConnection,
    inbox_files: Iterable[InboxFile],
    months: set[dt.date] | None,
    pseudonymise: Pseudonymiser,
    progress: Progress | None = None,
    settle_seconds: float = 0,
    workers: int = 1,
    parallel_min_bytes: int = parts.PARALLEL_MIN_BYTES,
) -> IngestReport:
    """Ingest the in-scope files in one transaction; returns what happened.

    settle_seconds: a regular file modified less than this many seconds ago is still being
    written and is held back (report.held_back, audit.held_back). 0 (the default) holds
    nothing back; the Dagster asset passes limits.settle_seconds().
    workers: processes that read the files when they are at least parallel_min_bytes
    (orchestration.ingest.parts); the Dagster asset passes settings.ingest_workers().
    """
    ensure_schema(con)
    scoped = [f for f in inbox_files if _in_scope(f, months)]
    report = IngestReport(months=sorted(months or {f.month for f in scoped if f.month}))
    report.files_seen = len(scoped)

    known = {
        (p, s): (status, cur, reason)
        for p, s, status, cur, reason in con.execute(
            "select path, sha256, status, is_current, reason from audit.loads"
        ).fetchall()
    }
    plan = parts.plan_parts(scoped, workers, parallel_min_bytes)
    with _BoundedMemory(con):
        _run(con, scoped, plan, workers, known, pseudonymise, progress, settle_seconds, report)
    return report


def _run(
    con: duckdb.DuckDBPyConnection,
    scoped: list[InboxFile],
    plan: list[list[InboxFile]],
    workers: int,
    known: dict[tuple[str, str], tuple],
    pseudonymise: Pseudonymiser,
    progress: Progress | None,
    settle_seconds: float,
    report: IngestReport,
) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    _create_stage(con)
    beside = parts.warehouse_dir(con)
    parts.remove_stale(beside)  # whichever way this run reads
    run = _Run(con, pseudonymise, known, settle_seconds)
    try:
        with contextlib.ExitStack() as cleanup:
            if plan:
                stage = cleanup.enter_context(parts.StageDir(beside))
                cleanup.callback(run.detach_parts)  # before the folder goes
                _read_in_parts(run, plan, workers, stage, progress)
            else:
                for i, f in enumerate(scoped, 1):
                    if progress:
                        progress(i, len(scoped), f.path)
                    run.read(f)
            run.flush_all()
            con.execute("begin transaction")
            try:
                _finish(con, run, report, now)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
    finally:
        _drop_stage(con)


def _read_in_parts(
    run: _Run,
    plan: list[list[InboxFile]],
    workers: int,
    stage: parts.StageDir,
    progress: Progress | None,
) -> None:
    total = sum(len(p) for p in plan)
    known = parts.known_by_part(plan, run.known)
    pool = process_pool(min(len(plan), workers), _init_worker, (run.pseudonymise,))
    try:
        futures = [
            pool.submit(
                _read_part,
                files,
                known[n],
                stage.part(n),
                run.settle_seconds,
                run.max_bytes,
                run.chunk_rows,
            )
            for n, files in enumerate(plan)
        ]
        done = 0
        for n, future in enumerate(futures):
            run.absorb(future.result(), stage.part(n))
            done += len(plan[n])
            if progress:
                progress(done, total, plan[n][-1].path)
    finally:
        # On an error or a cancelled run the parts not yet started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)


def _finish(
    con: duckdb.DuckDBPyConnection, run: _Run, report: IngestReport, now: dt.datetime
) -> None:
    """Settle every outcome and write audit.loads, audit.held_back and the report."""
    report.files_unchanged += run.unchanged
    report.files_reactivated += len(run.reactivate)
    replace_rejected: list[tuple[str, str]] = []
    load_rows: list[dict] = []
    loaded: list[_Outcome] = []
    copied: list[_Outcome] = []  # validated files whose staged rows are copied
    for o in run.outcomes:
        f = o.file
        if o.held:
            run.held_back.append(f.path)
            continue
        validated = o.status == "loaded" and o.fault is None
        if o.status == "loaded" and o.fault is not None:
            # Faults found once the header was read count every record (rows_in); faults of
            # the bytes themselves (not_utf8, ...) leave rows_in empty, as SPEC's order says.
            rows_in = o.rows_in if o.fault.rows_in is not None else None
            o.status, o.reason, o.rows_in = "rejected", o.fault.reason, rows_in
            o.message = file_message(o.fault.reason, f.path, o.fault.detail, o.fault.line)
            o.rows_loaded = o.rows_quarantined = 0
        elif validated and (o.rows_in or 0) > 0 and o.rows_loaded == 0:
            # Every row refused: the file is, and its rows stay in quarantine.
            o.status, o.reason = "rejected", "no_valid_rows"
            o.message = file_message("no_valid_rows", f.path, str(o.rows_in))
        if o.seen is not None:
            # A version refused before, for the same reason again: nothing changes.
            if o.status == "rejected" and o.reason == o.seen[2]:
                run.seen_again.append((f.path, o.sha256))
                report.files_unchanged += 1
                report.rejections.append(
                    Rejection(f.path, f.gemeentecode, f.month, o.reason or "", o.message or "")
                )
                continue
            replace_rejected.append((f.path, o.sha256))
        if validated:
            copied.append(o)
            report.rows_in += o.rows_in or 0
            report.rows_quarantined += o.rows_quarantined
            for reason, n in o.by_reason.items():
                report.quarantine_by_gemeente[(f.gemeentecode or "-", reason)] += n
        load_rows.append(
            {
                "path": f.path,
                "month": f.month,
                "gemeentecode": f.gemeentecode,
                "source": f.source,
                "sha256": o.sha256,
                "is_current": o.status == "loaded",
                "status": o.status,
                "rows_in": o.rows_in,
                "rows_loaded": o.rows_loaded if o.status == "loaded" else 0,
                "rows_quarantined": o.rows_quarantined,
                "reason": o.reason,
                "message": o.message,
                "loaded_at": now,
                "last_seen_at": now,
            }
        )
        if o.status == "loaded":
            loaded.append(o)
            report.files_loaded += 1
            report.rows_loaded += o.rows_loaded
            report.rows_by_table[RAW_TABLE[column_kind(f.source or "")]] += o.rows_loaded
        else:
            report.rejections.append(
                Rejection(f.path, f.gemeentecode, f.month, o.reason or "", o.message or "")
            )
    report.held_back = sorted(run.held_back)

    for path, sha in replace_rejected:
        con.execute("delete from audit.loads where path = ? and sha256 = ?", [path, sha])
        con.execute("delete from audit.quarantine where path = ? and sha256 = ?", [path, sha])
    if copied:
        keep = pd.DataFrame(
            [(o.file.path, o.sha256, o.status == "loaded") for o in copied],
            columns=["path", "sha256", "loaded"],
        )
        con.register("_copied", keep)
        try:
            # The files whose rows are copied, of every stage: a small table, so the join
            # below hashes it once and streams the staged rows past it. (One semi join
            # over all stages: one per stage would hash _copied ~75 times at once.)
            files = " union all ".join(
                f"select {n} as stage, * from {st}.files" for n, st in enumerate(run.stages)
            )
            con.execute(
                f"create or replace temp table _copied_files as select f.* from ({files}) f "
                "semi join _copied k on f.path = k.path and f.sha256 = k.sha256 and k.loaded"
            )
            for name, table in _STAGED.items():
                if name == "quarantine":
                    staged = " union all ".join(f"select * from {st}.{name}" for st in run.stages)
                    _insert(
                        con,
                        table,
                        f"select s.* from ({staged}) s semi join _copied k "
                        f"on s.path = k.path and s.sha256 = k.sha256",
                    )
                    continue
                from_file = _file_columns(name)
                picked = ", ".join(
                    f"{'f' if c in from_file else 's'}.{c}" for c in RAW_COLUMNS[name]
                )
                rows = " union all ".join(
                    f"select {n} as stage, * from {st}.{name}" for n, st in enumerate(run.stages)
                )
                staged = (
                    f"select {picked} from ({rows}) s join _copied_files f using (stage, file_key)"
                )
                _insert(con, table, staged, RAW_COLUMNS[name])
            con.execute("drop table _copied_files")
        finally:
            con.unregister("_copied")
    current = run.reactivate + [(o.file.path, o.sha256) for o in loaded]
    if current:
        frame = pd.DataFrame(current, columns=["path", "sha256"])
        con.register("_current", frame)
        con.execute(
            "update audit.loads set is_current = (audit.loads.sha256 = c.sha256) "
            "from _current c where audit.loads.path = c.path"
        )
        con.unregister("_current")
    if run.seen_again:
        frame = pd.DataFrame(run.seen_again, columns=["path", "sha256"])
        con.register("_seen", frame)
        con.execute(
            "update audit.loads set last_seen_at = ? from _seen s "
            "where audit.loads.path = s.path and audit.loads.sha256 = s.sha256",
            [now],
        )
        con.unregister("_seen")
    if load_rows:
        _insert(con, "audit.loads", pd.DataFrame(load_rows, columns=list(LOAD_COLUMNS)))
    con.execute("delete from audit.held_back")
    if report.held_back:
        _insert(
            con,
            "audit.held_back",
            pd.DataFrame({"path": report.held_back, "detected_at": [now] * len(report.held_back)}),
        )
    jib = {o.file.path: o.file.month for o in loaded if o.file.source == "jib"}
    if jib:
        lo, hi = min(jib.values()), max(jib.values())
        report.short_lists = [
            ShortList(*r) for r in con.execute(SHORT_LISTS_SQL, [lo, hi]).fetchall() if r[0] in jib
        ]
