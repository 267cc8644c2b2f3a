"""How each municipality writes its files: most the plain way, some as a Windows
spreadsheet export (BOM, commas, CRLF, day-first dates, an extra gemeentecode column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generate.calendar import ymd

HEADERS: dict[str, tuple[str, ...]] = {
    "jib": ("bsn", "geboortedatum"),
    "registration": ("bsn", "begindatum", "einddatum"),
    "begeleiding": ("bsn", "datum", "gebeurtenis", "waarde"),
}


@dataclass(frozen=True)
class Style:
    sep: str = ";"
    eol: str = "\n"
    bom: bool = False
    date_fmt: str = "ymd"  # ymd = 2024-03-05, dmy = 5-3-2024, dmy0 = 05-03-2024
    header_case: str = "lower"  # lower | title | upper
    gemeentecode: str = ""  # jib column: "" (none) | GM | digits | gm
    event_case: str = "lower"  # lower | title
    org_lower: bool = False  # writes organisation ids in lower case

    def header(self, kind: str) -> str:
        cols = list(HEADERS[kind])
        if kind == "jib" and self.gemeentecode:
            cols.append("gemeentecode")
        if self.header_case == "title":
            cols = [c.capitalize() for c in cols]
        elif self.header_case == "upper":
            cols = [c.upper() for c in cols]
        return self.sep.join(cols) + self.eol

    def code_value(self, code: str) -> str:
        if self.gemeentecode == "digits":
            return code[2:]
        if self.gemeentecode == "gm":
            return code.lower()
        return code

    def event_name(self, name: str) -> str:
        return name.capitalize() if self.event_case == "title" else name

    def date(self, y: int, m: int, d: int) -> str:
        """Any (also impossible) date in this style's form."""
        if self.date_fmt == "dmy":
            return f"{d}-{m}-{y:04d}"
        if self.date_fmt == "dmy0":
            return f"{d:02d}-{m:02d}-{y:04d}"
        return f"{y:04d}-{m:02d}-{d:02d}"


def draw_styles(n: int, rng: np.random.Generator) -> list[Style]:
    """About one in five writes the spreadsheet way; with three or more, at least one does."""
    styles = []
    forced = int(rng.integers(0, n)) if n >= 3 else -1
    spreadsheet = rng.random(n) < 0.2
    if not spreadsheet.any() and forced >= 0:
        spreadsheet[forced] = True
    for i in range(n):
        u = rng.random(6)
        if spreadsheet[i]:
            styles.append(
                Style(
                    sep=",",
                    eol="\r\n",
                    bom=True,
                    date_fmt="dmy" if u[1] < 0.5 else "dmy0",
                    header_case="title",
                    gemeentecode="GM" if u[2] < 0.5 else ("digits" if u[2] < 0.85 else "gm"),
                    event_case="title" if u[3] < 0.3 else "lower",
                    org_lower=bool(u[4] < 0.2),
                )
            )
        else:
            styles.append(
                Style(
                    header_case="upper" if u[1] < 0.05 else "lower",
                    gemeentecode="GM" if u[2] < 0.08 else "",
                    org_lower=bool(u[4] < 0.03),
                )
            )
    return styles


class DateText:
    """Every day of a range written in each date form, so formatting is a lookup."""

    FORMS = ("ymd", "dmy", "dmy0")

    def __init__(self, lo: int, hi: int) -> None:
        self.lo = int(lo)
        days = np.arange(self.lo, int(hi) + 1)
        y, m, d = (a.tolist() for a in ymd(days))
        style = {f: Style(date_fmt=f) for f in self.FORMS}
        # Index -1 past the end is the empty string: an open einddatum.
        self.table = {
            f: np.array([style[f].date(*x) for x in zip(y, m, d, strict=True)] + [""], dtype=object)
            for f in self.FORMS
        }

    def __call__(self, days: np.ndarray, form: str) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        idx = np.where(days < 0, -1, days - self.lo)
        return self.table[form][idx]
