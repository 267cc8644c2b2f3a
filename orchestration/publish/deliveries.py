"""Delivery completeness per region, from reports.delivery_status: which file of which
municipality was delivered (geleverd), rejected (afgekeurd, with its reason code) or is
missing (ontbreekt) in every month of the data. Written to publish/<regio>/leveringen.csv
and read by the pages (the grid figure, the incomplete months of the trend, the
municipality table).

About files, not persons: the status is no count and needs no disclosure control.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

import duckdb

from orchestration import vocabulary
from orchestration.publish import published_csv

# The file types of a municipality folder, as named in the inbox, in this order.
SOURCES = vocabulary.monthly_sources()
STATUSES = ("geleverd", "afgekeurd", "ontbreekt")
HEADER = ("maand", "gemeentecode", "gemeente", "bron", "status", "reden")
FILE_NAME = "leveringen.csv"


class Delivery(NamedTuple):
    """One row of reports.delivery_status. A NamedTuple, not a frozen dataclass (same
    fields, repr and immutability): the country has ~170,000 of them, and a frozen
    dataclass's __init__ was a quarter of reading the publish inputs."""

    month: date
    gemeentecode: str
    gemeente: str
    source: str
    status: str  # geleverd, afgekeurd or ontbreekt
    reason: str | None  # the reason code of a rejection


def read(con: duckdb.DuckDBPyConnection) -> dict[str, list[Delivery]]:
    """Every row of reports.delivery_status, per region, sorted by month, municipality
    and file type (in the order of SOURCES)."""
    rows = con.execute(
        "select arbeidsmarktregio, month, gemeentecode, gemeentenaam, source, status, reason "
        "from reports.delivery_status "
        "order by arbeidsmarktregio, month, gemeentecode, source_order"
    ).fetchall()
    # Equal values as one object: the rows go to the publish workers, and pickle writes an
    # object it has seen as a reference (10.7 -> 3.6 MB for the country at its real size).
    # (Keyed by type too: 1 == True, yet they must stay what they are.)
    same: dict[tuple[type, object], object] = {}
    out: dict[str, list[Delivery]] = defaultdict(list)
    for region, *values in rows:
        out[region].append(Delivery._make(same.setdefault((type(v), v), v) for v in values))
    return dict(out)


def csv_text(rows: list[Delivery]) -> str:
    """leveringen.csv: `;`-separated, one row per month x municipality x file type."""
    # Each month formatted once, not once per row (strftime is most of a row's cost).
    months = {m: f"{m:%Y-%m}" for m in {d.month for d in rows}}
    return published_csv.csv_text(
        HEADER,
        (
            [months[d.month], d.gemeentecode, d.gemeente, d.source, d.status, d.reason or ""]
            for d in rows
        ),
    )


def missing_lists(rows: list[Delivery]) -> dict[date, list[Delivery]]:
    """Months in which a municipality's JIB list is missing or was rejected: the region's
    figures of those months are incomplete."""
    out: dict[date, list[Delivery]] = defaultdict(list)
    for d in rows:
        if d.source == "jib" and d.status != "geleverd":
            out[d.month].append(d)
    return dict(sorted(out.items()))


def never_delivered(rows: list[Delivery]) -> dict[str, set[str]]:
    """Per municipality the file types it never delivered in any month of the data."""
    delivered: dict[str, set[str]] = defaultdict(set)
    codes: set[str] = set()
    for d in rows:
        codes.add(d.gemeentecode)
        if d.status == "geleverd":
            delivered[d.gemeentecode].add(d.source)
    return {g: set(SOURCES) - delivered[g] for g in sorted(codes) if set(SOURCES) - delivered[g]}
