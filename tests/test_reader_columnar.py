"""The column-wise reading path gives exactly the records of the csv path.

A file without a double quote is read by reader.BlockStream + reader.Records; every other
file by csv.reader (RecordStream). Both must give the same header, records, values and
physical start lines, whatever the line ends, blank lines, delimiters, whitespace and block
borders, or a quarantine row would name the wrong line. The texts are generated from the
characters that matter to those rules, and the blocks are made tiny so every border case
(a block ending in \\r, a line longer than a block) occurs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.ingest import reader
from orchestration.ingest.reader import (
    Block,
    BlockStream,
    Records,
    RecordStream,
    gather,
    split_files,
)

# What the reading rules look at: both delimiters, the trimmed whitespace, every line end,
# characters str.splitlines() splits at but csv does not, and multi-byte UTF-8.
ALPHABET = ["a", "7", ";", ",", " ", "\t", "\u00a0", "\r", "\n", "\r\n", "é", "\x0b", "\u2028"]


def _via_csv(path: Path) -> list[tuple[int, list[str]]]:
    fd = os.open(path, os.O_RDONLY)
    try:
        return list(RecordStream(fd, 1 << 30))
    finally:
        os.close(fd)


def _records(block: Block) -> list[tuple[int, list[str]]]:
    out = [(int(block.lines[i]), block.record(i)) for i in range(len(block))]
    # column() agrees with the records, ragged rows padded with "".
    width = max((len(v) for _, v in out), default=0)
    for position in range(width + 1):
        expected = [v[position] if position < len(v) else "" for _, v in out]
        assert gather([block.column(position)]).to_pylist() == expected
    return out


def _via_blocks(path: Path) -> list[tuple[int, list[str]]]:
    fd = os.open(path, os.O_RDONLY)
    out: list[tuple[int, list[str]]] = []
    try:
        records = Records()
        for text in BlockStream(fd, 1 << 30):
            block = records.feed(text)
            if block is not None:
                out += _records(block)
    finally:
        os.close(fd)
    return out


@contextlib.contextmanager
def _tiny_blocks() -> Iterator[None]:
    """Reads of 3 bytes, blocks of 7: every border case occurs in a short text. (A context
    manager, not only a fixture: hypothesis runs many examples in one test call.)"""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, "READ_BYTES", 3)
        mp.setattr(reader, "BLOCK_BYTES", 7)
        yield


@pytest.fixture
def tiny_blocks() -> Iterator[None]:
    with _tiny_blocks():
        yield


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(st.sampled_from(ALPHABET), max_size=60),
    bom=st.booleans(),
)
def test_same_records_as_csv(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], bom: bool
) -> None:
    path = tmp_path_factory.mktemp("columnar") / "f.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(parts).encode())
    with _tiny_blocks():
        assert _via_blocks(path) == _via_csv(path)


@settings(max_examples=200, deadline=None)
@given(files=st.lists(st.lists(st.sampled_from(ALPHABET), max_size=30), max_size=6))
def test_many_files_at_once_same_as_csv(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[str]]
) -> None:
    """split_files: many small files in one pass, each with its own delimiter and lines."""
    folder = tmp_path_factory.mktemp("many")
    texts = ["".join(parts) for parts in files]
    blocks = split_files(texts)
    assert len(blocks) == len(texts)
    for n, (text, block) in enumerate(zip(texts, blocks, strict=True)):
        path = folder / f"{n}.csv"
        path.write_bytes(text.encode())
        assert (_records(block) if block is not None else []) == _via_csv(path)
    # One column over all files, gathered with one take, in file order.
    present = [b for b in blocks if b is not None]
    assert gather([b.column(0) for b in present]).to_pylist() == [
        (v[0] if v else "") for b in present for _, v in _records(b)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "bsn;datum\r\n999900010;2024-01-01\r\n\r\n999900022;1-2-2024\r\n",
        "\n\n;;\n ,, \nbsn,geboortedatum\n1,2\n3\n4,5,6,7\n",  # blanks, ragged, extra
        "\n,,\nbsn;x\n1;2",  # ",," is a record once ";" decides
        "bsn;datum\r1;2\r\r3;4\r",  # old Mac line ends
        "x" * 50 + ";y\n" + "1;" + "2" * 40 + "\n",  # lines longer than a block
        "\u00a0bsn\t;\tdatum \n 1 ; 2\u00a0\n",
        "",
        "\n\r\n ; \n",
    ],
)
def test_same_records_cases(tmp_path: Path, tiny_blocks: None, text: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    assert _via_blocks(path) == _via_csv(path)


def test_invalid_utf8_raises_like_csv(tmp_path: Path, tiny_blocks: None) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"bsn;datum\n1;2\n\xff;3\n")
    with pytest.raises(UnicodeDecodeError):
        _via_blocks(path)
    with pytest.raises(UnicodeDecodeError):
        _via_csv(path)
