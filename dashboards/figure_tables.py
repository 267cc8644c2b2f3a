"""Every figure's numbers as a table: one list of rows per figure, built where the figure
is built, from the same protected cells (publish/cube.py). The page shows it below the
figure (details/summary, a real table with a caption and headers) and the same rows are
written to publish/<regio>/figuren/<figure-id>.csv, so a reader without a mouse, a screen
reader or a spreadsheet gets exactly the numbers the figure draws.

Values are as published: a count, `<k` (primary suppression), `x` (secondary) or `.` (not
yet known); periods carry `*` when provisional. The CSV follows the conventions of the
other published CSVs (orchestration/publish/published_csv.py): `;`-separated, UTF-8, one
header line of lowercase Dutch names, months as YYYY-MM and quarters as 2026-K3.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from dashboards import texts as t
from orchestration.publish import published_csv
from orchestration.publish.disclosure import PROVISIONAL

FOLDER = "figuren"  # publish/<regio>/figuren/<figure-id>.csv


def column_name(label: str) -> str:
    """A Dutch label as a CSV column name: 'in beeld te brengen' -> 'in_beeld_te_brengen'."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")


@functools.cache  # a page asks it for every row of every figure by month
def month_key(m: date, provisional: bool) -> str:
    """A month in a CSV: 2026-05, with `*` when provisional (as leveringen.csv, szw.py)."""
    return f"{m:%Y-%m}" + (PROVISIONAL if provisional else "")


@functools.lru_cache(maxsize=1 << 16)
def _escaped_text(text: str) -> str:
    return str(escape(text))


def _escaped(value: object) -> str:
    """What the template's autoescape makes of a value; a plain string remembered (a page
    repeats the same few labels and counts), anything else (e.g. Markup, which is equal to
    its plain text but not escaped again) escaped as it is."""
    return _escaped_text(value) if type(value) is str else str(escape(value))


@dataclass(frozen=True)
class Column:
    label: str  # the header on the page
    name: str = ""  # the header in the CSV (default: the label as a column name)

    @property
    def csv(self) -> str:
        return self.name or column_name(self.label)


@dataclass
class FigureTable:
    """The numbers of one figure. `index` are the key columns (a month, a quarter, a
    category); each row has its keys as shown on the page, its keys as written to the CSV
    and its values as published (an int or a CBS symbol)."""

    caption: str
    index: list[Column]
    columns: list[Column]
    keys: list[list[str]]
    csv_keys: list[list[str]]
    values: list[list[int | str]]

    def __post_init__(self) -> None:
        n = len(self.index)
        assert len(self.keys) == len(self.csv_keys) == len(self.values)
        assert all(len(k) == n for k in [*self.keys, *self.csv_keys])
        assert all(len(v) == len(self.columns) for v in self.values)

    @property
    def header(self) -> list[str]:
        return [c.label for c in (*self.index, *self.columns)]

    def rows(self) -> list[tuple[list[str], list[str]]]:
        """Per row the keys and the values as the page shows them (Dutch thousands)."""
        return [
            (keys, [t.number_nl(v) for v in values])
            for keys, values in zip(self.keys, self.values, strict=True)
        ]

    def html_rows(self) -> list[Markup]:
        """The rows as the page's table shows them (`rows`): the keys as row headers, the
        values as cells. Escaped here, once per row, as the template would escape each
        cell: the country's pages hold ~700,000 cells, and one template expression per
        cell was a large part of rendering them."""
        return [
            Markup(
                "<tr>"
                + "".join([f'<th scope="row">{_escaped(k)}</th>' for k in keys])
                + "".join([f"<td>{_escaped(v)}</td>" for v in values])
                + "</tr>"
            )
            for keys, values in self.rows()
        ]

    def csv_text(self) -> str:
        return published_csv.csv_text(
            [c.csv for c in (*self.index, *self.columns)],
            [
                [*keys, *(str(v) for v in values)]
                for keys, values in zip(self.csv_keys, self.values, strict=True)
            ],
        )
