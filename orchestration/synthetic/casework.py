"""Outreach and outcomes per spell, with the funnel a municipal project reports:
many letters, fewer contacts; of those reached about 70% to paid work and 10% to school
over time; some refusals, rare objections, some drop-out after a start."""

from __future__ import annotations

import numpy as np
import pandas as pd

ORG_COUNT = 30


def _day(rng: np.random.Generator, month_index: np.ndarray, month0: pd.Timestamp) -> pd.Series:
    """A random day (1-28) in each of the given month indexes."""
    base = month0.year * 12 + month0.month - 1 + month_index
    return pd.to_datetime(
        pd.DataFrame(
            {"year": base // 12, "month": base % 12 + 1, "day": rng.integers(1, 29, len(base))}
        )
    )


def events(
    spells: pd.DataFrame,
    listed: pd.DataFrame,
    n_months: int,
    month0: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """person, datum, gebeurtenis, waarde, gemeentecode for every case event."""
    # Spells that touch the window and last at least two months get outreach.
    s = spells[(spells["last"] >= 0) & (spells["first"] < n_months)].copy()
    s = s[(s["last"] - s["first"]) >= 1].reset_index(drop=True)
    n = len(s)
    first, last = s["first"].to_numpy(), s["last"].to_numpy()
    out: list[pd.DataFrame] = []

    def add(mask: np.ndarray, month: np.ndarray, event: str, value=None) -> None:
        month = np.asarray(month)[mask]
        if not len(month):
            return
        out.append(
            pd.DataFrame(
                {
                    "person": s["person"].to_numpy()[mask],
                    "datum": _day(rng, month, month0).to_numpy(),
                    "gebeurtenis": event,
                    "waarde": value[mask] if isinstance(value, np.ndarray) else value,
                }
            )
        )

    approach_month = first + 1 + rng.integers(0, 2, n)
    approached = (rng.random(n) < 0.75) & (approach_month <= last)
    add(approached, approach_month, "brief")
    second = approached & (rng.random(n) < 0.5) & (approach_month + 1 <= last)
    add(second, approach_month + 1, "tweede_brief")
    add(second & (rng.random(n) < 0.45), approach_month + 1, "huisbezoek")
    add(approached & (rng.random(n) < 0.2), approach_month, "whatsapp")
    orgs = np.array([f"ORG-{i:03d}" for i in range(1, ORG_COUNT + 1)])
    referred = approached & (rng.random(n) < 0.12)
    add(referred, approach_month, "verwijzing", orgs[rng.integers(0, ORG_COUNT, n)])

    refused = approached & (rng.random(n) < 0.10)
    add(refused, approach_month + 1, "weigering")
    add(refused & (rng.random(n) < 0.05), approach_month + 2, "bezwaar")

    contact_month = approach_month + rng.integers(0, 3, n)
    reached = approached & ~refused & (rng.random(n) < 0.45) & (contact_month <= last)
    add(reached, contact_month, "contact")
    intake = reached & (rng.random(n) < 0.7)
    add(intake, contact_month, "intake")
    traject = intake & (rng.random(n) < 0.8)
    add(traject, contact_month + 1, "traject_start")
    rung = rng.integers(2, 5, n)
    add(traject, contact_month + 1, "trede", rung.astype(str))
    climbed = traject & (rng.random(n) < 0.45)
    add(climbed, contact_month + 3, "trede", np.minimum(rung + 1, 6).astype(str))
    add(traject & (rng.random(n) < 0.25), contact_month + 3, "traject_einde")

    # Outcomes end the spell: the start lies in the last month on the list or the month
    # before (the list lags a month behind).
    outcome_month = np.maximum(contact_month + 1, last - rng.integers(0, 2, n))
    draw = rng.random(n)
    to_work = reached & (draw < 0.70) & (last < n_months - 1)
    to_school = reached & (draw >= 0.70) & (draw < 0.80) & (last < n_months - 1)
    add(to_work, outcome_month, "start_werk")
    add(to_school, outcome_month, "start_opleiding")
    dropped = (to_work | to_school) & (rng.random(n) < 0.15)
    add(dropped, outcome_month + 1 + rng.integers(0, 3, n), "uitval")

    ev = (
        pd.concat(out, ignore_index=True)
        if out
        else pd.DataFrame(columns=["person", "datum", "gebeurtenis", "waarde"])
    )
    ev["mi"] = (ev["datum"].dt.year * 12 + ev["datum"].dt.month - 1) - (
        month0.year * 12 + month0.month - 1
    )
    ev = ev[(ev["mi"] >= 0) & (ev["mi"] < n_months)]
    # The municipality handling the case: where the youth is listed that month, else home.
    where = listed.drop_duplicates(["person", "mi"])[["person", "mi", "gemeentecode"]]
    ev = ev.merge(where, on=["person", "mi"], how="left")
    last_gm = listed.sort_values("mi").drop_duplicates("person", keep="last")
    ev = ev.merge(
        last_gm[["person", "gemeentecode"]].rename(columns={"gemeentecode": "gm2"}),
        on="person",
        how="left",
    )
    ev["gemeentecode"] = ev["gemeentecode"].fillna(ev["gm2"])
    return ev.dropna(subset=["gemeentecode"]).drop(columns=["gm2"]).reset_index(drop=True)
