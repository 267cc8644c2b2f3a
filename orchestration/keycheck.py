"""The warehouse remembers which pseudonym key built it.

Run with another key and every youth would silently become someone new (persistence
drops to zero, work lists restart). The first run stores a fingerprint of the key — an
HMAC of a fixed text, which says nothing about the key itself — and every later run or
re-identification with a key that does not match stops before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path

import duckdb

_FIXED_TEXT = b"inbeeld: vingerafdruk van de pseudonimiseringssleutel, versie 1"

KEY_MISMATCH_MESSAGE = (
    "De pseudonimiseringssleutel (INBEELD_PSEUDONYM_KEY) is niet de sleutel waarmee dit "
    "warehouse is opgebouwd: met een andere sleutel zou elke jongere als nieuw worden "
    "geteld. Er is niets geschreven. Gebruik de sleutel van de regio, of kies bewust een "
    "nieuw warehouse (--warehouse) als de sleutel echt is vervangen."
)


class KeyMismatch(RuntimeError):
    pass


def fingerprint(key: str) -> str:
    return hmac.new(key.encode("utf-8"), _FIXED_TEXT, hashlib.sha256).hexdigest()


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    exists = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'audit' and table_name = 'key_fingerprint'"
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute("select fingerprint from audit.key_fingerprint limit 1").fetchone()
    return row[0] if row else None


def verify_key(con: duckdb.DuckDBPyConnection, key: str, *, record: bool) -> None:
    """Raise KeyMismatch when the warehouse was built with another key; on a warehouse
    without a fingerprint, store this key's (when `record`: a writing connection)."""
    stored = stored_fingerprint(con)
    mine = fingerprint(key)
    if stored is None:
        if record:
            con.execute("create schema if not exists audit")
            con.execute(
                "create table if not exists audit.key_fingerprint "
                "(fingerprint varchar not null, recorded_at timestamp not null)"
            )
            con.execute(
                "insert into audit.key_fingerprint values (?, ?)",
                [mine, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)],
            )
        return
    if not hmac.compare_digest(stored, mine):
        raise KeyMismatch(KEY_MISMATCH_MESSAGE)


def verify_key_file(path: Path, key: str) -> None:
    """The same check on a committed warehouse file, read-only (CLI, before a run)."""
    if not path.is_file():
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        verify_key(con, key, record=False)
    finally:
        con.close()
