"""Reading one delivered CSV file the way SPEC §1 "Reading" says.

Two paths, one result (tests/test_reader_columnar.py holds them equal):

- A file with a double quote anywhere goes through Python's csv module (RecordStream): a
  quoted field may span lines, and only csv.reader gives the physical line where such a
  record starts, which every quarantine row must name.
- A file without one (every file of a normal export) is read column-wise (BlockStream,
  Records): without quotes a record is exactly one physical line, so the lines are split
  and trimmed by Arrow over a block of text at a time, with no Python per row. This was
  ~40% of the ingest's time at the country's real size (bench/README.md).

Both stream: bytes are hashed as they are read, and memory holds one block or one chunk of
records, never the whole file. parse() reads bytes already in memory with the csv rules
(work lists re-read a file).
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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.ingest.limits import BLOCK_BYTES, READ_BYTES

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
    # A piece read column-wise holds its values by column position instead of records.
    columns: dict[int, pa.Array] | None = None

    @property
    def n_records(self) -> int:
        return len(self.lines)


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


def _delimiter(line: str) -> str | None:
    """The delimiter a line decides, or None for a blank line (str.splitlines() of that
    line only, so the whole text is never split)."""
    first = next((p for p in line.splitlines() if not _is_blank_line(p)), None)
    if first is None:
        return None
    return ";" if ";" in first else ","


def iter_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(start line, trimmed values) of every non-blank record; the header is the first.

    lines: the text split at \n, \r and \r\n with the endings kept (newline=''). The
    delimiter is decided on the first non-blank line.
    """
    it = iter(lines)
    seen: list[str] = []
    delimiter = None
    for line in it:
        seen.append(line)
        delimiter = _delimiter(line)
        if delimiter is not None:
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


class BlockStream:
    """The text of an open regular file in blocks of about BLOCK_BYTES that end at a line
    end, read streaming from its start and checked like RecordStream's bytes.

    A block never ends between \r and \n; a BOM is dropped at the start of the file only.
    Iterating raises ReadFault or UnicodeDecodeError as RecordStream does.
    """

    def __init__(self, fd: int, max_bytes: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        self._raw = _HashingRaw(fd, max_bytes)

    def __iter__(self) -> Iterator[str]:
        buf = bytearray()
        first = True
        eof = False
        while not eof:
            data = self._raw.read(READ_BYTES)
            eof = not data
            if data:
                buf += data
            if not eof and len(buf) < BLOCK_BYTES:
                continue
            if eof:
                cut = len(buf)
            else:
                # The last \n, or a last \r that is not the buffer's final byte (a \n may
                # follow it in the next read).
                cut = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1)) + 1
                if cut == 0:
                    continue  # one line longer than a block: read on
            if cut:
                block = bytes(buf[:cut])
                del buf[:cut]
                yield block.decode("utf-8-sig" if first else "utf-8")
                first = False

    @property
    def sha256(self) -> str:
        return self._raw.sha.hexdigest()


@dataclass
class Block:
    """Non-blank records of a block, column-wise: record i's trimmed values are
    values[offsets[i] : offsets[i] + lengths[i]]."""

    lines: np.ndarray  # start line of each record
    values: pa.Array
    offsets: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, rows: slice) -> Block:
        return Block(self.lines[rows], self.values, self.offsets[rows], self.lengths[rows])

    def record(self, i: int) -> list[str]:
        start = int(self.offsets[i])
        return self.values.slice(start, int(self.lengths[i])).to_pylist()

    def column(self, position: int) -> pa.Array:
        """One column's values; a record without that field has "" (as column())."""
        present = self.lengths > position
        picked = pc.take(self.values, np.where(present, self.offsets + position, 0))
        if not present.all():
            picked = pc.if_else(pa.array(present), picked, "")
        return picked


class Records:
    """iter_records for text without a double quote, a block at a time.

    Without quotes csv.reader makes one record of every physical line (split at \n, \r
    and \r\n), split at the delimiter and never altered, so splitting and trimming all
    lines of a block at once gives the same records and start lines.
    """

    def __init__(self) -> None:
        self.delimiter: str | None = None
        self._lines_before = 0  # physical lines of the earlier blocks
        self._waiting = ""  # blank text before the first line that decides the delimiter

    def feed(self, text: str) -> Block | None:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.delimiter is None:
            text = self._waiting + text
            for line in text.split("\n"):
                self.delimiter = _delimiter(line)
                if self.delimiter is not None:
                    break
            if self.delimiter is None:
                self._waiting = text  # blank so far (csv.reader holds these lines too)
                return None
            self._waiting = ""
        lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
        if text.endswith("\n"):
            lines = lines.slice(0, len(lines) - 1)  # the line end closes the last line
        n_lines = len(lines)
        first_line = self._lines_before + 1
        self._lines_before += n_lines
        if n_lines == 0:
            return None
        fields = pc.split_pattern(lines, self.delimiter)
        values = pc.utf8_trim(fields.flatten(), TRIM)
        bounds = np.asarray(fields.offsets, dtype=np.int64)
        bounds -= bounds[0]
        offsets = bounds[:-1]
        # Every line has at least one field, so reduceat sees no empty range.
        filled = np.asarray(pc.not_equal(values, ""), dtype=bool)
        keep = np.flatnonzero(np.logical_or.reduceat(filled, offsets))
        return Block(
            lines=keep + first_line,
            values=values,
            offsets=offsets[keep],
            lengths=np.diff(bounds)[keep],
        )


@dataclass
class Fingerprint:
    sha256: str
    size: int
    has_nul: bool
    has_quote: bool = True  # False: the file can be read column-wise (Records)


def fingerprint(fd: int, max_bytes: int) -> Fingerprint | FileFault:
    """sha256 of an open file, read in chunks (file_too_large once it passes max_bytes)."""
    os.lseek(fd, 0, os.SEEK_SET)
    sha = hashlib.sha256()
    size, nul, quote = 0, False, False
    while data := os.read(fd, READ_BYTES):
        size += len(data)
        if size > max_bytes:
            return too_large(size, max_bytes, at_least=True)
        nul = nul or b"\x00" in data
        quote = quote or b'"' in data
        sha.update(data)
    return Fingerprint(sha.hexdigest(), size, nul, quote)


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
    rows_in = parsed.n_records
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


def column(parsed: ParsedFile, position: int | None) -> list[str] | pa.Array:
    """One column's values; missing trailing fields (and absent columns) are empty."""
    if position is None:
        return [""] * parsed.n_records
    if parsed.columns is not None:
        return parsed.columns[position]
    return [r[position] if position < len(r) else "" for r in parsed.records]
