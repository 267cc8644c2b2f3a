"""Limits that keep one hostile file from exhausting a run (read when called, never at import)."""

from __future__ import annotations

import os

DEFAULT_MAX_FILE_MB = 512
DEFAULT_SETTLE_SECONDS = 60
# Rows validated and written per step: bounds the memory of the ingest whatever the file size.
CHUNK_ROWS = 100_000
# Bytes per read() while hashing and parsing.
READ_BYTES = 1 << 20
# Text split column-wise per step (reader.BlockStream): ~100,000 begeleiding rows.
BLOCK_BYTES = 4 << 20
# DuckDB's memory_limit while an ingest runs (restored after): without it DuckDB's buffer
# pool keeps every block the run writes (up to 80% of RAM) and a 100 MB file costs GiBs.
DUCKDB_MEMORY_BYTES = 320 * 2**20
# A stored message never grows beyond this (a path can be long; values are never quoted).
MAX_MESSAGE_CHARS = 1_000


def _number(env: str, default: float) -> float:
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    value = float(raw)
    if value < 0:
        raise ValueError(f"{env} must not be negative, got {raw}")
    return value


def max_file_bytes() -> int:
    """INBEELD_MAX_FILE_MB (default 512): a larger file is refused as file_too_large."""
    return int(_number("INBEELD_MAX_FILE_MB", DEFAULT_MAX_FILE_MB) * 1024 * 1024)


def settle_seconds() -> float:
    """INBEELD_SETTLE_SECONDS (default 60): a file modified this recently is still being
    written; the Dagster asset passes it to ingest(settle_seconds=...)."""
    return _number("INBEELD_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)
