"""Youths, their spells on the JIB list and their municipalities, month by month.

A youth enters the list at 23 (leaving school without a startkwalificatie) or later
(after losing a job), stays a geometric number of months, leaves (work, school, a
benefit, abroad, detention), may come back, and is off the list from age 27.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Municipalities much larger than a typical one (inhabitants / 1000), as size anchors.
LARGE = {
    "GM0363": 930,
    "GM0599": 665,
    "GM0518": 560,
    "GM0344": 370,
    "GM0772": 245,
    "GM0014": 240,
    "GM0034": 220,
    "GM0855": 225,
    "GM0758": 185,
    "GM0268": 180,
    "GM0392": 165,
    "GM0479": 160,
    "GM0153": 165,
    "GM0202": 165,
    "GM0200": 165,
    "GM0935": 125,
    "GM0503": 105,
    "GM0546": 130,
    "GM0394": 160,
    "GM0453": 68,
    "GM0375": 42,
    "GM0396": 40,
    "GM0397": 27,
    "GM0377": 23,
    "GM0473": 17,
}
LISTED_PER_1000 = 2.0  # about 35-40k youths on the lists nationally


@dataclass
class Population:
    persons: pd.DataFrame  # person, bsn, birth, home (gemeentecode)
    listed: pd.DataFrame  # person, month (Timestamp), gemeentecode, spell
    spells: pd.DataFrame  # person, spell, first, last (month indexes)
    months: list[dt.date]


def municipality_sizes(codes: list[str], rng: np.random.Generator) -> np.ndarray:
    """Inhabitants (x1000): known anchors, else a lognormal draw around 35k."""
    drawn = np.clip(rng.lognormal(mean=np.log(30), sigma=0.6, size=len(codes)), 6, 150)
    return np.array([LARGE.get(c, d) for c, d in zip(codes, drawn, strict=True)])


def simulate(
    codes: list[str], months: list[dt.date], rng: np.random.Generator, pool_size: int
) -> tuple[Population, list[str]]:
    n_months = len(months)
    warnings: list[str] = []
    sizes = municipality_sizes(codes, rng)
    stock = sizes * LISTED_PER_1000  # listed per month, per municipality
    mean_spell = 9.0
    # Persons needed: the initial stock plus inflow (stock / mean spell per month), plus
    # 15% for re-entries and registrations of youths who are never listed.
    needed = stock * (1 + n_months / mean_spell) * 1.15
    scale = 1.0
    if needed.sum() > pool_size * 0.9:
        scale = pool_size * 0.9 / needed.sum()
        warnings.append(
            f"De 9999xxxxx-testreeks heeft maar {pool_size} geldige BSN's: de populatie is "
            f"geschaald naar {scale:.0%} ({int(stock.sum() * scale)} in plaats van "
            f"{int(stock.sum())} jongeren per maand op de lijsten)."
        )
    stock = stock * scale
    # The stock on the list at the start, plus inflow that keeps it roughly level (spells
    # end after ~mean_spell months; some come back, so inflow is a bit below that).
    n_initial = np.maximum(1, np.round(stock)).astype(int)
    n_inflow = np.round(stock * n_months / mean_spell * 0.8).astype(int)
    home = np.concatenate(
        [np.repeat(np.array(codes), n_initial), np.repeat(np.array(codes), n_inflow)]
    )
    initial = np.concatenate([np.ones(n_initial.sum(), bool), np.zeros(n_inflow.sum(), bool)])
    n = len(home)
    # Already on the list for a while at the start, or entering during the window.
    first = np.where(initial, -rng.integers(0, 12, n), rng.integers(0, max(n_months, 1), n))
    # Age at first listing: most at 23 (no startkwalificatie), some later (job loss).
    entry_age_months = np.where(
        rng.random(n) < 0.55, 276 + rng.integers(0, 6, n), 276 + rng.integers(0, 42, n)
    )
    start = pd.Timestamp(months[0])
    # Birth = first listing month - entry age, with a random day.
    month_index0 = start.year * 12 + start.month - 1
    birth_mi = month_index0 + first - entry_age_months
    birth_year, birth_mon = birth_mi // 12, birth_mi % 12 + 1
    birth_day = rng.integers(1, 29, n)
    births = pd.to_datetime(
        pd.DataFrame({"year": birth_year, "month": birth_mon, "day": birth_day})
    )

    # Spells: up to three, geometric lengths, geometric gaps.
    rows = []
    person = np.arange(n)
    cur = first.copy()
    alive = np.ones(n, dtype=bool)
    for spell in (1, 2, 3):
        length = rng.geometric(1 / mean_spell, n)
        if spell == 1:
            length = length + np.where(initial, -first, 0)
        last = cur + length - 1
        rows.append(
            pd.DataFrame(
                {"person": person[alive], "spell": spell, "first": cur[alive], "last": last[alive]}
            )
        )
        gap = rng.geometric(1 / 10, n) + 1
        alive = alive & (rng.random(n) < 0.28)
        cur = last + 1 + gap
    spells = pd.concat(rows, ignore_index=True)

    # Expand to person-months inside the generated months, stop at age 27.
    lengths = (spells["last"] - spells["first"] + 1).to_numpy()
    rep = np.repeat(np.arange(len(spells)), lengths)
    offs = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pm = pd.DataFrame(
        {
            "person": spells["person"].to_numpy()[rep],
            "spell": spells["spell"].to_numpy()[rep],
            "mi": spells["first"].to_numpy()[rep] + offs,
        }
    )
    pm = pm[(pm["mi"] >= 0) & (pm["mi"] < n_months)]
    age_months = month_index0 + pm["mi"].to_numpy() - birth_mi[pm["person"].to_numpy()]
    # Completed years on the first of the month: birthday on day > 1 not yet reached.
    age_years = (age_months - (birth_day[pm["person"].to_numpy()] > 1)) // 12
    pm = pm[(age_years >= 23) & (age_years < 27)]

    # Moving house within the municipalities: 3% of youths move once.
    movers = rng.random(n) < 0.03
    move_at = rng.integers(0, max(n_months, 1), n)
    new_home = np.array(codes)[rng.integers(0, len(codes), n)]
    p = pm["person"].to_numpy()
    moved = movers[p] & (pm["mi"].to_numpy() >= move_at[p])
    gm = np.where(moved, new_home[p], home[p])
    listed = pd.DataFrame(
        {
            "person": p,
            "mi": pm["mi"].to_numpy(),
            "gemeentecode": gm,
            "spell": pm["spell"].to_numpy(),
        }
    )
    persons = pd.DataFrame({"person": np.arange(n), "birth": births, "home": home})
    return Population(persons=persons, listed=listed, spells=spells, months=months), warnings
