"""Months and days as integers, so a whole population is shifted through time in numpy.

A month is its index since 1970-01, a day its number since 1970-01-01.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def parse_month(value: str) -> int:
    m = _MONTH.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"not a month YYYY-MM: {value!r}")
    return (int(m.group(1)) - 1970) * 12 + int(m.group(2)) - 1


def month_of_date(d: dt.date) -> int:
    return (d.year - 1970) * 12 + d.month - 1


def label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def first_day(months: np.ndarray | int) -> np.ndarray:
    """Day number of the first day of each month."""
    return (
        np.asarray(months, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def days_in(months: np.ndarray | int) -> np.ndarray:
    m = np.asarray(months, dtype=np.int64)
    return first_day(m + 1) - first_day(m)


def month_of_day(days: np.ndarray) -> np.ndarray:
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def random_day(months: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A uniformly drawn day of each month, from uniforms u in [0, 1)."""
    months = np.asarray(months, dtype=np.int64)
    return first_day(months) + (u * days_in(months)).astype(np.int64)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))
