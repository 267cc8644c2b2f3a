"""Finding the files of an inbox and naming them as SPEC §1 "Names" says."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MONTHLY_SOURCES: tuple[str, ...] = (
    "jib",
    "kvk",
    "rmc",
    "jongerenloket",
    "buitenland",
    "detentie",
    "vso_pro",
    "begeleiding",
)
REGISTRATION_SOURCES: tuple[str, ...] = (
    "kvk",
    "rmc",
    "jongerenloket",
    "buitenland",
    "detentie",
    "vso_pro",
)
ROOT_SOURCES: tuple[str, ...] = ("sociale_kaart",)

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_GEMEENTE = re.compile(r"^GM[0-9]{4}$")
_TRIM = " \t\u00a0"


def normalise_name(name: str) -> str:
    return name.strip(_TRIM).casefold()


def parse_month(folder: str) -> dt.date | None:
    m = _MONTH.match(normalise_name(folder))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def parse_gemeente(folder: str) -> str | None:
    code = normalise_name(folder).upper()
    return code if _GEMEENTE.match(code) else None


def is_ignored(name: str) -> bool:
    """Hidden files and Office lock files are ignored without a trace."""
    return name.startswith(".") or name.startswith("~$")


@dataclass
class InboxFile:
    """One file found in the inbox, with what its path says and (when refused) why."""

    path: str  # relative to the inbox, '/' separated, as found
    abspath: Path
    month: dt.date | None = None
    gemeentecode: str | None = None
    source: str | None = None
    reason: str | None = None  # file-level reason code decided from the name alone
    detail: str = ""
    _sha256: str | None = None

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.abspath.read_bytes()).hexdigest()
        return self._sha256


def _walk(inbox: Path) -> Iterable[tuple[str, Path]]:
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d))
        for name in sorted(files):
            if is_ignored(name):
                continue
            full = Path(root) / name
            yield full.relative_to(inbox).as_posix(), full


def scan_inbox(inbox: Path, known_gemeenten: set[str]) -> list[InboxFile]:
    """Every file of the inbox, classified by its path (no content is read here)."""
    found: list[InboxFile] = []
    for rel, full in _walk(inbox):
        parts = rel.split("/")
        f = InboxFile(path=rel, abspath=full)
        name = normalise_name(parts[-1])
        stem = name[:-4] if name.endswith(".csv") else None
        if len(parts) == 1:
            if stem in ROOT_SOURCES:
                f.source = stem
            else:
                f.reason = "unknown_file"
        elif len(parts) == 3 and parse_month(parts[0]) and parse_gemeente(parts[1]):
            f.month, f.gemeentecode = parse_month(parts[0]), parse_gemeente(parts[1])
            if f.gemeentecode not in known_gemeenten:
                f.reason, f.detail = "unknown_gemeente", f.gemeentecode
            elif stem in MONTHLY_SOURCES:
                f.source = stem
            else:
                f.reason = "unknown_file"
        else:
            # Not under <month>/<gemeente>/: the path names no delivery slot, so month and
            # gemeentecode stay empty and every run looks at the file again.
            f.reason = "invalid_folder"
            bad = [p for p in parts[:-1] if not (parse_month(p) or parse_gemeente(p))]
            f.detail = bad[0] if bad else "/".join(parts[:-1])
        found.append(f)

    # Two files that map to the same (month, gemeente, name) are both refused.
    by_key: dict[tuple, list[InboxFile]] = defaultdict(list)
    for f in found:
        if f.reason is None:
            by_key[(f.month, f.gemeentecode, f.source)].append(f)
    for twins in by_key.values():
        if len(twins) > 1:
            for f in twins:
                f.reason = "ambiguous_file"
                f.detail = ", ".join(t.path for t in twins if t is not f)
    return found
