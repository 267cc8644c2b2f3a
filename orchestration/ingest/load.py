"""One ingest run: scan the inbox, read what is new, write it to the warehouse atomically.

Versions (SPEC §1): audit.loads holds one row per (path, sha256). A loaded version is
never read again; a new loaded version of a path becomes current and the earlier one
stops being current; a rejected version leaves the current one in place. Rejected
versions are judged again on every run, because a refusal can depend on other files
(ambiguous_file) or on the registry (unknown_gemeente).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest.inbox import InboxFile
from orchestration.ingest.messages import file_message, row_message
from orchestration.ingest.reader import FileFault, ParsedFile, parse
from orchestration.ingest.rows import Batch, FileRows, column_kind, validate, validate_batch
from orchestration.ingest.warehouse import (
    DDL,
    LOAD_COLUMNS,
    RAW_COLUMNS,
    RAW_TABLE,
)

Progress = Callable[[int, int, str], None]


@dataclass
class Rejection:
    path: str
    gemeentecode: str | None
    month: dt.date | None
    reason: str
    message: str


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

    @property
    def files_rejected(self) -> int:
        return len(self.rejections)


@dataclass
class _Outcome:
    file: InboxFile
    sha256: str
    status: str
    rows_in: int | None
    rows: FileRows | None = None  # the sociale kaart, validated on its own
    reason: str | None = None
    message: str | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    batch: tuple[str, int] | None = None  # (kind, index in that kind's batch)


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
    message = (
        file_message(reason, f.path, detail)
        if line is None
        else file_message(reason, f.path, detail, line)
    )
    return _Outcome(f, sha, "rejected", rows_in, reason=reason, message=message)


def _in_scope(f: InboxFile, months: set[dt.date] | None) -> bool:
    # Root files and files under an unreadable month folder belong to no month: every
    # run looks at them, so they are never missed.
    return f.month is None or months is None or f.month in months


def _judge_batches(
    pending: dict[str, list[tuple[_Outcome, ParsedFile]]], pseudonymise: Pseudonymiser
) -> dict[str, Batch]:
    """Validate every readable file of a kind in one batch and settle each outcome."""
    batches: dict[str, Batch] = {}
    for kind, items in pending.items():
        batch = validate_batch(
            kind, [(parsed, o.file.month, o.file.gemeentecode) for o, parsed in items], pseudonymise
        )
        loaded = np.bincount(batch.loaded["file"].to_numpy(dtype=np.int64), minlength=len(items))
        quarantined = np.bincount(
            batch.quarantine["file"].to_numpy(dtype=np.int64), minlength=len(items)
        )
        for i, (o, _) in enumerate(items):
            o.batch = (kind, i)
            o.rows_in = batch.rows_in[i]
            fault = batch.faults.get(i)
            if fault is not None:
                o.status, o.rows_in, o.reason = "rejected", fault.rows_in, fault.reason
                o.message = file_message(fault.reason, o.file.path, fault.detail, fault.line)
                continue
            o.rows_loaded, o.rows_quarantined = int(loaded[i]), int(quarantined[i])
            if o.rows_in > 0 and o.rows_loaded == 0:
                # Every row refused: the file is, and its rows stay in quarantine.
                o.status, o.reason = "rejected", "no_valid_rows"
                o.message = file_message("no_valid_rows", o.file.path, str(o.rows_in))
        batches[kind] = batch
    return batches


def _by_file(
    frame: pd.DataFrame,
    kind: str,
    n_files: int,
    in_play: dict[tuple[str, int], _Outcome],
    keep: str,
) -> pd.DataFrame:
    """The batch rows of the files still in play (`keep`: 'loaded' or 'any'), with their
    file's path, sha256, month, gemeentecode and source (looked up per file, not per row)."""
    owners = [in_play.get((kind, i)) for i in range(n_files)]
    wanted = np.array(
        [o is not None and (keep == "any" or o.status == "loaded") for o in owners], dtype=bool
    )
    file_idx = frame["file"].to_numpy(dtype=np.int64)
    out = frame[wanted[file_idx]].reset_index(drop=True)
    idx = out["file"].to_numpy(dtype=np.int64)
    for column, attr in (
        ("path", "path"),
        ("month", "month"),
        ("gemeentecode", "gemeentecode"),
        ("source", "source"),
    ):
        values = np.array(
            [getattr(o.file, attr) if o is not None else None for o in owners], dtype=object
        )
        out[column] = values[idx]
    out["sha256"] = np.array([o.sha256 if o is not None else None for o in owners], dtype=object)[
        idx
    ]
    return out


