"""A sprinkling of bad rows (~0.3%), of every row-level fault of SPEC §1 "Bad input".

Invalid BSNs are still built from valid 9999xxxxx test numbers, so no number that
could belong to a real person ever appears.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from orchestration.generate.bsn import bad_bsn
from orchestration.generate.calendar import to_date
from orchestration.generate.formats import Style

FAULT_RATE = 0.003

KINDS: dict[str, dict[str, float]] = {
    "jib": {"invalid_bsn": 0.3, "invalid_date": 0.2, "age_out_of_range": 0.3, "duplicate_bsn": 0.2},
    "registration": {"invalid_bsn": 0.4, "invalid_date": 0.3, "end_before_begin": 0.3},
    "begeleiding": {
        "invalid_bsn": 0.25,
        "invalid_date": 0.2,
        "unknown_event": 0.3,
        "invalid_trede": 0.25,
    },
}
UNKNOWN_EVENTS = ("telefoon", "mail", "afspraak", "belpoging", "sms", "gesprek")
IMPOSSIBLE_DAYS = ((2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31))


class Faults:
    """Picks rows to break and writes their broken version; counts what it broke."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()

    def pick(self, n: int, kind: str) -> tuple[np.ndarray, list[str]]:
        """Row indices (ascending, distinct) to break among n rows, and the fault of each."""
        k = int(self.rng.binomial(n, FAULT_RATE)) if n else 0
        if k == 0:  # most files: cheap way out
            return np.zeros(0, dtype=np.int64), []
        idx = np.unique(self.rng.integers(0, n, k))
        names = list(KINDS[kind])
        cdf = np.cumsum(list(KINDS[kind].values()))
        pick = np.minimum(
            np.searchsorted(cdf / cdf[-1], self.rng.random(idx.size), side="right"), len(names) - 1
        )
        faults = [names[i] for i in pick.tolist()]
        self.counts.update(faults)
        return idx, faults

    def _bsn(self, bsn: str) -> str:
        return bad_bsn(bsn, int(self.rng.integers(0, 3)), int(self.rng.integers(0, 10)))

    def _impossible(self, year: int, style: Style) -> str:
        m, d = IMPOSSIBLE_DAYS[int(self.rng.integers(0, len(IMPOSSIBLE_DAYS)))]
        return style.date(year, m, d)

    @staticmethod
    def _fmt(day: dt.date, style: Style) -> str:
        return style.date(day.year, day.month, day.day)

    def jib(
        self, fault: str, fields: list[str], birth: int, peildatum: dt.date, style: Style
    ) -> list[str]:
        """fields = [bsn, geboortedatum, (gemeentecode)]; a duplicate is the row itself."""
        out = list(fields)
        if fault == "invalid_bsn":
            out[0] = self._bsn(fields[0])
        elif fault == "invalid_date":
            out[1] = self._impossible(to_date(birth).year, style)
        elif fault == "age_out_of_range":
            # 22 (a birthday short of 23) or already 27 on the peildatum.
            years = 22 if self.rng.random() < 0.5 else 27
            birthday = peildatum.replace(year=peildatum.year - years)
            out[1] = self._fmt(birthday - dt.timedelta(days=int(self.rng.integers(0, 300))), style)
        return out

    def registration(self, fault: str, fields: list[str], begin: int, style: Style) -> list[str]:
        """fields = [bsn, begindatum, einddatum]."""
        out = list(fields)
        if fault == "invalid_bsn":
            out[0] = self._bsn(fields[0])
        elif fault == "invalid_date":
            out[1] = self._impossible(to_date(begin).year, style)
        elif fault == "end_before_begin":
            out[2] = self._fmt(to_date(begin - int(self.rng.integers(1, 90))), style)
        return out

    def event(self, fault: str, fields: list[str], day: int, style: Style) -> list[str]:
        """fields = [bsn, datum, gebeurtenis, waarde]."""
        out = list(fields)
        if fault == "invalid_bsn":
            out[0] = self._bsn(fields[0])
        elif fault == "invalid_date":
            out[1] = self._impossible(to_date(day).year, style)
        elif fault == "unknown_event":
            out[2] = UNKNOWN_EVENTS[int(self.rng.integers(0, len(UNKNOWN_EVENTS)))]
            out[3] = ""
        elif fault == "invalid_trede":
            out[2] = style.event_name("trede")
            out[3] = "0" if self.rng.random() < 0.5 else "7"
        return out
