"""GX validates a run's months in one go (issue #14): one validation per suite over all
the months, in chunks of whole months when large, finds per month exactly what one
validation per month found, and puts each failure back in its own month. Real generated
files, the real ingest on a real DuckDB file, the real GX suites."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest
from conftest import TEST_KEY

from orchestration.core.bsn import Pseudonymiser
from orchestration.defs.quality.checks import SUITES_BY_ASSET
from orchestration.generate import generate_inbox
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import ingest
from orchestration.quality.frames import (
    PLACE_COLUMNS,
    distinct_values,
    frame,
    frames,
    loaded_months,
)
from orchestration.quality.screening import validate_run
from orchestration.quality.suites import (
    SuiteOutcome,
    judges_rows_alone,
    validate,
    validate_months,
)
from orchestration.registry import known_gemeenten

MONTHLY = ("jib", "registration", "begeleiding")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("gx")
    generate_inbox(root / "inbox", months=4, start="2025-01", seed=14)
    con = duckdb.connect(str(root / "w.duckdb"))
    ingest(con, scan_inbox(root / "inbox", known_gemeenten()), None, Pseudonymiser(TEST_KEY))
    yield con
    con.close()


def _per_month(con: duckdb.DuckDBPyConnection, suites: tuple[str, ...], months: list[str]):
    """The old way: one validation per suite and month."""
    outcomes = {}
    for month in months:
        outcome = outcomes.setdefault(month[:7], SuiteOutcome())
        for suite in suites:
            one = frame(con, suite, [month]).drop(columns="month")
            validate(suite, month[:7], one, outcome)
    return outcomes


def _together(con, suites, months, max_rows):
    outcomes = {month[:7]: SuiteOutcome() for month in months}
    chunks = 0
    for suite in suites:
        for chunk in frames(con, suite, months, max_rows=max_rows):
            chunks += 1
            validate_months(suite, chunk, outcomes)
    return outcomes, chunks


def _comparable(outcomes: dict[str, SuiteOutcome]) -> dict[str, tuple]:
    return {
        m: (
            o.rows,
            sorted(
                (f.suite, f.expectation, f.column, f.severity, f.unexpected, f.rows, *f.files)
                for f in o.findings
            ),
        )
        for m, o in outcomes.items()
    }


@pytest.mark.parametrize("table", MONTHLY)
def test_one_validation_over_the_months_equals_one_per_month(warehouse, table: str) -> None:
    suites = SUITES_BY_ASSET[table]
    months = loaded_months(warehouse, (table,) if table != "registration" else ("kvk",))
    assert len(months) == 4
    expected = _comparable(_per_month(warehouse, suites, months))
    assert all(rows for rows, _ in expected.values())
    whole, chunks = _together(warehouse, suites, months, max_rows=10**9)
    assert chunks == len(suites)  # one validation per suite for the run
    assert _comparable(whole) == expected
    # Chunked by whole months (a tiny limit: a month per chunk), still the same.
    small, chunks = _together(warehouse, suites, months, max_rows=1)
    assert chunks == len(suites) * len(months)
    assert _comparable(small) == expected
    # As the checks run it: each distinct tuple of values once where the suite allows.
    screened = {month[:7]: SuiteOutcome() for month in months}
    for suite in suites:
        validate_run(warehouse, suite, months, screened)
    assert _comparable(screened) == expected


def test_a_failure_lands_in_its_own_month(warehouse) -> None:
    months = loaded_months(warehouse, ("jib",))
    df = frame(warehouse, "jib", months)
    # Break two rows of the third month and one of the first: the ages go out of range.
    third = df.index[df["month"] == months[2][:7]][:2]
    first = df.index[df["month"] == months[0][:7]][:1]
    df.loc[third.union(first), "age"] = 30
    outcomes = {m[:7]: SuiteOutcome() for m in months}
    validate_months("jib", df, outcomes)
    found = {m: [(f.column, f.unexpected) for f in o.failed("error")] for m, o in outcomes.items()}
    assert found == {
        months[0][:7]: [("age", 1)],
        months[1][:7]: [],
        months[2][:7]: [("age", 2)],
        months[3][:7]: [],
    }
    broken = outcomes[months[2][:7]].failed("error")[0]
    assert broken.rows == int((df["month"] == months[2][:7]).sum())
    assert set(broken.files) == set(df.loc[third, "path"])
    assert dataclasses.asdict(broken)["month"] == months[2][:7]


def test_deliveries_compare_each_month_with_the_one_before(warehouse) -> None:
    months = loaded_months(warehouse, ("jib",))
    together = frame(warehouse, "jib_deliveries", months)
    for month in months:
        alone = frame(warehouse, "jib_deliveries", [month])
        part = together[together["month"] == month[:7]]
        key = ["gemeentecode", "delivered", "path"]
        assert (
            part[key].sort_values(key).values.tolist()
            == alone[key].sort_values(key).values.tolist()
        )


def test_case_history_is_plausible_dates_far_away_are_not(tmp_path) -> None:
    """Case systems export their whole history (SPEC): an event years before the delivery
    month is no warning; one before the youth was 16, or over a year after, is."""
    import datetime as dt

    from conftest import bsn, write

    rows = [
        (bsn(1), "2025-03-10"),  # this month
        (bsn(1), "2022-01-15"),  # three years of history: plausible
        (bsn(2), "2015-02-28"),  # over ten years before March 2025
        (bsn(2), "2026-05-01"),  # over a year after March 2025
        (bsn(3), "2026-03-31"),  # a year after the month's end: still plausible
    ]
    body = "".join(f"{b};{d};brief\n" for b, d in rows)
    inbox = tmp_path / "inbox"
    write(inbox, "2025-03/GM0392/begeleiding.csv", "bsn;datum;gebeurtenis\n" + body)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    files = scan_inbox(inbox, known_gemeenten(), today=dt.date(2025, 6, 1))
    assert ingest(con, files, None, Pseudonymiser(TEST_KEY)).rows_loaded == 5
    outcomes = {"2025-03": SuiteOutcome()}
    for chunk in frames(con, "begeleiding", ["2025-03-01"]):
        validate_months("begeleiding", chunk, outcomes)
    month = outcomes["2025-03"]
    assert month.failed("error") == []
    assert [(f.column, f.unexpected, f.rows, f.files) for f in month.failed("warning")] == [
        ("date_plausible", 2, 5, ["2025-03/GM0392/begeleiding.csv"])
    ]
    con.close()


def _everything(outcomes: dict[str, SuiteOutcome]) -> dict[str, tuple]:
    return {
        m: (
            o.rows,
            o.validations,
            o.expectations_run,
            sorted(tuple(sorted(dataclasses.asdict(f).items())) for f in o.findings),
        )
        for m, o in outcomes.items()
    }


def test_each_distinct_tuple_once_finds_what_every_row_finds(tmp_path) -> None:
    """The screen (orchestration/quality/screening.py) validates each distinct tuple of
    values once and then only the failing tuples' rows: broken rows repeated across the
    cumulative exports of several months give the same findings, months, files and counts
    as validating every row, for any max_rows."""
    generate_inbox(tmp_path / "inbox", months=4, start="2025-01", seed=7)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest(con, scan_inbox(tmp_path / "inbox", known_gemeenten()), None, Pseudonymiser(TEST_KEY))
    # A youth's first brief becomes an unknown event, in every export that repeats it; a
    # trede gets rung 9; a registration ends before it begins; an event lies far ahead.
    con.execute("""
        update raw.begeleiding set gebeurtenis = 'onbekend'
        where gebeurtenis = 'brief'
          and pseudo_id = (select min(pseudo_id) from raw.begeleiding where gebeurtenis = 'brief')
    """)
    con.execute("""
        update raw.begeleiding set waarde = '9'
        where gebeurtenis = 'trede'
          and pseudo_id = (select max(pseudo_id) from raw.begeleiding where gebeurtenis = 'trede')
    """)
    con.execute("""
        update raw.begeleiding set datum = date '2031-01-01'
        where pseudo_id = (select max(pseudo_id) from raw.begeleiding where gebeurtenis = 'intake')
          and gebeurtenis = 'intake'
    """)
    con.execute("""
        update raw.registration set einddatum = begindatum - 1
        where pseudo_id = (select min(pseudo_id) from raw.registration)
    """)
    for table in ("begeleiding", "registration"):
        suite = SUITES_BY_ASSET[table][0]
        assert judges_rows_alone(suite, PLACE_COLUMNS)
        months = loaded_months(con, (table,) if table != "registration" else ("kvk",))
        rows = sum(len(f) for f in frames(con, suite, months))
        tuples = sum(len(f) for f in distinct_values(con, suite, months))
        if table == "begeleiding":  # cumulative exports: the history again every month
            assert tuples < rows / 2
        for max_rows in (10**9, 500):
            every = {m[:7]: SuiteOutcome() for m in months}
            validate_run(con, suite, months, every, max_rows=max_rows, screen=False)
            screened = {m[:7]: SuiteOutcome() for m in months}
            validate_run(con, suite, months, screened, max_rows=max_rows)
            assert _everything(screened) == _everything(every)
        errors = {m for m, o in every.items() if o.failed("error")}
        assert len(errors) >= 2, (table, errors)
    # jib's suite holds a uniqueness within a file: every row is validated.
    assert not judges_rows_alone("jib", PLACE_COLUMNS)
    con.close()
