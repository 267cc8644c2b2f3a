"""The synthetic BSN pool: only 9999xxxxx numbers that pass the elfproef (BRP test range)."""

from __future__ import annotations

import numpy as np

from orchestration.core.bsn import elfproef_many

PREFIX_LOW, PREFIX_HIGH = 999_900_000, 999_999_999


def valid_pool() -> np.ndarray:
    """All ~9,091 elfproef-valid numbers of the 9999xxxxx range, as 9-character strings."""
    numbers = np.arange(PREFIX_LOW, PREFIX_HIGH + 1).astype(str)
    return numbers[elfproef_many(numbers)]


def invalid_lookalikes(rng: np.random.Generator, n: int) -> list[str]:
    """Bad BSNs for injected faults, still built on the 9999 prefix: no real number appears."""
    out: list[str] = []
    for _ in range(n):
        kind = rng.integers(3)
        base = str(int(rng.integers(PREFIX_LOW, PREFIX_HIGH)))
        if kind == 0:  # fails the elfproef (a valid number plus one mostly fails)
            out.append(base if not elfproef_many(np.array([base]))[0] else str(int(base) + 1))
        elif kind == 1:
            out.append(base[:6] + "AB" + base[8])
        else:
            out.append(base + str(int(rng.integers(10))))
    return out
