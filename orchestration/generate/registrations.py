"""Registration sources: who is known to the KvK, the RMC, the jongerenloket, abroad,
in detention, or from special education, and which monthly snapshot shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generate.calendar import first_day, month_of_day, random_day, ymd
from orchestration.generate.cohort import Cohort
from orchestration.generate.population import AGE_23, AGE_27, SRC

# Per source, for listed youths: (chance of a registration somewhere around their time
# on the list, chance it is still open, mean length in months). Tuned so that about
# kvk 5%, buitenland 4%, rmc 3%, jongerenloket 3%, detentie 1% of listed youth-months
# overlap one (abroad and detention exits of the simulation add their own).
AROUND_LISTING: dict[str, tuple[float, float, float]] = {
    "kvk": (0.075, 0.6, 14.0),
    "rmc": (0.075, 0.3, 6.0),
    "jongerenloket": (0.085, 0.3, 4.0),
    "buitenland": (0.065, 0.5, 10.0),
    "detentie": (0.03, 0.2, 4.0),
}
# Never-listed youths: which source knows them.
EXTRA_SOURCE_P: dict[str, float] = {
    "kvk": 0.3,
    "rmc": 0.3,
    "jongerenloket": 0.2,
    "buitenland": 0.15,
    "detentie": 0.05,
}
KEEP_ENDED_DAYS = 92  # an ended registration stays in the source's export for a while


@dataclass
class Registrations:
    p: np.ndarray
    src: np.ndarray
    begin: np.ndarray  # day
    end: np.ndarray  # day, -1 = open


def _interval(
    months: np.ndarray, open_p: float, mean: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    n = months.size
    begin = random_day(months, rng.random(n))
    length = np.round(rng.geometric(1.0 / mean, n) * 30.44).astype(np.int64)
    end = begin + length + rng.integers(0, 15, n)
    return begin, np.where(rng.random(n) < open_p, -1, end)


def build_registrations(
    cohort: Cohort, start: int, months: int, rng: np.random.Generator
) -> Registrations:
    parts = [(cohort.reg_p, cohort.reg_src, cohort.reg_begin, cohort.reg_end)]

    n_listed = cohort.n_listed
    first = np.full(n_listed, months, dtype=np.int64)
    last = np.full(n_listed, -1, dtype=np.int64)
    np.minimum.at(first, cohort.list_p, cohort.list_t)
    np.maximum.at(last, cohort.list_p, cohort.list_t)
    for name, (share, open_p, mean) in AROUND_LISTING.items():
        who = np.flatnonzero(rng.random(n_listed) < share)
        month = start + rng.integers(first[who] - 8, last[who] + 1)
        begin, end = _interval(month, open_p, mean, rng)
        parts.append((who, np.full(who.size, SRC[name]), begin, end))

    extras = np.arange(n_listed, cohort.n)
    names = list(EXTRA_SOURCE_P)
    pick = rng.choice(len(names), size=extras.size, p=list(EXTRA_SOURCE_P.values()))
    for i, name in enumerate(names):
        who = extras[pick == i]
        _, open_p, mean = AROUND_LISTING[name]
        begin, end = _interval(start + rng.integers(-12, months, who.size), open_p, mean, rng)
        parts.append((who, np.full(who.size, SRC[name]), begin, end))

    # Special education (VSO) or practical school (PrO): from about 12 to 16-18, long past.
    who = np.flatnonzero(cohort.vso)
    year, _, _ = ymd(cohort.birth[who])
    y0 = year + 12 + rng.integers(0, 2, who.size)
    y1 = y0 + rng.integers(3, 7, who.size)
    begin = first_day((y0 - 1970) * 12 + 7)  # 1 August
    end = first_day((y1 - 1970) * 12 + 6)  # 1 July
    parts.append((who, np.full(who.size, SRC["vso_pro"]), begin, end))

    return Registrations(
        p=np.concatenate([x[0] for x in parts]).astype(np.int64),
        src=np.concatenate([x[1] for x in parts]).astype(np.int8),
        begin=np.concatenate([x[2] for x in parts]).astype(np.int64),
        end=np.concatenate([x[3] for x in parts]).astype(np.int64),
    )


def snapshot_rows(
    regs: Registrations, cohort: Cohort, start: int, months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(registration index, month t, municipality) of every row of every snapshot.

    A source exports what it currently holds: a registration from its begin month until
    a while after it ended. The vso_pro export holds the municipality's 23-27-year-olds
    with that history.
    """
    vso = regs.src == SRC["vso_pro"]
    t0 = np.where(vso, cohort.eff[regs.p] + AGE_23 - start, month_of_day(regs.begin) - start)
    t1 = np.where(
        vso,
        cohort.eff[regs.p] + AGE_27 - 1 - start,
        np.where(regs.end < 0, months - 1, month_of_day(regs.end + KEEP_ENDED_DAYS) - start),
    )
    t0 = np.maximum(t0, 0)
    t1 = np.minimum(t1, months - 1)
    n = np.maximum(t1 - t0 + 1, 0)
    idx = np.repeat(np.arange(n.size), n)
    offset = np.arange(idx.size) - np.repeat(np.cumsum(n) - n, n)
    t = t0[idx] + offset
    g = cohort.gem[regs.p[idx], t]
    return idx, t.astype(np.int32), g.astype(np.int32)
