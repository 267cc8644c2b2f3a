"""Finding the files of an inbox and naming them as SPEC §1 "Names" says.

Nothing here opens a file: entries are classified by their path and os.lstat() alone, so a
symlink, FIFO, socket or device in the inbox is refused (not_a_file) without being
followed or read. load.py checks again when it opens a file (the inbox can change).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestration import settings, vocabulary

# The file types, as dbt_project/seeds/file_types.csv spells them.
MONTHLY_SOURCES: tuple[str, ...] = vocabulary.monthly_sources()
REGISTRATION_SOURCES: tuple[str, ...] = vocabulary.registration_sources()
ROOT_SOURCES: tuple[str, ...] = vocabulary.root_sources()

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_GEMEENTE = re.compile(r"^GM[0-9]{4}$")
_TRIM = " \t\u00a0"

# No JIB list is older: a folder before it (a typo like 1024-03) names no delivery slot.
EARLIEST_MONTH = dt.date(2015, 1, 1)
# The first partition when neither INBEELD_FIRST_MONTH nor the inbox says otherwise.
DEFAULT_FIRST_MONTH = dt.date(2020, 1, 1)


def first_month_floor() -> dt.date:
    """The oldest month a folder may name: INBEELD_FIRST_MONTH where set, else 2015-01."""
    return settings.configured_first_month() or EARLIEST_MONTH


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


def month_in_range(month: dt.date, today: dt.date) -> bool:
    """A month folder can hold deliveries: from the floor up to and including today's month."""
    return first_month_floor() <= month <= today.replace(day=1)


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
    # Not a regular file at scan time (os.lstat): the Dutch description, else None. Such
    # an entry is never opened, and is refused as not_a_file whatever its name.
    not_regular: str | None = None
    size: int = 0  # bytes at scan time (os.lstat): how a run shares its reading among cores


