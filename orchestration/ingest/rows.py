"""Row-level rules of SPEC §1 "Bad input", vectorised over many files at once.

Each row gets the first reason that applies, in SPEC order; the rest load. The ingest
validates all files of one kind in one batch: the rules run once over every row, so the
cost is per row, not per file (a national month has thousands of small files).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration import vocabulary
from orchestration.core.bsn import Pseudonymiser, elfproef_matrix
from orchestration.core.dates import ages_on, parse_dates
from orchestration.ingest.reader import (
    Column,
    FileFault,
    ParsedFile,
    check_header,
    column,
    gather,
)
from orchestration.registry import known_gemeenten

# The events a begeleiding.csv may hold (dbt_project/seeds/case_events.csv), SPEC §1 order.
EVENTS: tuple[str, ...] = vocabulary.file_events()

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # source: (required, optional)
    "jib": (("bsn", "geboortedatum"), ("gemeentecode",)),
    "registration": (("bsn", "begindatum"), ("einddatum",)),
    "begeleiding": (("bsn", "datum", "gebeurtenis"), ("waarde",)),
    "sociale_kaart": (
        ("organisatie_id", "naam", "type"),
        ("bereiken", "activeren", "plaatsen", "behouden"),
    ),
    "bevolking": (("gemeentecode", "jaar", "inwoners_23_26"), ()),
}

MIN_AGE, MAX_AGE = 23, 27  # 23 <= age < 27 on the peildatum
_TRUE = {"true", "ja", "1", "waar", "yes", "j", "y"}
_FALSE = {"false", "nee", "0", "onwaar", "no", "n"}


@dataclass
class FileRows:
    """The outcome of a readable file: rows to load and rows to quarantine."""

    rows_in: int
    loaded: pd.DataFrame  # line + typed columns (+ pseudo_id)
    quarantine: pd.DataFrame  # line, reason, detail, pseudo_id, bsn_length


def column_kind(source: str) -> str:
    return "registration" if source not in COLUMNS else source


def _strings(values: pa.Array) -> pd.Series:
    """A string Series over Arrow values, without a conversion per row."""
    return pd.Series(pd.arrays.ArrowStringArray(values))


def _per_distinct(values: pa.Array, fn) -> list:  # noqa: ANN001 - any str -> value
    """fn of every value, computed once per distinct value (a column holds few)."""
    encoded = pc.dictionary_encode(values)
    results = [fn(v) for v in encoded.dictionary.to_pylist()]
    return [results[i] for i in encoded.indices.to_numpy(zero_copy_only=False)]


def _bsn_columns(values: pa.Array, pseudonymise: Pseudonymiser) -> tuple[np.ndarray, pa.Array]:
    """(valid mask, pseudo_id or null per row); the raw BSN stays inside this function.

    Column-wise in Arrow: the shape by RE2 (ASCII digits, as Python's [0-9]), the
    8-digit form padded to 9, the elfproef over the digits as one matrix, and one HMAC per
    distinct BSN (a cumulative export repeats its youths on many rows)."""
    n = len(values)
    shaped = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{8,9}$"), False)
    shaped_rows = np.flatnonzero(shaped.to_numpy(zero_copy_only=False))
    valid = np.zeros(n, dtype=bool)
    if not len(shaped_rows):
        return valid, pa.nulls(n, pa.large_string())
    padded = pc.utf8_lpad(values.take(shaped_rows), 9, "0")
    passed = elfproef_matrix(_digit_matrix(padded))
    valid[shaped_rows[passed]] = True
    if not passed.any():
        return valid, pa.nulls(n, pa.large_string())
    encoded = pc.dictionary_encode(padded.filter(pa.array(passed)))
    distinct = pa.array(pseudonymise.many(encoded.dictionary.to_pylist()), pa.large_string())
    # Row i of the batch takes the pseudonym of its valid BSN, or null (a null index).
    index = np.zeros(n, dtype=np.int64)
    index[valid] = encoded.indices.to_numpy(zero_copy_only=False)
    return valid, distinct.take(pa.array(index, mask=~valid))


def _digit_matrix(nine: pa.Array) -> np.ndarray:
    """The digits of strings of exactly nine ASCII digits, one row each, read from the
    array's data buffer without a Python string per value."""
    nine = nine.cast(pa.large_string())
    offsets = np.frombuffer(nine.buffers()[1], dtype=np.int64)[nine.offset : nine.offset + 2]
    data = np.frombuffer(nine.buffers()[2], dtype=np.uint8)
    start = int(offsets[0])
    return data[start : start + 9 * len(nine)].reshape(-1, 9).astype(np.int64) - ord("0")


def _gemeentecode_ok(value: str, folder_code: str) -> bool:
    v = value.upper()
    return v == "" or v == folder_code or v == folder_code[2:]


@dataclass
class Batch:
    """Row outcomes of many files of one kind; `file` indexes the items validated."""

    rows_in: list[int]  # non-blank records per file
    faults: dict[int, FileFault]  # files refused as a whole
    loaded: pd.DataFrame  # file, line, typed columns (+ pseudo_id)
    quarantine: pd.DataFrame  # file, line, reason, detail, pseudo_id, bsn_length


SOCIALE_KAART_TYPES: tuple[str, ...] = (
    "commercieel",
    "sociale_onderneming",
    "interesse_hobby",
    "leef_probleemgebied",
    "cultuur_religie",
)
_ROLES = ("bereiken", "activeren", "plaatsen", "behouden")
_QUARANTINE = ["file", "line", "reason", "detail", "pseudo_id", "bsn_length"]


def _boolean(value: str) -> bool | None:
    v = value.casefold()
    return True if v in _TRUE else False if v in _FALSE else None


def validate(
    source: str,
    parsed: ParsedFile,
    month: dt.date | None,
    gemeentecode: str | None,
    pseudonymise: Pseudonymiser,
) -> FileRows | FileFault:
    """One file: the batch of one."""
    batch = validate_batch(column_kind(source), [(parsed, month, gemeentecode)], pseudonymise)
    if 0 in batch.faults:
        return batch.faults[0]
    return FileRows(
        rows_in=batch.rows_in[0],
        loaded=batch.loaded.drop(columns="file"),
        quarantine=batch.quarantine.drop(columns="file"),
    )


def validate_batch(
    kind: str,
    items: Sequence[tuple[ParsedFile, dt.date | None, str | None]],
    pseudonymise: Pseudonymiser,
    seen_bsns: Sequence[set[str] | None] | None = None,
) -> Batch:
    """Validate the files of one kind (jib, registration, begeleiding, sociale_kaart,
    bevolking) together.

    items: (parsed file, its month, its gemeentecode); an item may be one piece of a file
    (the ingest validates big files in chunks). Header faults and a gemeentecode column
    that contradicts the folder refuse a file as a whole; every other rule is a row rule,
    applied once over all rows.

    seen_bsns (jib): per item, None or the pseudo_ids of the valid rows of the earlier
    pieces of its file; a row repeating one is a duplicate_bsn, and the valid rows of this
    piece are added to the set, so duplicate_bsn holds across chunk borders. (None for
    files wholly in this batch: the rule then needs no set.)
    """
    required, optional = COLUMNS[kind]
    names = required + optional
    faults: dict[int, FileFault] = {}
    rows_in: list[int] = []
    # Per column the values of every file: lists (csv path) or Columns (column-wise).
    chunks: dict[str, list[list[str] | Column]] = {c: [] for c in names}
    lines: list[int] = []
    files: list[int] = []
    row_months: list[dt.date] = []
    for i, (parsed, month, gemeentecode) in enumerate(items):
        n = parsed.n_records
        rows_in.append(n)
        positions = check_header(parsed, required, optional)
        if isinstance(positions, FileFault):
            faults[i] = positions
            continue
        fcols = {c: column(parsed, positions.get(c)) for c in names}
        if kind == "jib" and "gemeentecode" in positions:
            codes = fcols["gemeentecode"]
            codes = gather([codes]).to_pylist() if isinstance(codes, Column) else codes
            wrong = next(
                (
                    line
                    for line, value in zip(parsed.lines, codes, strict=True)
                    if not _gemeentecode_ok(value, gemeentecode or "")
                ),
                None,
            )
            if wrong is not None:
                faults[i] = FileFault("gemeentecode_mismatch", gemeentecode or "", wrong, n)
                continue
        for c in names:
            chunks[c].append(fcols[c])
        lines.extend(parsed.lines)
        files.extend([i] * n)
        if kind == "jib":
            row_months.extend([month] * n)  # type: ignore[list-item]

    cols = {c: gather(chunks[c]) for c in names}
    n = len(lines)
    file_idx = np.asarray(files, dtype=np.int64)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, "", dtype=object)

    def flag(mask: np.ndarray, code: str, text: str | np.ndarray = "") -> None:
        hit = mask & (reason == None)  # noqa: E711 - elementwise on an object array
        reason[hit] = code
        detail[hit] = text if isinstance(text, str) else text[hit]

    if kind in ("sociale_kaart", "bevolking"):  # one small file each: plain lists
        listed = {c: cols[c].to_pylist() for c in names}
        root = _sociale_kaart if kind == "sociale_kaart" else _bevolking
        return root(rows_in, faults, file_idx, lines, listed, reason, flag)

    valid_bsn, pids = _bsn_columns(cols["bsn"], pseudonymise)
    flag(~valid_bsn, "invalid_bsn")
    bsn_length = pc.utf8_length(cols["bsn"]).to_numpy().astype(np.int64)

    frame = pd.DataFrame(
        {
            "file": file_idx,
            "line": np.asarray(lines, dtype=np.int64),
            "pseudo_id": pd.Series(pd.arrays.ArrowStringArray(pids)),
        }
    )
    date_cols = {
        "jib": ("geboortedatum",),
        "registration": ("begindatum", "einddatum"),
        "begeleiding": ("datum",),
    }[kind]
    for c in date_cols:
        parsed_dates = parse_dates(cols[c])
        empty = pc.equal(cols[c], "").to_numpy(zero_copy_only=False)
        bad = parsed_dates.isna().to_numpy() & ~(empty & (c == "einddatum"))
        flag(bad, "invalid_date", c)
        frame[c] = parsed_dates  # datetime64[s]: the stage's DATE column takes the day

    if kind == "jib":
        birth = pd.to_datetime(frame["geboortedatum"])
        peil = pd.to_datetime(pd.Series(row_months, dtype="object"))
        age = ages_on(birth, peil).to_numpy(dtype="float64", na_value=np.nan)
        out_of_range = ~np.isnan(age) & ((age < MIN_AGE) | (age >= MAX_AGE))
        flag(
            out_of_range,
            "age_out_of_range",
            np.array([m.isoformat() for m in row_months], dtype=object),
        )
    elif kind == "registration":
        begin = pd.to_datetime(frame["begindatum"])
        end = pd.to_datetime(frame["einddatum"])
        flag((end < begin).fillna(False).to_numpy(dtype=bool), "end_before_begin")
    else:
        event = pd.Series(_per_distinct(cols["gebeurtenis"], str.casefold), dtype="string")
        flag(~event.isin(EVENTS).to_numpy(dtype=bool), "unknown_event")
        waarde = _strings(cols["waarde"])
        is_trede = (event == "trede").to_numpy(dtype=bool)
        trede_ok = waarde.str.fullmatch(r"[1-6]").fillna(False).to_numpy(dtype=bool)
        flag(is_trede & ~trede_ok, "invalid_trede")
        frame["gebeurtenis"] = event
        # The organisation id identifies a verwijzing case-insensitively (SPEC §1).
        frame["waarde"] = np.where(
            (event == "verwijzing").to_numpy(dtype=bool), waarde.str.upper(), waarde
        )
        frame["waarde"] = frame["waarde"].replace("", None)

    if kind == "jib":
        # duplicate_bsn: the BSN already occurred on an earlier valid row of the same file.
        ok = reason == None  # noqa: E711
        dup = np.zeros(n, dtype=bool)
        dup[ok] = frame.loc[ok, ["file", "pseudo_id"]].duplicated(keep="first").to_numpy()
        pid_values = frame["pseudo_id"].to_numpy(dtype=object)
        carried = [(i, s) for i, s in enumerate(seen_bsns or ()) if s is not None]
        for i, seen in carried:
            rows = np.flatnonzero(ok & (file_idx == i))
            if seen and len(rows):
                dup[rows] |= np.fromiter(
                    (p in seen for p in pid_values[rows]), dtype=bool, count=len(rows)
                )
        flag(dup, "duplicate_bsn")
        valid = reason == None  # noqa: E711
        for i, seen in carried:
            seen.update(pid_values[valid & (file_idx == i)].tolist())

    bad = reason != None  # noqa: E711
    quarantine = pd.DataFrame(
        {
            "file": file_idx[bad],
            "line": frame["line"].to_numpy()[bad],
            "reason": reason[bad].astype(str),
            "detail": detail[bad].astype(str),
            "pseudo_id": frame["pseudo_id"][bad].to_numpy(),
            "bsn_length": np.where(reason[bad] == "invalid_bsn", bsn_length[bad], None),
        }
    )
    return Batch(
        rows_in=rows_in,
        faults=faults,
        loaded=frame[~bad].reset_index(drop=True),
        quarantine=quarantine,
    )


