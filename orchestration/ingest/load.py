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
import pandas as pd

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest.inbox import InboxFile
from orchestration.ingest.messages import file_message, row_message
from orchestration.ingest.reader import FileFault, parse
from orchestration.ingest.rows import FileRows, column_kind, validate
from orchestration.ingest.warehouse import (
    DDL,
    LOAD_COLUMNS,
    QUARANTINE_COLUMNS,
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
    rows: FileRows | None = None
    reason: str | None = None
    message: str | None = None


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


def _judge(f: InboxFile, data: bytes, sha: str, pseudonymise: Pseudonymiser) -> _Outcome:
    if f.reason is not None:
        return _Outcome(
            f,
            sha,
            "rejected",
            None,
            reason=f.reason,
            message=file_message(f.reason, f.path, f.detail),
        )
    parsed = parse(data)
    if isinstance(parsed, FileFault):
        return _Outcome(
            f,
            sha,
            "rejected",
            parsed.rows_in,
            reason=parsed.reason,
            message=file_message(parsed.reason, f.path, parsed.detail),
        )
    assert f.source is not None
    rows = validate(f.source, parsed, f.month, f.gemeentecode, pseudonymise)
    if isinstance(rows, FileFault):
        return _Outcome(
            f,
            sha,
            "rejected",
            rows.rows_in,
            reason=rows.reason,
            message=file_message(rows.reason, f.path, rows.detail, rows.line),
        )
    if rows.rows_in > 0 and len(rows.loaded) == 0:
        return _Outcome(
            f,
            sha,
            "rejected",
            rows.rows_in,
            rows=rows,
            reason="no_valid_rows",
            message=file_message("no_valid_rows", f.path, str(rows.rows_in)),
        )
    return _Outcome(f, sha, "loaded", rows.rows_in, rows=rows)


def _in_scope(f: InboxFile, months: set[dt.date] | None) -> bool:
    # Root files and files under an unreadable month folder belong to no month: every
    # run looks at them, so they are never missed.
    return f.month is None or months is None or f.month in months


def _quarantine_frame(o: _Outcome) -> pd.DataFrame:
    q = o.rows.quarantine if o.rows is not None else None
    if q is None or len(q) == 0:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    path = o.file.path
    return pd.DataFrame(
        {
            "path": path,
            "sha256": o.sha256,
            "line": q["line"].astype("int64"),
            "reason": q["reason"],
            "message": [
                row_message(r, path, int(ln), d)
                for r, ln, d in zip(q["reason"], q["line"], q["detail"], strict=True)
            ],
            "pseudo_id": q["pseudo_id"],
            "bsn_length": pd.array(q["bsn_length"].tolist(), dtype="Int64"),
        }
    )


def _raw_frame(o: _Outcome) -> tuple[str, pd.DataFrame]:
    assert o.rows is not None and o.file.source is not None
    kind = column_kind(o.file.source)
    frame = o.rows.loaded.copy()
    frame["path"] = o.file.path
    frame["sha256"] = o.sha256
    if kind != "sociale_kaart":
        frame["month"] = o.file.month
        frame["gemeentecode"] = o.file.gemeentecode
    if kind == "registration":
        frame["source"] = o.file.source
    return kind, frame[list(RAW_COLUMNS[kind])]


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
    outcomes: list[_Outcome] = []
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
        outcome = _judge(f, data, sha, pseudonymise)
        if seen is not None:
            if outcome.status == "rejected" and outcome.reason == seen[2]:
                report.files_unchanged += 1
                report.rejections.append(
                    Rejection(
                        f.path, f.gemeentecode, f.month, outcome.reason or "", outcome.message or ""
                    )
                )
                continue
            replace_rejected.append((f.path, sha))
        outcomes.append(outcome)

    load_rows: list[dict] = []
    quarantine: list[pd.DataFrame] = []
    raw: dict[str, list[pd.DataFrame]] = {}
    for o in outcomes:
        rows_loaded = len(o.rows.loaded) if o.rows is not None and o.status == "loaded" else 0
        rows_q = len(o.rows.quarantine) if o.rows is not None else 0
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
                "rows_loaded": rows_loaded,
                "rows_quarantined": rows_q,
                "reason": o.reason,
                "message": o.message,
                "loaded_at": now,
            }
        )
        quarantine.append(_quarantine_frame(o))
        if o.rows is not None:
            gm = o.file.gemeentecode or "-"
            for reason, n in Counter(o.rows.quarantine["reason"]).items():
                report.quarantine_by_gemeente[(gm, reason)] += n
            report.rows_quarantined += rows_q
            report.rows_in += o.rows_in or 0
        if o.status == "loaded":
            report.files_loaded += 1
            report.rows_loaded += rows_loaded
            kind, frame = _raw_frame(o)
            raw.setdefault(kind, []).append(frame)
            report.rows_by_table[RAW_TABLE[kind]] += rows_loaded
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
        q = [f for f in quarantine if len(f)]
        if q:
            _insert(con, "audit.quarantine", pd.concat(q, ignore_index=True))
        for kind, frames in raw.items():
            _insert(con, RAW_TABLE[kind], pd.concat(frames, ignore_index=True))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return report