def describe_mode(mode: int) -> str | None:
    """What a non-regular inbox entry is, in Dutch; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "het is een snelkoppeling (symbolische link)"
    if stat.S_ISDIR(mode):
        return "het is een map"
    if stat.S_ISFIFO(mode):
        return "het is een named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "het is een socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "het is een apparaatbestand"
    return "het is een bijzonder bestandstype"


def _walk(
    inbox: Path, skip_files: Callable[[str], bool] = lambda rel_dir: False
) -> Iterable[tuple[str, Path, str | None, int]]:
    """(relative path, absolute path, why it is not a regular file or None, size) of every
    entry.

    Symlinked folders are not descended into (os.walk does not follow links): they are
    listed as entries of their own, like a symlinked file. skip_files(relative folder):
    the entries directly in that folder are not listed (its subfolders still are).
    """
    # os.scandir rather than os.walk: its entries already know whether they are folders
    # or links, where os.walk plus os.path.islink took an lstat per folder (20,000 month
    # and gemeente folders at the country's real size: ~1 s of every run).
    yield from _walk_folder(inbox, inbox, ".", skip_files)


def _walk_folder(
    inbox: Path, folder: Path, rel_dir: str, skip_files: Callable[[str], bool]
) -> Iterable[tuple[str, Path, str | None, int]]:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:  # unreadable or gone: skipped, as os.walk does
        return
    dirs: list[str] = []
    files: list[str] = []
    linked: set[str] = set()
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files.append(entry.name)
        elif entry.is_symlink():
            linked.add(entry.name)
        elif not is_ignored(entry.name):
            dirs.append(entry.name)
    prefix = "" if rel_dir == "." else rel_dir + "/"
    if not skip_files(rel_dir):
        for name in sorted(files + list(linked)):
            if is_ignored(name):
                continue
            full = folder / name
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue  # gone between listing and lstat: as if never there
            why = describe_mode(st.st_mode)
            if name in linked:
                why = "het is een snelkoppeling naar een map"
            yield prefix + name, full, why, st.st_size
    for name in sorted(dirs):
        yield from _walk_folder(inbox, folder / name, prefix + name, skip_files)


def _folder_fault(parts: list[str], today: dt.date) -> str | None:
    """Why the folders of a path name no <month>/<gemeente>/ slot (Dutch), or None."""
    folders = parts[:-1]
    if not folders:
        return None
    month = parse_month(folders[0])
    if month is None:
        if len(folders) == 1 and parse_gemeente(folders[0]):
            return f"het staat in de gemeentemap '{folders[0]}' zonder maandmap erboven"
        return f"de maandmap '{folders[0]}' is geen geldige maand (JJJJ-MM)"
    if month > today.replace(day=1):
        return f"de maandmap '{folders[0]}': maand ligt in de toekomst"
    floor = first_month_floor()
    if month < floor:
        why = (
            "INBEELD_FIRST_MONTH" if settings.configured_first_month() else "de eerste JIB-lijsten"
        )
        return f"de maandmap '{folders[0]}': maand ligt vóór {floor:%Y-%m} ({why})"
    if len(folders) == 1:
        return f"het staat direct in de maandmap '{folders[0]}', zonder gemeentemap"
    if parse_gemeente(folders[1]) is None:
        return f"de gemeentemap '{folders[1]}' is geen geldige gemeentecode (GM + 4 cijfers)"
    if len(folders) > 2:
        return f"het staat te diep, in de submap '{'/'.join(folders[2:])}' van de gemeentemap"
    return None


def scan_inbox(
    inbox: Path,
    known_gemeenten: set[str],
    today: dt.date | None = None,
    months: set[dt.date] | None = None,
) -> list[InboxFile]:
    """Every entry of the inbox, classified by its path (no content is read here).

    today (default settings.today()) decides which month folders lie in the future.
    months: the run's months (None: all). The files of a valid <month>/<gemeente>/ slot of
    another month are not listed: the ingest would leave them out anyway, and at the
    country's real size listing them all took 5 s of every monthly run. Everything that
    belongs to no month (root files, a path under no valid slot) is listed as before.
    """
    if today is None:
        from orchestration import settings

        today = settings.today()

    def other_month_slot(rel_dir: str) -> bool:
        parts = rel_dir.split("/")
        return (
            months is not None
            and len(parts) == 2
            and _folder_fault([*parts, "x"], today) is None
            and parse_month(parts[0]) not in months
        )

    found: list[InboxFile] = []
    for rel, full, why, size in _walk(inbox, other_month_slot):
        parts = rel.split("/")
        f = InboxFile(path=rel, abspath=full, not_regular=why, size=size)
        name = normalise_name(parts[-1])
        stem = name[:-4] if name.endswith(".csv") else None
        fault = _folder_fault(parts, today)
        if len(parts) == 1:
            if stem in ROOT_SOURCES:
                f.source = stem
            else:
                f.reason = "unknown_file"
        elif fault is None:
            f.month, f.gemeentecode = parse_month(parts[0]), parse_gemeente(parts[1])
            if f.gemeentecode not in known_gemeenten:
                f.reason, f.detail = "unknown_gemeente", f.gemeentecode or ""
            elif stem in MONTHLY_SOURCES:
                f.source = stem
            else:
                f.reason = "unknown_file"
        else:
            # Not under a valid <month>/<gemeente>/: the path names no delivery slot, so month
            # and gemeentecode stay empty (no partition) and every run looks at it again.
            f.reason, f.detail = "invalid_folder", fault
        if why is not None:
            # A link, FIFO, socket or device is refused as what it is, whatever its name:
            # the name of a link says nothing about what it points at.
            f.reason, f.detail = "not_a_file", why
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


def delivery_months(inbox: Path, today: dt.date) -> list[dt.date]:
    """The month folders of the inbox that can hold deliveries, in order.

    A folder in the future or before the partitions' start is rejected by the ingest
    (invalid_folder) and a linked folder as not_a_file: neither stretches a run's window.
    """
    return sorted(
        {
            m
            for p in inbox.iterdir()
            if p.is_dir()
            and not p.is_symlink()
            and (m := parse_month(p.name))
            and month_in_range(m, today)
        }
    )


def first_partition_month(inbox: Path, today: dt.date) -> dt.date:
    """Where the month partitions start: INBEELD_FIRST_MONTH, else the inbox's first month
    folder, else 2020-01 — so the UI shows the months of the data, not a decade of gaps."""
    configured = settings.configured_first_month()
    if configured is not None:
        return configured
    months = delivery_months(inbox, today) if inbox.is_dir() else []
    return months[0] if months else DEFAULT_FIRST_MONTH
