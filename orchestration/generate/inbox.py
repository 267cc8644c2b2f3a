"""`generate_inbox`: a synthetic inbox in the layout of SPEC §1, seeded and reproducible."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from orchestration.generate.bevolking import build_bevolking
from orchestration.generate.bsn import random_valid, valid_pool
from orchestration.generate.calendar import label, month_of_date, parse_month
from orchestration.generate.cohort import build_cohort, n_persons_needed
from orchestration.generate.deliveries import draw_deliveries
from orchestration.generate.faults import Faults
from orchestration.generate.files import FILE_TYPES, InboxWriter
from orchestration.generate.formats import DateText, draw_styles
from orchestration.generate.fsio import remove_tree
from orchestration.generate.population import Simulation, simulate
from orchestration.generate.registrations import build_registrations, snapshot_rows
from orchestration.generate.registry import read_registry, select
from orchestration.generate.sociale_kaart import SocialeKaart, build_sociale_kaart

MARKER = ".inbeeld-generated"  # hidden: the ingest ignores it; proves we may overwrite
# Markers of earlier generators of this project, also proof that a folder is synthetic.
OTHER_MARKERS = (".inbeeld-synthetic",)
LISTED_PER_1000 = 2.65  # youths on the list per 1000 inhabitants (times the urban factor)
EARLIEST_START = "2000-01"
ROOT_FILES = ("sociale_kaart.csv", "bevolking.csv")  # region-wide, at the inbox root

Progress = Callable[[str, int, int], None]


@dataclass
class GenerateSummary:
    out: Path
    region: str | None
    start: str  # first month, YYYY-MM
    end: str  # last month
    municipalities: int
    months: int
    youths: int  # distinct persons (BSNs) in the inbox
    listed_per_month: int  # average list length over the region, before deliveries
    files: int
    rows: dict[str, int]  # data rows per file type (bad rows included)
    bad_rows: int
    bad_rows_by_kind: dict[str, int]
    jib_missing: int  # municipality-months without a jib.csv
    jib_header_only: int  # jib.csv files with only a header (an export fault)
    scale: float  # 1.0, or the share of the realistic population that fitted the BSN pool
    warnings: list[str] = field(default_factory=list)


def urban_factor(population: np.ndarray) -> np.ndarray:
    """Cities have relatively more youths out of view than villages."""
    return np.where(population >= 100_000, 1.25, np.where(population < 30_000, 0.85, 1.0))


def generate_inbox(
    out: Path,
    *,
    region: str | None = "Zuid-Kennemerland en IJmond",
    national: bool = False,
    months: int = 24,
    start: str | None = None,
    seed: int = 20261122,
    registry_csv: Path | None = None,
    progress: Progress | None = None,
    real_scale: float | None = None,
) -> GenerateSummary:
    """Write a synthetic inbox to `out` and say what is in it.

    `start` defaults to `months` months before the current month, so the last generated
    month is the last closed one. `out` must be absent, empty, or an earlier generated
    inbox (it carries the MARKER file); it is replaced as a whole, never half-written.

    `real_scale` (national only, for the benchmark): that share of the true population
    (1.0 = the country at its real size), with random elfproef-valid BSNs from the whole
    9-digit space instead of the 9999xxxxx test range (bsn.random_valid).
    """
    out = Path(out).expanduser().resolve()
    if months < 1:
        raise ValueError("months must be at least 1")
    first = month_of_date(dt.date.today()) - months if start is None else parse_month(start)
    if first < parse_month(EARLIEST_START):
        raise ValueError(f"start must be {EARLIEST_START} or later")
    if real_scale is not None and not (national and 0 < real_scale <= 1):
        raise ValueError("real_scale is for a national inbox, a share in (0, 1]")
    chosen = select(read_registry(registry_csv), region, national)
    _check_out(out)

    # Children are fixed by their index: the eighth (bevolking.csv) leaves the others as
    # they were.
    seeds = np.random.SeedSequence(seed).spawn(8)
    rng = [np.random.default_rng(s) for s in seeds]
    codes = [m.code for m in chosen]
    population = np.array([m.population for m in chosen])
    target = population / 1000.0 * LISTED_PER_1000 * urban_factor(population)

    kaart = build_sociale_kaart(rng[0])
    pool = valid_pool()
    sim_progress = (lambda d, n: progress("Bevolking simuleren", d, n)) if progress else None

    if real_scale is None:
        scale, sim = _fit_test_range(target, first, months, seeds[1], kaart, pool, sim_progress)
    else:
        scale = real_scale
        sim_rng = np.random.default_rng(seeds[1])
        sim = simulate(target * scale, first, months, sim_rng, kaart.referral, sim_progress)

    cohort = build_cohort(sim, rng[2], target)
    regs = build_registrations(cohort, first, months, rng[3])
    snap = snapshot_rows(regs, cohort, first, months)
    if real_scale is None:  # without replacement: one number per person
        bsn = rng[6].permutation(pool)[: cohort.n]
    else:
        bsn = random_valid(cohort.n, rng[6])
    deliveries = draw_deliveries(months, len(codes), sim.policy.case, rng[4])
    styles = draw_styles(len(codes), rng[4])
    used = [cohort.birth, regs.begin, regs.end[regs.end >= 0], cohort.ev_day]
    dates = DateText(
        min(int(a.min()) for a in used if a.size), max(int(a.max()) for a in used if a.size)
    )
    faults = Faults(rng[5])

    warnings = []
    if scale < 1.0 and real_scale is None:  # in Dutch, like the rest of the CLI's output
        pct = f"{scale:.1%}".replace(".", ",")
        warnings.append(
            f"De BSN-testreeks 9999xxxxx bevat maar {_nl(pool.size)} geldige nummers: de "
            f"populatie is geschaald naar {pct} van de realistische omvang (gemiddeld "
            f"{_nl(len(sim.list_p) / months)} in plaats van {_nl(target.sum())} jongeren per "
            "maand op de lijsten); geen BSN komt twee keer voor."
        )

    tmp = out.parent / f".{out.name}.generating-{os.getpid()}"
    if tmp.exists():
        remove_tree(tmp)
    tmp.mkdir(parents=True)
    try:
        (tmp / "sociale_kaart.csv").write_text(kaart.text, encoding="utf-8", newline="")
        bevolking = build_bevolking(codes, target * scale, first, months, rng[7])
        (tmp / "bevolking.csv").write_text(bevolking, encoding="utf-8", newline="")
        writer = InboxWriter(tmp, codes, styles, first, months, bsn, dates, faults, kaart.ids)
        result = writer.write(cohort, regs, snap, deliveries, progress)
        summary = GenerateSummary(
            out=out,
            region=None if national or region is None else chosen[0].region,
            start=label(first),
            end=label(first + months - 1),
            municipalities=len(codes),
            months=months,
            youths=cohort.n,
            listed_per_month=int(round(len(sim.list_p) / months)),
            files=result.files + 2,  # + sociale_kaart.csv and bevolking.csv
            rows={name: int(result.rows[name]) for name in FILE_TYPES},
            bad_rows=int(sum(faults.counts.values())),
            bad_rows_by_kind=dict(sorted(faults.counts.items())),
            jib_missing=int((~deliveries.jib).sum()),
            jib_header_only=int(deliveries.jib_header_only.sum()),
            scale=round(float(scale), 4),
            warnings=warnings,
        )
        marker = {"generator": "inbeeld generate", "national": national, "seed": seed}
        marker["real_scale"] = real_scale
        marker |= {k: v for k, v in asdict(summary).items() if k != "out"}
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, out)
    finally:
        if tmp.exists():
            remove_tree(tmp)
    return summary


def _fit_test_range(
    target: np.ndarray,
    first: int,
    months: int,
    seed: np.random.SeedSequence,
    kaart: SocialeKaart,
    pool: np.ndarray,
    sim_progress: Callable[[int, int], None] | None,
) -> tuple[float, Simulation]:
    """The population shrunk (same seed each round) until it fills most of the ~9,091
    numbers of the BSN test range: (scale, simulation)."""
    scale = min(1.0, 0.95 * pool.size / _persons_estimate(target.sum(), months))
    for _ in range(12):
        sim_rng = np.random.default_rng(seed)
        sim = simulate(target * scale, first, months, sim_rng, kaart.referral, sim_progress)
        needed = n_persons_needed(sim)
        if needed > pool.size:
            scale *= 0.97 * pool.size / needed
        elif scale < 1.0 and needed < 0.9 * pool.size:
            scale = min(1.0, scale * 0.95 * pool.size / needed)
        else:
            break
    if needed > pool.size:  # pragma: no cover - converges in one to three rounds
        raise RuntimeError("could not fit the population into the BSN test range")
    return scale, sim


def _nl(x: float) -> str:
    """A whole number with the Dutch thousands separator."""
    return f"{x:,.0f}".replace(",", ".")


def _persons_estimate(stock: float, months: int) -> float:
    """Distinct persons a stock needs over `months` (fitted on simulations; errs high)."""
    return stock * (1.1 + 0.08 * months) * 1.05


_GENERATED = re.compile(r"^[0-9]{4}-[0-9]{2}$")


def _check_out(out: Path) -> None:
    """Refuse anything but a missing or empty folder or an earlier generated inbox."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if not out.exists() or not any(out.iterdir()):
        return
    markers = (MARKER, *OTHER_MARKERS)
    if not any((out / m).is_file() for m in markers):
        raise FileExistsError(
            f"{out} is not empty and was not written by `inbeeld generate` (no {MARKER} "
            "file): refusing to overwrite it. Choose an empty or new folder."
        )
    strange = sorted(
        e.name
        for e in out.iterdir()
        if not (e.name in (*markers, *ROOT_FILES) or (_GENERATED.match(e.name) and e.is_dir()))
    )
    if strange:
        raise FileExistsError(
            f"{out} holds files a generated inbox does not ({', '.join(strange[:5])}): "
            "refusing to overwrite it."
        )


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace out by tmp; a reader never sees half an inbox."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        tmp.rename(out)
        remove_tree(old)
    else:
        tmp.rename(out)


__all__ = ["MARKER", "GenerateSummary", "generate_inbox"]
