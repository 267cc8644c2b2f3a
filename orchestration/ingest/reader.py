"""Reading one delivered CSV file the way SPEC §1 "Reading" says.

Two paths, one result (tests/test_reader_columnar.py holds them equal):

- A file with a double quote anywhere goes through Python's csv module (RecordStream): a
  quoted field may span lines, and only csv.reader gives the physical line where such a
  record starts, which every quarantine row must name.
- A file without one (every file of a normal export) is read column-wise: without quotes
  a record is exactly one physical line, so the lines are split and trimmed by Arrow over
  a block of text at a time (BlockStream, Records), or over many small files at once
  (split_files), with no Python per row. Columns are gathered lazily (Column, gather): one
  take per column for all files of a chunk. The csv path was ~40% of the ingest's time at
  the country's real size (bench/README.md).

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
from collections.abc import Iterable, Iterator, Sequence
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
    columns: dict[int, Column] | None = None

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
class Column:
    """One column of some records, not yet gathered: values[index], or "" where the record
    has no such field (present is False). ParsedFile pieces hold these, and the row rules
    gather all pieces over the same values with one take (gather)."""

    values: pa.Array
    index: np.ndarray
    present: np.ndarray

    def __len__(self) -> int:
        return len(self.index)


def gather(chunks: Sequence[Column | pa.Array | list[str]]) -> pa.Array:
    """The values of column chunks in order, as one Arrow array (large strings)."""
    arrays: list[pa.Array] = []
    run: list[Column] = []

    def close() -> None:
        if not run:
            return
        picked = pc.take(run[0].values, np.concatenate([c.index for c in run]))
        present = np.concatenate([c.present for c in run])
        if not present.all():
            picked = pc.if_else(pa.array(present), picked, "")
        arrays.append(picked)
        run.clear()

    for chunk in chunks:
        if isinstance(chunk, Column):
            if run and chunk.values is not run[0].values:
                close()
            run.append(chunk)
            continue
        close()
        arrays.append(chunk if isinstance(chunk, pa.Array) else pa.array(chunk, pa.large_string()))
    close()
    return pa.chunked_array(arrays, pa.large_string()).combine_chunks()


@dataclass
class Block:
    """Non-blank records of some text, column-wise: record i's trimmed values are
    values[offsets[i] : offsets[i] + lengths[i]] (values may be shared with other files'
    blocks: split_files)."""

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

    def column(self, position: int) -> Column:
        """One column's values; a record without that field has "" (as column())."""
        present = self.lengths > position
        return Column(self.values, np.where(present, self.offsets + position, 0), present)


def _unify_line_ends(text: str) -> str:
    # Without quotes \r\n, \r and \n all just end a line (csv.reader's line_num agrees).
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _text_delimiter(text: str) -> str | None:
    """The delimiter the first non-blank line of a text decides (None: no such line)."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        delimiter = _delimiter(text[start:end])
        if delimiter is not None:
            return delimiter
        start = end + 1
    return None


def _split(text: str, delimiter: str) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, int]:
    """All lines of a text ending in \n, split and trimmed at once: (values, offsets and
    lengths of every line, indices of the non-blank lines, the number of lines)."""
    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    lines = lines.slice(0, len(lines) - 1)  # the text's final \n closes its last line
    fields = pc.split_pattern(lines, delimiter)
    values = pc.utf8_trim(fields.flatten(), TRIM)
    bounds = np.asarray(fields.offsets, dtype=np.int64)
    bounds -= bounds[0]
    offsets = bounds[:-1]
    if len(lines) == 0:
        return values, offsets, offsets, offsets, 0
    # Every line has at least one field, so reduceat sees no empty range.
    filled = np.asarray(pc.not_equal(values, ""), dtype=bool)
    keep = np.flatnonzero(np.logical_or.reduceat(filled, offsets))
    return values, offsets, np.diff(bounds), keep, len(lines)


class Records:
    """iter_records for the text of one file without a double quote, a block at a time.

    Without quotes csv.reader makes one record of every physical line (split at \n, \r
    and \r\n), split at the delimiter and never altered, so splitting and trimming all
    lines of a block at once gives the same records and start lines.
    """

    def __init__(self) -> None:
        self.delimiter: str | None = None
        self._lines_before = 0  # physical lines of the earlier blocks
        self._waiting = ""  # blank text before the first line that decides the delimiter

    def feed(self, text: str) -> Block | None:
        text = _unify_line_ends(text)
        if self.delimiter is None:
            text = self._waiting + text
            self.delimiter = _text_delimiter(text)
            if self.delimiter is None:
                self._waiting = text  # blank so far (csv.reader holds these lines too)
                return None
            self._waiting = ""
        if not text.endswith("\n"):
            text += "\n"  # only the file's end (BlockStream cuts at line ends)
        values, offsets, lengths, keep, n_lines = _split(text, self.delimiter)
        first_line = self._lines_before + 1
        self._lines_before += n_lines
        return Block(keep + first_line, values, offsets[keep], lengths[keep])


def split_files(texts: Sequence[str]) -> list[Block | None]:
    """Records of many whole files without a double quote, one Arrow pass per delimiter:
    a national month is ~2,000 files of a few KB, and per-file calls cost more than their
    rows. None for a file without a non-blank line."""
    out: list[Block | None] = [None] * len(texts)
    groups: dict[str, list[tuple[int, str]]] = {}
    for i, text in enumerate(texts):
        text = _unify_line_ends(text)
        delimiter = _text_delimiter(text)
        if delimiter is not None:
            groups.setdefault(delimiter, []).append(
                (i, text if text.endswith("\n") else text + "\n")
            )
    for delimiter, members in groups.items():
        values, offsets, lengths, keep, _ = _split("".join(t for _, t in members), delimiter)
        n_lines = np.array([t.count("\n") for _, t in members], dtype=np.int64)
        ends = np.cumsum(n_lines)
        cuts = np.searchsorted(keep, ends)
        first = 0
        for (i, _), cut, end, n in zip(members, cuts, ends, n_lines, strict=True):
            rows = keep[first:cut]
            first = cut
            out[i] = Block(rows - (end - n) + 1, values, offsets[rows], lengths[rows])
    return out


@dataclass
class Fingerprint:
    sha256: str
    size: int
    has_nul: bool
    has_quote: bool = True  # False: the file can be read column-wise (Records)
    data: bytes | None = None  # the bytes, for a file of at most keep_bytes


def fingerprint(fd: int, max_bytes: int, keep_bytes: int = 0) -> Fingerprint | FileFault:
    """sha256 of an open file, read in chunks (file_too_large once it passes max_bytes);
    a file of at most keep_bytes keeps its bytes, so it is parsed from what was hashed."""
    os.lseek(fd, 0, os.SEEK_SET)
    sha = hashlib.sha256()
    size, nul, quote = 0, False, False
    kept: list[bytes] = []
    while data := os.read(fd, READ_BYTES):
        size += len(data)
        if size > max_bytes:
            return too_large(size, max_bytes, at_least=True)
        nul = nul or b"\x00" in data
        quote = quote or b'"' in data
        sha.update(data)
        if size <= keep_bytes:
            kept.append(data)
    data = b"".join(kept) if size <= keep_bytes else None
    return Fingerprint(sha.hexdigest(), size, nul, quote, data)


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


def column(parsed: ParsedFile, position: int | None) -> list[str] | Column:
    """One column's values; missing trailing fields (and absent columns) are empty."""
    if position is None:
        return [""] * parsed.n_records
    if parsed.columns is not None:
        return parsed.columns[position]
    return [r[position] if position < len(r) else "" for r in parsed.records]