def _root_batch(
    rows_in: int,
    faults: dict[int, FileFault],
    frame: pd.DataFrame,
    file_idx: np.ndarray,
    reason: np.ndarray,
    bad: np.ndarray,
) -> Batch:
    """A region-wide file's batch (no BSN): the good rows loaded, the bad ones quarantined
    with their line and reason."""
    n_bad = int(bad.sum())
    quarantine = pd.DataFrame(
        {
            "file": file_idx[bad],
            "line": frame["line"].to_numpy()[bad],
            "reason": reason[bad].astype(str),
            "detail": np.full(n_bad, "", dtype=object),
            "pseudo_id": np.full(n_bad, None, dtype=object),
            "bsn_length": np.full(n_bad, None, dtype=object),
        },
        columns=_QUARANTINE,
    )
    return Batch(
        rows_in=rows_in,
        faults=faults,
        loaded=frame[~bad].reset_index(drop=True),
        quarantine=quarantine,
    )


def _sociale_kaart(
    rows_in: list[int],
    faults: dict[int, FileFault],
    file_idx: np.ndarray,
    lines: list[int],
    cols: dict[str, list[str]],
    reason: np.ndarray,
    flag,  # noqa: ANN001 - validate_batch's closure
) -> Batch:
    """The sociale kaart's one row rule: a type outside the five is invalid_type."""
    types = [v.casefold() for v in cols["type"]]
    known = set(SOCIALE_KAART_TYPES)
    flag(np.array([t not in known for t in types], dtype=bool), "invalid_type")
    bad = reason != None  # noqa: E711
    frame = pd.DataFrame(
        {
            "file": file_idx,
            "line": np.asarray(lines, dtype=np.int64),
            "organisatie_id": [v.upper() for v in cols["organisatie_id"]],
            "naam": cols["naam"],
            "type": types,
            **{role: [_boolean(v) for v in cols[role]] for role in _ROLES},
        }
    )
    return _root_batch(rows_in, faults, frame, file_idx, reason, bad)


