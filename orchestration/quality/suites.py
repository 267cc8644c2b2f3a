"""Running the GX suites of `expectations/` on DataFrames, summarised for Dagster metadata.

GX is imported lazily (it takes seconds) and its ephemeral context is built once per
process. Results name expectations, counts and files — never a value.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration import vocabulary
from orchestration.settings import REPO_ROOT

SUITES_DIR = REPO_ROOT / "expectations"


@dataclass
class Finding:
    suite: str
    month: str
    expectation: str
    column: str
    severity: str
    why: str
    unexpected: int
    rows: int
    files: list[str] = field(default_factory=list)


@dataclass
class SuiteOutcome:
    findings: list[Finding] = field(default_factory=list)
    validations: int = 0
    rows: int = 0
    expectations_run: int = 0

    def failed(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]


def load_suite_spec(name: str, directory: Path = SUITES_DIR) -> dict[str, Any]:
    """A suite from expectations/<name>.json. A value set written as
    {"vocabulary": "<list>"} is that code list of orchestration/vocabulary.py (read from the
    dbt seeds), so the suites never spell a code list of their own."""
    spec = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    for expectation in spec["expectations"]:
        value_set = expectation["kwargs"].get("value_set")
        if isinstance(value_set, dict):
            expectation["kwargs"]["value_set"] = list(
                getattr(vocabulary, value_set["vocabulary"])()
            )
    return spec


def warm_up() -> None:
    """Import GX and build its context now (GX's process does, as it starts:
    orchestration/quality/process.py)."""
    _context()


@cache
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


# No values: a finding names counts and files only (and skipping the value lists is
# cheaper).
_FORMAT = {
    "result_format": "COMPLETE",
    "return_unexpected_index_query": False,
    "exclude_unexpected_values": True,
}


@cache
def _validation(name: str):
    gx, ctx = _context()
    spec = load_suite_spec(name)
    suite = ctx.suites.add(gx.ExpectationSuite(name=name, expectations=spec["expectations"]))
    source = ctx.data_sources.add_pandas(f"inbeeld_{name}")
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("month")
    return ctx.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_per_month", data=batch, suite=suite)
    )


# Expectations that judge a row by its own values alone: a row passes or fails whatever the
# other rows hold. Not uniqueness (it compares rows) and not `mostly` (a share of the rows).
ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
    }
)


@cache
def judges_rows_alone(name: str, place_columns: tuple[str, ...]) -> bool:
    """Whether every expectation of suite `name` is row-wise and reads no column of
    `place_columns` (where a row is): then rows with equal values have equal verdicts."""

    def reads_place(kwargs: dict[str, Any]) -> bool:
        condition = str(kwargs.get("row_condition") or "")
        return kwargs.get("column") in place_columns or any(
            re.search(rf"\b{re.escape(c)}\b", condition) for c in place_columns
        )

    return all(
        e["type"] in ROW_WISE and e["kwargs"].get("mostly", 1) == 1 and not reads_place(e["kwargs"])
        for e in load_suite_spec(name)["expectations"]
    )


def expectation_count(name: str) -> int:
    return len(load_suite_spec(name)["expectations"])


def failing_values(name: str, df: pd.DataFrame) -> set[int] | None:
    """The `row_hash` of every row of `df` (distinct value tuples) that an expectation of
    suite `name` rejects; None when a failure names no rows."""
    df = df.reset_index(drop=True)
    result = _validation(name).run(batch_parameters={"dataframe": df}, result_format=_FORMAT)
    failing: set[int] = set()
    for r in result.results:
        if r.success:
            continue
        res = r.result or {}
        index = [i for i in res.get("unexpected_index_list") or [] if pd.api.types.is_integer(i)]
        if not index:
            return None
        failing.update(int(h) for h in df.loc[index, "row_hash"])
    return failing


def validate(name: str, month: str, df: pd.DataFrame, outcome: SuiteOutcome) -> None:
    """Validate one month's DataFrame with suite `name`; add what failed to `outcome`."""
    validate_months(name, df.assign(month=month), {month: outcome})


def validate_months(name: str, df: pd.DataFrame, outcomes: dict[str, SuiteOutcome]) -> None:
    """One GX validation of suite `name` over rows of several months (column `month`, a key
    of `outcomes`); each month's outcome gets its rows and the failures among them.

    Every expectation of the suites is row-wise or unique within a file (a file belongs to
    one month), so one validation over the months finds what one per month would; the
    unexpected rows' `month` puts each failure back in its month.
    """
    counts = df["month"].value_counts().to_dict() if len(df) else {}
    for month, n in counts.items():
        outcome = outcomes[month]
        outcome.validations += 1
        outcome.rows += int(n)
    if df.empty:
        return
    df = df.reset_index(drop=True)
    # GX returns the unexpected rows' DataFrame index; month and file are looked up here.
    # (Asking GX for index columns instead costs ~20x: it builds a dict per unexpected row,
    # minutes when a warning matches millions of rows.)
    result = _validation(name).run(batch_parameters={"dataframe": df}, result_format=_FORMAT)
    for r in result.results:
        for month in counts:
            outcomes[month].expectations_run += 1
        if r.success:
            continue
        cfg = r.expectation_config
        meta = cfg.meta or {}
        kwargs = cfg.kwargs or {}
        res = r.result or {}
        index = [i for i in res.get("unexpected_index_list") or [] if pd.api.types.is_integer(i)]
        if index:
            hit = df.loc[index, ["month", "path"]]
            by_month = {m: rows["path"] for m, rows in hit.groupby("month", sort=True)}
        else:  # a failure without rows to place: it counts for every month
            unexpected = int(res.get("unexpected_count") or 0)
            by_month = {m: pd.Series([""] * unexpected) for m in sorted(counts)}
        for month, paths in by_month.items():
            outcomes[month].findings.append(
                Finding(
                    suite=name,
                    month=month,
                    expectation=cfg.type,
                    column=str(kwargs.get("column") or kwargs.get("column_list") or ""),
                    severity=meta.get("severity", "error"),
                    why=meta.get("why", ""),
                    unexpected=len(paths),
                    rows=int(counts[month]),
                    files=sorted(p for p in paths.unique().tolist() if p)[:20],
                )
            )


def findings_markdown(findings: list[Finding]) -> str:
    if not findings:
        return "Alle verwachtingen gehaald."
    lines = [
        "| maand | verwachting | kolom | afwijkend | bestanden | waarom |",
        "|---|---|---|---|---|---|",
    ]
    for f in findings:
        files = ", ".join(f"`{p}`" for p in f.files[:5]) + (" …" if len(f.files) > 5 else "")
        lines.append(
            f"| {f.month[:7]} | {f.expectation} | {f.column} | {f.unexpected} van {f.rows} "
            f"| {files} | {f.why} |"
        )
    return "\n".join(lines)
