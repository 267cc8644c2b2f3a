"""BSN validation (elfproef) and pseudonymisation (SPEC §1, §2).

A raw BSN lives only inside the functions of this module and the ingest reader:
nothing here logs or returns it in a message.
"""

from __future__ import annotations

import hmac
import re

import numpy as np

_BSN_SHAPE = re.compile(r"^[0-9]{8,9}$")
_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)


def normalise_bsn(value: str) -> str | None:
    """The 9-digit form of an 8- or 9-digit ASCII BSN, or None when it has another shape."""
    if not _BSN_SHAPE.match(value):
        return None
    return value.zfill(9)


def elfproef(bsn9: str) -> bool:
    """True when a 9-digit string passes the elfproef and is not all zeros."""
    if len(bsn9) != 9 or not bsn9.isascii() or not bsn9.isdigit() or bsn9 == "000000000":
        return False
    total = sum(w * int(d) for w, d in zip(_WEIGHTS.tolist(), bsn9, strict=True))
    return total % 11 == 0


def elfproef_many(bsn9: np.ndarray) -> np.ndarray:
    """Vectorised elfproef over an array of 9-digit ASCII strings (shape checked beforehand)."""
    if len(bsn9) == 0:
        return np.zeros(0, dtype=bool)
    digits = (
        np.frombuffer("".join(bsn9.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 9)
        - ord("0")
    ).astype(np.int64)
    return elfproef_matrix(digits)


def elfproef_matrix(digits: np.ndarray) -> np.ndarray:
    """The elfproef of BSNs given as an (n, 9) matrix of their digits (all zeros fails)."""
    total = digits @ _WEIGHTS
    return (total % 11 == 0) & (digits.sum(axis=1) > 0)


def elfproef_ints(values: np.ndarray) -> np.ndarray:
    """Vectorised elfproef over non-negative integers read as 9 digits (zero fails)."""
    digits = (np.asarray(values, dtype=np.int64)[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    return ((digits @ _WEIGHTS) % 11 == 0) & (np.asarray(values) > 0)


class Pseudonymiser:
    """pseudo_id = first 20 lowercase hex chars of HMAC-SHA256(key, 9-digit bsn).

    Results are cached per process: cumulative exports repeat the same BSNs every month.
    The cache is bounded (emptied when full) so a huge file cannot exhaust memory.
    """

    CACHE_SIZE = 1_000_000

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the pseudonym key is empty")
        self._key = key.encode("utf-8")
        self._cache: dict[str, str] = {}

    def __reduce__(self) -> tuple:
        # Sent to an ingest worker without its cache (up to a million entries).
        return (Pseudonymiser, (self._key.decode("utf-8"),))

    def __call__(self, bsn9: str) -> str:
        pid = self._cache.get(bsn9)
        if pid is None:
            # hmac.digest: OpenSSL's one-shot HMAC, ~3x faster than hmac.new().hexdigest().
            pid = hmac.digest(self._key, bsn9.encode("ascii"), "sha256").hex()[:20]
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[bsn9] = pid
        return pid

    def many(self, bsn9: list[str]) -> list[str]:
        # The cache is looked up for all at once (no call per value); only misses are hashed.
        cache = self._cache
        pids = [cache.get(b) for b in bsn9]
        for i, pid in enumerate(pids):
            if pid is None:
                pids[i] = self(bsn9[i])
        return pids  # type: ignore[return-value]
