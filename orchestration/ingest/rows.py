"""Row-level rules of SPEC §1 "Bad input", vectorised per file.

Each row gets the first reason that applies, in SPEC order; the rest load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orchestration.core.bsn import Pseudonymiser, elfproef_many
from orchestration.core.dates import age_on, parse_dates
from orchestration.ingest.reader import FileFault, ParsedFile, check_header, column

EVENTS: tuple[str, ...] = (
    "brief",
    "tweede_brief",
    "huisbezoek",
    "whatsapp",
    "verwijzing",
    "contact",
    "intake",
    "traject_start",
    "traject_einde",
    "trede",
    "start_opleiding",
    "start_werk",
    "uitval",
    "weigering",
    "bezwaar",
)

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # source: (required, optional)
    "jib": (("bsn", "geboortedatum"), ("gemeentecode",)),
    "registration": (("bsn", "begindatum"), ("einddatum",)),
    "begeleiding": (("bsn", "datum", "gebeurtenis"), ("waarde",)),
    "sociale_kaart": (
        ("organisatie_id", "naam", "type"),
        ("bereiken", "activeren", "plaatsen", "behouden"),
    ),
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


def _bsn_columns(values: list[str], pseudonymise: Pseudonymiser) -> tuple[np.ndarray, list]:
    """(valid mask, pseudo_id or None per row); the raw BSN stays inside this function."""
    raw = pd.Series(values, dtype="string")
    shaped = raw.str.fullmatch(r"[0-9]{8,9}").fillna(False).to_numpy(dtype=bool)
    padded = raw.str.zfill(9).to_numpy(dtype=object)
    valid = np.zeros(len(values), dtype=bool)
    if shaped.any():
        valid[shaped] = elfproef_many(padded[shaped].astype(str))
    pids = [pseudonymise(b) if ok else None for b, ok in zip(padded, valid, strict=True)]
    return valid, pids


def _gemeentecode_ok(value: str, folder_code: str) -> bool:
    v = value.upper()
    return v == "" or v == folder_code or v == folder_code[2:]


def validate(
    source: str,
    parsed: ParsedFile,
    month: dt.date | None,
    gemeentecode: str | None,
    pseudonymise: Pseudonymiser,
) -> FileRows | FileFault:
    kind = column_kind(source)
    required, optional = COLUMNS[kind]
    positions = check_header(parsed, required, optional)
    if isinstance(positions, FileFault):
        return positions
    n = len(parsed.records)
    cols = {c: column(parsed, positions.get(c)) for c in required + optional}
    lines = np.asarray(parsed.lines, dtype=np.int64)

    if kind == "sociale_kaart":
        frame = pd.DataFrame(
            {
                "line": lines,
                "organisatie_id": [v.upper() for v in cols["organisatie_id"]],
                "naam": cols["naam"],
                "type": [v.casefold() for v in cols["type"]],
                **{
                    role: [
                        True if v.casefold() in _TRUE else False if v.casefold() in _FALSE else None
                        for v in cols[role]
                    ]
                    for role in ("bereiken", "activeren", "plaatsen", "behouden")
                },
            }
        )
        empty = pd.DataFrame(columns=["line", "reason", "detail", "pseudo_id", "bsn_length"])
        return FileRows(rows_in=n, loaded=frame, quarantine=empty)

    if kind == "jib" and "gemeentecode" in positions:
        for line, value in zip(parsed.lines, cols["gemeentecode"], strict=True):
            if not _gemeentecode_ok(value, gemeentecode or ""):
                return FileFault("gemeentecode_mismatch", gemeentecode or "", line, n)

    reason = np.full(n, None, dtype=object)
    detail = np.full(n, "", dtype=object)

    def flag(mask: np.ndarray, code: str, text: str = "") -> None:
        hit = mask & (reason == None)  # noqa: E711 - elementwise on an object array
        reason[hit] = code
        detail[hit] = text

    valid_bsn, pids = _bsn_columns(cols["bsn"], pseudonymise)
    flag(~valid_bsn, "invalid_bsn")
    bsn_length = np.array([len(v) for v in cols["bsn"]], dtype=np.int64)

    frame = pd.DataFrame({"line": lines, "pseudo_id": pd.Series(pids, dtype="string")})
    date_cols = {
        "jib": ("geboortedatum",),
        "registration": ("begindatum", "einddatum"),
        "begeleiding": ("datum",),
    }[kind]
    for c in date_cols:
        raw = pd.Series(cols[c], dtype="string")
        parsed_dates = parse_dates(raw)
        bad = parsed_dates.isna().to_numpy() & ~((raw == "").to_numpy() & (c == "einddatum"))
        flag(bad, "invalid_date", c)
        frame[c] = parsed_dates.dt.date

    if kind == "jib":
        assert month is not None
        birth = pd.to_datetime(frame["geboortedatum"])
        age = age_on(birth, month).to_numpy(dtype="float64", na_value=np.nan)
        out_of_range = ~np.isnan(age) & ((age < MIN_AGE) | (age >= MAX_AGE))
        flag(out_of_range, "age_out_of_range", month.isoformat())
    elif kind == "registration":
        begin = pd.to_datetime(frame["begindatum"])
        end = pd.to_datetime(frame["einddatum"])
        flag((end < begin).fillna(False).to_numpy(dtype=bool), "end_before_begin")
    else:
        event = pd.Series([v.casefold() for v in cols["gebeurtenis"]], dtype="string")
        flag(~event.isin(EVENTS).to_numpy(dtype=bool), "unknown_event")
        waarde = pd.Series(cols["waarde"], dtype="string")
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
        # duplicate_bsn: the BSN already occurred on an earlier valid row of this file.
        ok = reason == None  # noqa: E711
        dup = np.zeros(n, dtype=bool)
        dup[ok] = pd.Series(pids, dtype="string")[ok].duplicated(keep="first").to_numpy()
        flag(dup, "duplicate_bsn")

    bad = reason != None  # noqa: E711
    quarantine = pd.DataFrame(
        {
            "line": lines[bad],
            "reason": reason[bad].astype(str),
            "detail": detail[bad].astype(str),
            "pseudo_id": frame["pseudo_id"][bad].to_numpy(),
            "bsn_length": np.where(reason[bad] == "invalid_bsn", bsn_length[bad], None),
        }
    )
    return FileRows(rows_in=n, loaded=frame[~bad].reset_index(drop=True), quarantine=quarantine)