# bevolking.csv: a CBS StatLine table the region exports itself. The code may be written
# GM0375, gm0375 or 0375 (as a jib.csv's gemeentecode); the year as 2024 or as StatLine's
# period code 2024JJ00; the count in plain digits (StatLine marks a missing figure '.').
_GEMEENTECODE = r"^(?:GM)?([0-9]{4})$"
_JAAR = r"^((?:19|20)[0-9]{2})(?:JJ00)?$"
_INWONERS = r"[0-9]{1,9}"


def _bevolking(
    rows_in: list[int],
    faults: dict[int, FileFault],
    file_idx: np.ndarray,
    lines: list[int],
    cols: dict[str, list[str]],
    reason: np.ndarray,
    flag,  # noqa: ANN001 - validate_batch's closure
) -> Batch:
    """bevolking.csv rows: a gemeentecode of the registry, a year, a count; one row per
    municipality and year (a repeat of an earlier valid row is a duplicate, as in jib)."""
    digits = pd.Series(cols["gemeentecode"], dtype="string").str.extract(
        _GEMEENTECODE, flags=re.IGNORECASE, expand=False
    )
    code = ("GM" + digits).astype("string")
    known = code.isin(known_gemeenten()).fillna(False).to_numpy(dtype=bool)
    flag(~known, "invalid_gemeentecode")
    year = pd.Series(cols["jaar"], dtype="string").str.extract(
        _JAAR, flags=re.IGNORECASE, expand=False
    )
    flag(year.isna().to_numpy(dtype=bool), "invalid_jaar")
    raw_count = pd.Series(cols["inwoners_23_26"], dtype="string")
    counted = raw_count.str.fullmatch(_INWONERS).fillna(False).to_numpy(dtype=bool)
    flag(~counted, "invalid_inwoners")
    frame = pd.DataFrame(
        {
            "file": file_idx,
            "line": np.asarray(lines, dtype=np.int64),
            "gemeentecode": code,
            "jaar": pd.to_numeric(year).astype("Int64"),
            "inwoners_23_26": pd.to_numeric(raw_count.where(counted)).astype("Int64"),
        }
    )
    ok = reason == None  # noqa: E711
    dup = np.zeros(len(frame), dtype=bool)
    dup[ok] = frame.loc[ok, ["file", "gemeentecode", "jaar"]].duplicated().to_numpy()
    flag(dup, "duplicate_gemeente_jaar")
    bad = reason != None  # noqa: E711
    return _root_batch(rows_in, faults, frame, file_idx, reason, bad)
