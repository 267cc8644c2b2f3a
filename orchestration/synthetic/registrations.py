"""Registrations in the municipalities' own sources, at plausible rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

RATES = {"kvk": 0.05, "buitenland": 0.04, "rmc": 0.03, "jongerenloket": 0.03, "detentie": 0.01}
VSO_PRO_RATE = 0.06


def registrations(
    persons: pd.DataFrame,
    first_month: pd.Series,
    n_months: int,
    month0: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """person, gemeentecode, source, begin, end (NaT = still running)."""
    out = []
    n = len(persons)
    m0 = month0.year * 12 + month0.month - 1
    for source, rate in RATES.items():
        who = rng.random(n) < rate
        if not who.any():
            continue
        anchor = (
            first_month.reindex(persons["person"])
            .fillna(pd.Series(rng.integers(0, max(n_months, 1), n)))
            .to_numpy()[who]
            .astype(int)
        )
        begin_mi = m0 + anchor + rng.integers(-4, 6, who.sum())
        begin = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": begin_mi // 12,
                    "month": begin_mi % 12 + 1,
                    "day": rng.integers(1, 29, who.sum()),
                }
            )
        )
        length = pd.to_timedelta(rng.geometric(1 / 150, who.sum()) * 3, unit="D")
        end = (begin + length).where(rng.random(who.sum()) < 0.45)
        out.append(
            pd.DataFrame(
                {
                    "person": persons["person"].to_numpy()[who],
                    "gemeentecode": persons["home"].to_numpy()[who],
                    "source": source,
                    "begin": begin,
                    "end": end,
                }
            )
        )
    who = rng.random(n) < VSO_PRO_RATE
    births = persons["birth"].to_numpy()[who]
    out.append(
        pd.DataFrame(
            {
                "person": persons["person"].to_numpy()[who],
                "gemeentecode": persons["home"].to_numpy()[who],
                "source": "vso_pro",
                "begin": pd.to_datetime(births) + pd.DateOffset(years=12),
                "end": pd.to_datetime(births) + pd.DateOffset(years=18),
            }
        )
    )
    return pd.concat(out, ignore_index=True)
