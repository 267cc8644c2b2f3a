"""Reading one delivered CSV file the way SPEC §1 "Reading" says.

Python's csv module, not DuckDB: only it gives the physical line where a (possibly
multi-line) record starts, which every quarantine row must name.

Files are read streaming (RecordStream): bytes are hashed as they are read and csv.reader
runs over a TextIOWrapper, so memory holds one chunk of records, never the whole file.
parse() reads bytes already in memory with the same rules (work lists re-read a file).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import math
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from orchestration.ingest.limits import READ_BYTES

# Values are trimmed of spaces, tabs and non-breaking spaces (SPEC); line breaks
# left over from a truncated quoted field go too.
TRIM = " \t\u00a0\r\n"

csv.field_size_limit(sys.maxsize)


@dataclass
class ParsedFile:
    header: list[str]  # trimmed, case-folded names
    header_line: int
    lines: list[int] = field(default_factory=list)  # start line of each non-blank record
    records: list[list[str]] = field(default_factory=list)  # trimmed values


@dataclass
class FileFault:
    reason: str
    detail: str = ""
    line: int | None = None
    rows_in: int | None = None


class ReadFault(Exception):
    """A file-level fault found while streaming a file."""

    def __init__(self, fault: FileFault) -> None:
        super().__init__(fault.reason)
        self.fault = fault


# The sha256 of zero bytes: the version key of a file that is not read at all (not a
# regular file, gone, or too large), so such a refusal is recorded once per path.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
NUL_DETAIL = "het bestand bevat NUL-tekens"
_BOM = codecs.BOM_UTF8


def too_large(size: int, max_bytes: int, *, at_least: bool = False) -> FileFault:
    mb = math.ceil(size / 2**20)
    limit = max_bytes / 2**20
    size_text = f"{'meer dan ' if at_least else ''}{mb} MB"
    return FileFault("file_too_large", f"{size_text}, de grens is {limit:g} MB")


def _is_blank_line(line: str) -> bool:
    return not line.strip(TRIM + ';,"')


def iter_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(start line, trimmed values) of every non-blank record; the header is the first.

    lines: the text split at \n, \r and \r\n with the endings kept (newline=''). The
    delimiter is decided on the first non-blank line (str.splitlines() of that line only,
    so the whole text is never split).
    """
    it = iter(lines)
    seen: list[str] = []
    delimiter = None
    for line in it:
        seen.append(line)
        first = next((p for p in line.splitlines() if not _is_blank_line(p)), None)
        if first is not None:
            delimiter = ";" if ";" in first else ","
            break
    if delimiter is None:
        return
    reader = csv.reader(itertools.chain(seen, it), delimiter=delimiter)
    prev_end = 0
    for raw in reader:
        start, prev_end = prev_end + 1, reader.line_num
        values = [v.strip(TRIM) for v in raw]
        if any(values):
            yield start, values


class _HashingRaw(io.RawIOBase):
    """Raw reads of an open file descriptor: every byte hashed, NUL and size checked."""

    def __init__(self, fd: int, max_bytes: int) -> None:
        super().__init__()
        self._fd = fd
        self._max = max_bytes
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = os.read(self._fd, min(len(buffer), READ_BYTES))
        n = len(data)
        self.size += n
        if self.size > self._max:
            raise ReadFault(too_large(self.size, self._max, at_least=True))
        if b"\x00" in data:
            raise ReadFault(FileFault("not_utf8", NUL_DETAIL))
        self.sha.update(data)
        buffer[:n] = data
        return n


class RecordStream:
    """The non-blank records of an open regular file, read streaming from its start.

    Iterating raises ReadFault (NUL bytes, file grew past the limit) or
    UnicodeDecodeError (see utf8_fault); sha256 is the hash of the bytes read so far.
    """

    def __init__(self, fd: int, max_bytes: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        self._raw = _HashingRaw(fd, max_bytes)
        self._text = io.TextIOWrapper(
            io.BufferedReader(self._raw, READ_BYTES), encoding="utf-8-sig", newline=""
        )

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return iter_records(self._text)

    @property
    def sha256(self) -> str:
        return self._raw.sha.hexdigest()


@dataclass
class Fingerprint:
    sha256: str
    size: int
    has_nul: bool


def fingerprint(fd: int, max_bytes: int) -> Fingerprint | FileFault:
    """sha256 of an open file, read in chunks (file_too_large once it passes max_bytes)."""
    os.lseek(fd, 0, os.SEEK_SET)
    sha = hashlib.sha256()
    size, nul = 0, False
    while data := os.read(fd, READ_BYTES):
        size += len(data)
        if size > max_bytes:
            return too_large(size, max_bytes, at_least=True)
        nul = nul or b"\x00" in data
        sha.update(data)
    return Fingerprint(sha.hexdigest(), size, nul)


def utf8_fault(fd: int) -> FileFault:
    """not_utf8 with the position of the first invalid byte (after a BOM), as decode()
    reports it; read again in chunks, since the text layer only knows chunk offsets."""
    os.lseek(fd, 0, os.SEEK_SET)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset, first = 0, True
    while True:
        data = os.read(fd, READ_BYTES)
        if first and data.startswith(_BOM):
            data = data[len(_BOM) :]
        first = False
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            return FileFault(
                "not_utf8", f"ongeldige byte op positie {offset - pending + exc.start}"
            )
        if not data:
            return FileFault("not_utf8", "ongeldige tekens")
        offset += len(data)


def decode(data: bytes) -> str | FileFault:
    if len(data) == 0:
        return FileFault("empty_file")
    if b"\x00" in data:
        return FileFault("not_utf8", NUL_DETAIL)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileFault("not_utf8", f"ongeldige byte op positie {exc.start}")


def parse(data: bytes) -> ParsedFile | FileFault:
    """Header and non-blank records of a file in memory, or the fault that refuses it."""
    text = decode(data)
    if isinstance(text, FileFault):
        return text
    parsed: ParsedFile | None = None
    for start, values in iter_records(io.StringIO(text, newline="")):
        if parsed is None:
            parsed = ParsedFile(header=[v.casefold() for v in values], header_line=start)
        else:
            parsed.lines.append(start)
            parsed.records.append(values)
    if parsed is None:
        return FileFault("empty_file")
    return parsed


def check_header(
    parsed: ParsedFile, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, int] | FileFault:
    """Column positions of the known columns, or duplicate_column / missing_column.

    Empty header cells (trailing delimiters of spreadsheet exports) name no column and
    are ignored like unknown columns: reading them as duplicates would refuse many
    honest files.
    """
    rows_in = len(parsed.records)
    seen: dict[str, int] = {}
    for i, name in enumerate(parsed.header):
        if not name:
            continue
        if name in seen:
            # Positions, never the name: a headerless file's "names" are values (BSNs).
            where = f"{seen[name] + 1} en {i + 1}"
            return FileFault("duplicate_column", where, parsed.header_line, rows_in)
        seen[name] = i
    missing = [c for c in required if c not in seen]
    if missing:
        return FileFault("missing_column", ", ".join(missing), parsed.header_line, rows_in)
    return {c: seen[c] for c in required + optional if c in seen}


def column(parsed: ParsedFile, position: int | None) -> list[str]:
    """One column's values; missing trailing fields (and absent columns) are empty."""
    if position is None:
        return [""] * len(parsed.records)
    return [r[position] if position < len(r) else "" for r in parsed.records]
