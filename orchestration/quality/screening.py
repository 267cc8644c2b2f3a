"""One suite over a run's months, validating each distinct tuple of values once.

Cumulative exports repeat their history every month: at the country's real size five
years of begeleiding are 18.9M rows and about 1M distinct tuples. When every expectation of
a suite judges a row by its own values alone (suites.judges_rows_alone), rows with equal
values have equal verdicts, so GX validates the distinct tuples (the screen). Only the rows
of a tuple that failed are then read and validated as rows, which puts each finding in its
month with its files and its count; the months' row counts come from the database. The
outcome is exactly that of validating every row (tests/test_gx_months.py compares both).
A suite with a uniqueness or a `mostly` expectation validates every row, as before.
"""

from __future__ import annotations

import dataclasses

import duckdb

from orchestration.quality.frames import (
    MAX_ROWS,
    PLACE_COLUMNS,
    distinct_values,
    frames,
    month_counts,
)
from orchestration.quality.suites import (
    SuiteOutcome,
    expectation_count,
    failing_values,
    judges_rows_alone,
    validate_months,
)


def validate_run(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    months: list[str],
    outcomes: dict[str, SuiteOutcome],
    max_rows: int = MAX_ROWS,
    screen: bool = True,
) -> None:
    """Validate suite `suite` over the rows of `months`; each month's outcome (a key of
    `outcomes`, 'YYYY-MM' or 'alle') gets its rows, its validation and its findings."""
    if screen and judges_rows_alone(suite, PLACE_COLUMNS):
        failing: set[int] = set()
        for values in distinct_values(con, suite, months, max_rows):
            found = failing_values(suite, values)
            if found is None:  # a failure that names no rows: validate every row
                break
            failing |= found
        else:
            _screened(con, suite, months, outcomes, max_rows, sorted(failing))
            return
    for chunk in frames(con, suite, months, max_rows):
        validate_months(suite, chunk, outcomes)


def _screened(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    months: list[str],
    outcomes: dict[str, SuiteOutcome],
    max_rows: int,
    failing: list[int],
) -> None:
    """The bookkeeping of a validation of every row, and the findings of the failing
    tuples' rows (each with its month's row count, as a validation of every row gives)."""
    counts = month_counts(con, suite, months)
    expectations = expectation_count(suite)
    for month, n in counts.items():
        outcome = outcomes[month]
        outcome.validations += 1
        outcome.rows += n
        outcome.expectations_run += expectations
    if not failing:
        return
    found = {month: SuiteOutcome() for month in counts}
    for chunk in frames(con, suite, months, max_rows, hashes=failing):
        validate_months(suite, chunk, found)
    for month, outcome in found.items():
        outcomes[month].findings.extend(
            dataclasses.replace(f, rows=counts[month]) for f in outcome.findings
        )
