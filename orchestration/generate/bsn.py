"""Test BSNs: only the 9999xxxxx range of the BRP test environments, elfproef-valid.

That range holds 100,000 numbers of which only 1 in 11 pass the elfproef (9,091), so a
synthetic inbox can never hold more distinct persons than that: the population is
scaled down to fit rather than reusing a number.

The one exception is the real-scale benchmark (`inbeeld generate --national
--real-scale`): the true population needs ~300,000 distinct persons, so that mode draws
random elfproef-valid numbers from the whole 9-digit space (`random_valid`). They are
random, written only to the output folder, and never used by tests, examples or the demo.
"""

from __future__ import annotations

import numpy as np

from orchestration.core.bsn import elfproef, elfproef_ints, elfproef_many

__all__ = ["POOL_FIRST", "POOL_LAST", "bad_bsn", "elfproef", "random_valid", "valid_pool"]

POOL_FIRST = 999_900_000
POOL_LAST = 999_999_999


def valid_pool() -> np.ndarray:
    """Every elfproef-valid number of the test range, ascending (9,091 of them)."""
    candidates = np.arange(POOL_FIRST, POOL_LAST + 1, dtype=np.int64)
    return candidates[elfproef_many(candidates.astype(str))]


def random_valid(n: int, rng: np.random.Generator) -> np.ndarray:
    """n distinct random elfproef-valid 9-digit numbers outside the test range (real scale).

    Candidates are drawn uniformly from 100,000,000 up to the test range, so each is written
    with nine digits like the test numbers (the faults derive invalid ones from them); about
    1 in 11 pass.
    """
    found = np.zeros(0, dtype=np.int64)
    while found.size < n:
        candidates = rng.integers(100_000_000, POOL_FIRST, size=12 * (n - found.size) + 1000)
        valid = candidates[elfproef_ints(candidates)]
        found = np.unique(np.concatenate([found, valid]))
    return rng.permutation(found)[:n]


def bad_bsn(bsn9: str, variant: int, digit: int) -> str:
    """An invalid BSN derived from a valid test BSN; it still starts with 9999.

    Never 8 digits: left-padding `9999xxxx` gives `09999xxxx`, which could be a
    real person's number.
    """
    if variant == 0:  # a typo in the check digit: changes the sum by 1..9, never 11
        last = (int(bsn9[8]) + 1 + digit % 9) % 10
        return bsn9[:8] + str(last)
    if variant == 1:  # a letter O typed for a digit
        return bsn9[:6] + "O" + bsn9[7:]
    return bsn9 + str(digit % 10)  # one digit too many
