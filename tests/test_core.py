"""Units: the elfproef, BSN shapes, pseudonyms and dates."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import VALID_BSNS, pid

from orchestration.core.bsn import Pseudonymiser, elfproef, elfproef_many, normalise_bsn
from orchestration.core.dates import ages_on, parse_date, parse_dates


def test_elfproef_accepts_the_test_range_and_refuses_near_misses():
    assert elfproef("999900006")
    assert not elfproef("999900007")
    assert not elfproef("000000000")  # divisible by 11, yet no BSN
    assert not elfproef("99990000")  # 8 digits: pad first
    assert not elfproef("９９９９００００６")  # full-width digits are no ASCII digits


def test_elfproef_many_agrees_with_scalar_on_whole_range():
    candidates = np.array([str(n) for n in range(999900000, 999905000)])
    expected = np.array([elfproef(c) for c in candidates])
    assert (elfproef_many(candidates) == expected).all()
    assert expected.sum() == len([b for b in VALID_BSNS if b < "999905000"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("999900006", "999900006"),
        ("99990003", "0" + "99990003"),
        ("9999000061", None),
        ("9999OOOO6", None),
        ("", None),
        ("1234567", None),
    ],
)
def test_normalise_bsn(raw, expected):
    assert normalise_bsn(raw) == expected


def test_pseudonym_is_truncated_hmac_sha256_of_nine_digit_form():
    p = Pseudonymiser("geheim")
    assert p("999900006") == pid("999900006", "geheim")
    assert len(p("999900006")) == 20 and p("999900006") == p("999900006").lower()
    assert p("999900006") != Pseudonymiser("ander")("999900006")
    with pytest.raises(ValueError):
        Pseudonymiser("")


def test_pseudonymise_many_equals_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    bsns = ["999900006", "999900018", "999900006", "999900031", "999900018"]
    p = Pseudonymiser("geheim")
    p("999900018")  # one already cached, the others not
    monkeypatch.setattr(Pseudonymiser, "CACHE_SIZE", 2)  # the cache empties on the way
    assert p.many(bsns) == [pid(b, "geheim") for b in bsns]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024-3-1", dt.date(2024, 3, 1)),
        ("1-3-2024", dt.date(2024, 3, 1)),
        ("01-03-2024", dt.date(2024, 3, 1)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2023-02-29", None),
        ("2024-13-01", None),
        ("24-3-1", None),
        ("2024/03/01", None),
        ("01-03-24", None),
        ("", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected
    parsed = parse_dates(pd.Series([raw]))[0]
    assert (None if pd.isna(parsed) else parsed.date()) == expected


def test_age_in_completed_years_on_peildatum():
    birth = pd.to_datetime(pd.Series(["2001-03-01", "2001-03-02", "2004-02-29"]))
    peildatum = pd.Series(pd.Timestamp(dt.date(2024, 3, 1)), index=birth.index)
    assert ages_on(birth, peildatum).tolist() == [23, 22, 20]


def test_the_ingest_bsn_column_agrees_with_the_scalar_rules_on_hostile_values():
    """orchestration.ingest.rows._bsn_columns (Arrow, column-wise) against normalise_bsn,
    elfproef and the Pseudonymiser one value at a time, on values a regex or a padding
    could get wrong: non-ASCII digits, signs, inner and trailing whitespace and line ends,
    NUL, 7/8/9/10 digits, all zeros; in a sliced array (an Arrow offset) as well."""
    import random

    import pyarrow as pa

    from orchestration.ingest.rows import _bsn_columns

    hostile = [
        "",
        " ",
        "0",
        "1234567",
        "12345678",
        "+12345678",
        "-1234567",
        "000000000",
        "00000000",
        "1234567890",
        "12 345678",
        "12345678 ",
        " 12345678",
        "12345678\n",
        "\n12345678",
        "12345678\r",
        "12345678\x00",
        "١٢٣٤٥٦٧٨٢",
        "９９９９００００６",
        "²³⁴56789",
        "abcdefghi",
        "9999OOOO6",
    ]
    good = [b for b in VALID_BSNS[:200]] + [b[1:] for b in VALID_BSNS[:50]]  # 9 and 8 digits
    rng = random.Random(14)
    key = Pseudonymiser("test")
    for trial in range(200):
        values = [
            rng.choice(good) if rng.random() < 0.5 else rng.choice(hostile)
            for _ in range(rng.randint(1, 40))
        ]
        array = pa.array(values, pa.large_string())
        if trial % 2:
            array, values = array.slice(1), values[1:]
        valid, pids = _bsn_columns(array, key)
        expected = [normalise_bsn(v) for v in values]
        expected_valid = [n is not None and elfproef(n) for n in expected]
        assert valid.tolist() == expected_valid, values
        assert pids.to_pylist() == [
            key(n) if ok else None for n, ok in zip(expected, expected_valid, strict=True)
        ], values
