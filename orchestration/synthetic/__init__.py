"""`inbeeld generate`: synthetic inboxes that behave like the real thing (SPEC §1).

Seeded and reproducible; vectorised over youths, looping only over months and
municipalities to write files. BSNs come only from the elfproef-valid 9999xxxxx range.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.registry import load_registry
from orchestration.synthetic.bsn_pool import valid_pool
from orchestration.synthetic.casework import events as case_events
from orchestration.synthetic.files import Faults, Style, sociale_kaart
from orchestration.synthetic.population import simulate
from orchestration.synthetic.registrations import registrations as make_registrations

MARKER = ".inbeeld-synthetic"
DEFAULT_REGION = "Zuid-Kennemerland en IJmond"
Progress = Callable[[str, int, int], None]


@dataclass
class GenerateSummary:
    out: Path
    municipalities: int = 0
    months: int = 0
    youths: int = 0
    files: int = 0
    rows: Counter = field(default_factory=Counter)
    bad_rows: int = 0
    warnings: list[str] = field(default_factory=list)


def default_start(months: int, today: dt.date | None = None) -> dt.date:
    """The first month such that the last generated month is the last closed month."""
    today = today or dt.date.today()
    idx = today.year * 12 + today.month - 1 - months
    return dt.date(idx // 12, idx % 12 + 1, 1)


def _prepare_out(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise ValueError(
                f"{out} is not empty and was not made by `inbeeld generate`; choose an "
                "empty folder (nothing was written)."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("synthetic inbox, safe to delete\n")


def generate_inbox(
    out: Path,
    *,
    region: str | None = DEFAULT_REGION,
    national: bool = False,
    months: int = 24,
    start: str | None = None,
    seed: int = 20261122,
    registry_csv: Path | None = None,
    progress: Progress | None = None,
) -> GenerateSummary:
    out = Path(out)
    rng = np.random.default_rng(seed)
    registry = load_registry(registry_csv)
    if national:
        codes = sorted(r["gemeentecode"] for r in registry)
    else:
        regions = sorted({r["arbeidsmarktregio"] for r in registry})
        if region not in regions:
            raise ValueError(
                f"Unknown arbeidsmarktregio '{region}'. Choose one of: " + "; ".join(regions)
            )
        codes = sorted(r["gemeentecode"] for r in registry if r["arbeidsmarktregio"] == region)
    first = dt.date.fromisoformat(f"{start}-01") if start else default_start(months)
    month_list = [
        dt.date((first.year * 12 + first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(months)
    ]
    month0 = pd.Timestamp(first)
    summary = GenerateSummary(out=out, municipalities=len(codes), months=months)
    report = progress or (lambda *_: None)

    report("Populatie", 0, 4)
    pool = valid_pool()
    population, warnings = simulate(codes, month_list, rng, len(pool))
    summary.warnings.extend(warnings)
    persons = population.persons
    persons["bsn"] = rng.permutation(pool)[: len(persons)]
    summary.youths = int(population.listed["person"].nunique())
    report("Begeleiding", 1, 4)
    events = case_events(population.spells, population.listed, months, month0, rng)
    report("Registraties", 2, 4)
    first_listed = population.listed.groupby("person")["mi"].min()
    regs = make_registrations(persons, first_listed, months, month0, rng)

    _prepare_out(out)
    summary.rows["sociale_kaart"] = sociale_kaart(out / "sociale_kaart.csv", rng)
    summary.files = 1
    faults = Faults(rate=0.003, rng=rng)
    styles = {c: Style(windows=bool(rng.random() < 0.25)) for c in codes}
    cumulative = {c: bool(rng.random() < 0.5) for c in codes}
    bsn = persons["bsn"].to_numpy()

    listed = population.listed.merge(persons[["person", "birth"]], on="person")
    listed_by = dict(tuple(listed.groupby(["mi", "gemeentecode"])))
    events["bsn"] = bsn[events["person"].to_numpy()]
    events = events.sort_values(["datum", "person"])
    ev_by_gm = dict(tuple(events.groupby("gemeentecode")))
    regs["bsn"] = bsn[regs["person"].to_numpy()]
    regs_by_gm = dict(tuple(regs.groupby("gemeentecode")))

    total = len(month_list) * len(codes)
    done = 0
    for mi, month in enumerate(month_list):
        m_start = pd.Timestamp(month)
        m_end = m_start + pd.offsets.MonthEnd(0)
        for gm in codes:
            done += 1
            if done % 50 == 0 or done == total:
                report("Bestanden schrijven", done, total)
            style = styles[gm]
            folder = out / f"{month:%Y-%m}" / gm
            # jib.csv: skipped now and then, very rarely header-only.
            skip = rng.random() < 0.025
            if not skip:
                rows = listed_by.get((mi, gm))
                if rows is None or rng.random() < 0.003:
                    rows = listed.iloc[0:0]
                b = faults.bsns(pd.Series(bsn[rows["person"].to_numpy()], dtype=object))
                d = rows["birth"].reset_index(drop=True)
                dates = style.date(d)
                bad_date = faults.pick(len(dates))
                if bad_date.any():
                    dates = dates.copy()
                    dates[bad_date] = "2001-02-30"
                header = ["bsn", "geboortedatum"]
                cols = [b.reset_index(drop=True), dates.reset_index(drop=True)]
                if style.windows:
                    header.append("gemeentecode")
                    cols.append(pd.Series([gm] * len(b), dtype=object))
                summary.rows["jib"] += style.write(folder / "jib.csv", header, cols)
                summary.files += 1
            # Registration snapshots: current registrations and those ended < 6 months ago.
            gm_regs = regs_by_gm.get(gm)
            for source in ("kvk", "rmc", "jongerenloket", "buitenland", "detentie", "vso_pro"):
                if rng.random() > 0.85:
                    continue
                if gm_regs is None:
                    r = regs.iloc[0:0]
                else:
                    recent = gm_regs["end"].isna() | (
                        gm_regs["end"] >= m_start - pd.DateOffset(months=6)
                    )
                    if source == "vso_pro":  # special-education history: all of it
                        recent = recent | True
                    r = gm_regs[
                        (gm_regs["source"] == source) & (gm_regs["begin"] <= m_end) & recent
                    ]
                summary.rows[source] += style.write(
                    folder / f"{source}.csv",
                    ["bsn", "begindatum", "einddatum"],
                    [
                        faults.bsns(pd.Series(r["bsn"].to_numpy(), dtype=object)),
                        style.date(r["begin"].reset_index(drop=True)),
                        style.date(r["end"].reset_index(drop=True)),
                    ],
                )
                summary.files += 1
            # begeleiding.csv: the whole history, or only last month's events.
            gm_ev = ev_by_gm.get(gm)
            if gm_ev is not None:
                upto = gm_ev[gm_ev["datum"] < m_start]
                if not cumulative[gm]:
                    upto = upto[upto["datum"] >= m_start - pd.DateOffset(months=1)]
                if len(upto):
                    ev = upto["gebeurtenis"].reset_index(drop=True).copy()
                    bad = faults.pick(len(ev))
                    ev[bad] = "telefoontje"
                    summary.rows["begeleiding"] += style.write(
                        folder / "begeleiding.csv",
                        ["bsn", "datum", "gebeurtenis", "waarde"],
                        [
                            pd.Series(upto["bsn"].to_numpy(), dtype=object),
                            style.date(upto["datum"].reset_index(drop=True)),
                            ev,
                            upto["waarde"].fillna("").reset_index(drop=True),
                        ],
                    )
                    summary.files += 1
    summary.bad_rows = faults.injected
    return summary
