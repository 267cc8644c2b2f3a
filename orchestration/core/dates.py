"""Dates as SPEC §1 accepts them: `YYYY-M-D` or `D-M-YYYY`, a real calendar date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_YMD = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DMY = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$")


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month n months after (before, for n < 0) the month of `month`."""
    i = month.year * 12 + month.month - 1 + n
    return dt.date(i // 12, i % 12 + 1, 1)


def parse_date(value: str) -> dt.date | None:
    """The date a value denotes, or None when it is no valid date in an accepted form."""
    m = _YMD.match(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.match(value)
        if not m:
            return None
        d, mo, y = (int(g) for g in m.groups())
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_dates(values: Sequence[str] | pd.Series | pa.Array) -> pd.Series:
    """Vectorised parse_date: datetime64 Series, NaT where a value is no valid date.

    Parsed once per distinct value: a file holds few distinct dates, so this beats
    regex-vectorising and keeps one definition of a valid date. Arrow values are
    factorised by Arrow; anything else as plain Python strings (going through pandas'
    Arrow strings cost a conversion per row, 15% of the national ingest, bench/README.md).
    """
    if isinstance(values, pa.Array):
        encoded = pc.dictionary_encode(values)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        uniques = encoded.dictionary.to_pylist()
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    parsed = pd.to_datetime(
        pd.Series([parse_date(u) for u in uniques], dtype=object), errors="coerce"
    ).astype("datetime64[s]")
    return pd.Series(parsed.to_numpy()[codes])


def ages_on(birth: pd.Series, peildatum: pd.Series) -> pd.Series:
    """Age in completed years, row by row, on each row's own peildatum (datetime64)."""
    years = peildatum.dt.year - birth.dt.year
    had_birthday = (birth.dt.month < peildatum.dt.month) | (
        (birth.dt.month == peildatum.dt.month) & (birth.dt.day <= peildatum.dt.day)
    )
    return years - (~had_birthday).astype("int64")