def _quarantine_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "path": frame["path"],
            "sha256": frame["sha256"],
            "line": frame["line"].astype("int64"),
            "reason": frame["reason"],
            "message": [
                row_message(r, p, int(ln), d)
                for r, p, ln, d in zip(
                    frame["reason"], frame["path"], frame["line"], frame["detail"], strict=True
                )
            ],
            "pseudo_id": frame["pseudo_id"],
            "bsn_length": pd.array(frame["bsn_length"].tolist(), dtype="Int64"),
        }
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if len(frame) == 0:
        return
    con.register("_incoming", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from _incoming")
    finally:
        con.unregister("_incoming")


def ingest(
    con: duckdb.DuckDBPyConnection,
    inbox_files: Iterable[InboxFile],
    months: set[dt.date] | None,
    pseudonymise: Pseudonymiser,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the in-scope files in one transaction; returns what happened."""
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
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    judged: list[tuple[_Outcome, tuple | None]] = []
    pending: dict[str, list[tuple[_Outcome, ParsedFile]]] = {}
    reactivate: list[tuple[str, str]] = []
    replace_rejected: list[tuple[str, str]] = []

    for i, f in enumerate(scoped, 1):
        if progress:
            progress(i, len(scoped), f.path)
        data = f.abspath.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        seen = known.get((f.path, sha))
        if seen is not None and seen[0] == "loaded":
            if seen[1]:
                report.files_unchanged += 1
            else:
                reactivate.append((f.path, sha))
                report.files_reactivated += 1
            continue
        if f.reason is not None:
            judged.append((_rejected(f, sha, f.reason, None, f.detail), seen))
            continue
        parsed = parse(data)
        if isinstance(parsed, FileFault):
            judged.append((_rejected(f, sha, parsed.reason, parsed.rows_in, parsed.detail), seen))
            continue
        assert f.source is not None
        outcome = _Outcome(f, sha, "loaded", len(parsed.records))
        judged.append((outcome, seen))
        kind = column_kind(f.source)
        if kind == "sociale_kaart":
            rows = validate(f.source, parsed, f.month, f.gemeentecode, pseudonymise)
            if isinstance(rows, FileFault):
                judged[-1] = (
                    _rejected(f, sha, rows.reason, rows.rows_in, rows.detail, rows.line),
                    seen,
                )
            else:
                outcome.rows, outcome.rows_loaded = rows, len(rows.loaded)
        else:
            pending.setdefault(kind, []).append((outcome, parsed))
    batches = _judge_batches(pending, pseudonymise)

    outcomes: list[_Outcome] = []
    for outcome, seen in judged:
        if seen is not None:
            # A version refused before, for the same reason again: nothing changes.
            if outcome.status == "rejected" and outcome.reason == seen[2]:
                report.files_unchanged += 1
                f = outcome.file
                report.rejections.append(
                    Rejection(
                        f.path, f.gemeentecode, f.month, outcome.reason or "", outcome.message or ""
                    )
                )
                continue
            replace_rejected.append((outcome.file.path, outcome.sha256))
        outcomes.append(outcome)
    in_play = {o.batch: o for o in outcomes if o.batch is not None}

    load_rows: list[dict] = []
    quarantine: list[pd.DataFrame] = []
    raw: dict[str, list[pd.DataFrame]] = {}
    for kind, batch in batches.items():
        n_files = len(batch.rows_in)
        q = _by_file(batch.quarantine, kind, n_files, in_play, keep="any")
        if len(q):
            quarantine.append(_quarantine_rows(q))
            for (gm, reason), n in (
                q.groupby([q["gemeentecode"].fillna("-"), "reason"]).size().items()
            ):
                report.quarantine_by_gemeente[(gm, reason)] += int(n)
        loaded = _by_file(batch.loaded, kind, n_files, in_play, keep="loaded")
        if len(loaded):
            raw.setdefault(kind, []).append(loaded[list(RAW_COLUMNS[kind])])
    for o in outcomes:
        load_rows.append(
            {
                "path": o.file.path,
                "month": o.file.month,
                "gemeentecode": o.file.gemeentecode,
                "source": o.file.source,
                "sha256": o.sha256,
                "is_current": o.status == "loaded",
                "status": o.status,
                "rows_in": o.rows_in,
                "rows_loaded": o.rows_loaded if o.status == "loaded" else 0,
                "rows_quarantined": o.rows_quarantined,
                "reason": o.reason,
                "message": o.message,
                "loaded_at": now,
            }
        )
        faulted = o.batch is not None and o.batch[1] in batches[o.batch[0]].faults
        if (o.batch is not None and not faulted) or o.rows is not None:
            report.rows_quarantined += o.rows_quarantined
            report.rows_in += o.rows_in or 0
        if o.status == "loaded":
            report.files_loaded += 1
            report.rows_loaded += o.rows_loaded
            kind = column_kind(o.file.source or "")
            report.rows_by_table[RAW_TABLE[kind]] += o.rows_loaded
            if o.rows is not None:  # the sociale kaart
                frame = o.rows.loaded.copy()
                frame["path"], frame["sha256"] = o.file.path, o.sha256
                raw.setdefault(kind, []).append(frame[list(RAW_COLUMNS[kind])])
        else:
            report.rejections.append(
                Rejection(
                    o.file.path, o.file.gemeentecode, o.file.month, o.reason or "", o.message or ""
                )
            )

    con.execute("begin transaction")
    try:
        for path, sha in replace_rejected:
            con.execute("delete from audit.loads where path = ? and sha256 = ?", [path, sha])
            con.execute("delete from audit.quarantine where path = ? and sha256 = ?", [path, sha])
        current = reactivate + [(o.file.path, o.sha256) for o in outcomes if o.status == "loaded"]
        if current:
            frame = pd.DataFrame(current, columns=["path", "sha256"])
            con.register("_current", frame)
            con.execute(
                "update audit.loads set is_current = (audit.loads.sha256 = c.sha256) "
                "from _current c where audit.loads.path = c.path"
            )
            con.unregister("_current")
        if load_rows:
            _insert(con, "audit.loads", pd.DataFrame(load_rows, columns=list(LOAD_COLUMNS)))
        if quarantine:
            _insert(con, "audit.quarantine", pd.concat(quarantine, ignore_index=True))
        for kind, frames in raw.items():
            _insert(con, RAW_TABLE[kind], pd.concat(frames, ignore_index=True))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return report
