"""The platform's code lists, read from the dbt seeds that define them.

File types, outflow reasons and case events are spelled once, with their order and Dutch
label, in dbt_project/seeds/*.csv. dbt loads them into the warehouse (schema `reference`)
where models join them and tests check values against them; the ingest, the generator,
the cube and the page texts read the same files here. Adding a code or changing a label
is a change to one CSV (and, for a new column of a mart, to its contract).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from orchestration.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"


def _rows(seed: str, order: str) -> list[dict[str, str]]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: int(r[order]))


@dataclass(frozen=True)
class FileType:
    source: str  # the file's name in the inbox, without .csv
    folder: str  # gemeente (a municipality's month folder) or regio (the inbox root)
    kind: str  # jib, registratie, begeleiding, sociale_kaart or bevolking
    excludes: bool  # a registration that takes a youth off the list (not vso_pro)
    label: str


@dataclass(frozen=True)
class CaseEvent:
    gebeurtenis: str
    event_rank: int  # order of events on one date (SPEC §1)
    funnel_step: int  # 0 none, 1 benaderd .. 5 gestart met werk of opleiding
    channel: bool  # an outreach channel: the youth is approached this way
    in_file: bool  # may appear in a begeleiding.csv (run_start_reset is internal)
    label: str


@cache
def file_types() -> tuple[FileType, ...]:
    return tuple(
        FileType(r["source"], r["folder"], r["kind"], r["excludes"] == "true", r["label"])
        for r in _rows("file_types", "source_order")
    )


@cache
def case_events() -> tuple[CaseEvent, ...]:
    return tuple(
        CaseEvent(
            r["gebeurtenis"],
            int(r["event_rank"]),
            int(r["funnel_step"]),
            r["channel"] == "true",
            r["in_file"] == "true",
            r["label"],
        )
        for r in _rows("case_events", "event_rank")
    )


@cache
def outflow_reason_labels() -> dict[str, str]:
    """Reason -> Dutch label, in the order the outflow rule tries them."""
    return {r["reason"]: r["label"] for r in _rows("outflow_reasons", "reason_order")}


def monthly_sources() -> tuple[str, ...]:
    """The file types of a municipality's month folder, in the inbox documentation's order."""
    return tuple(f.source for f in file_types() if f.folder == "gemeente")


def root_sources() -> tuple[str, ...]:
    return tuple(f.source for f in file_types() if f.folder == "regio")


def registration_sources() -> tuple[str, ...]:
    return tuple(f.source for f in file_types() if f.kind == "registratie")


def exclusion_sources() -> tuple[str, ...]:
    """Registrations that take a youth off the list, alphabetical (the marts' column order)."""
    return tuple(sorted(f.source for f in file_types() if f.excludes))


def source_labels() -> dict[str, str]:
    return {f.source: f.label for f in file_types()}


def outflow_reasons() -> tuple[str, ...]:
    return tuple(outflow_reason_labels())


def file_events() -> tuple[str, ...]:
    """The events a begeleiding.csv may hold, in SPEC §1's order."""
    return tuple(e.gebeurtenis for e in case_events() if e.in_file)


def channels() -> tuple[str, ...]:
    return tuple(e.gebeurtenis for e in case_events() if e.channel)
