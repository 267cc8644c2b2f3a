"""Reading one delivered CSV file the way SPEC §1 "Reading" says.

Python's csv module, not DuckDB: only it gives the physical line where a (possibly
multi-line) record starts, which every quarantine row must name.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field

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


def _is_blank_line(line: str) -> bool:
    return not line.strip(TRIM + ';,"')


def decode(data: bytes) -> str | FileFault:
    if len(data) == 0:
        return FileFault("empty_file")
    if b"\x00" in data:
        return FileFault("not_utf8", "het bestand bevat NUL-tekens")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileFault("not_utf8", f"ongeldige byte op positie {exc.start}")


def parse(data: bytes) -> ParsedFile | FileFault:
    """Header and non-blank records of a file, or the file-level fault that refuses it."""
    text = decode(data)
    if isinstance(text, FileFault):
        return text
    header_text = next((ln for ln in text.splitlines() if not _is_blank_line(ln)), None)
    if header_text is None:
        return FileFault("empty_file")
    delimiter = ";" if ";" in header_text else ","

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    parsed: ParsedFile | None = None
    prev_end = 0
    for raw in reader:
        start, prev_end = prev_end + 1, reader.line_num
        values = [v.strip(TRIM) for v in raw]
        if not any(values):
            continue
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
            return FileFault("duplicate_column", name, parsed.header_line, rows_in)
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
