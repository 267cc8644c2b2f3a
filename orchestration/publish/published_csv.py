"""The one dialect of every published CSV (szw_kwartaal.csv, leveringen.csv, the figures'
CSVs): `;`-separated, one header line, one line per row ending in a newline, UTF-8 text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()
