"""The persons who appear in the inbox, renumbered 0..n-1, each to get one test BSN.

The simulation also holds youths who were only listed during the burn-in; they never
appear in a file, so they take no BSN. Registration sources also hold youths who are
never on a list (the RMC or the jongerenloket knows many more young people): those
are added here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generate.calendar import days_in, first_day
from orchestration.generate.population import AGE_23, AGE_27, Simulation

EXTRA_SHARE = 0.12  # never-listed youths in registration files, per listed youth
EXTRA_VSO = 0.05
CASE_HISTORY = 18  # months of case history before the first generated month


@dataclass
class Cohort:
    n: int
    n_listed: int  # persons 0..n_listed-1 are listed at least once; the rest never
    eff: np.ndarray
    birth: np.ndarray
    vso: np.ndarray
    gem: np.ndarray  # (n, months) municipality per generated month
    list_p: np.ndarray
    list_t: np.ndarray
    list_g: np.ndarray
    ev_p: np.ndarray
    ev_t: np.ndarray
    ev_day: np.ndarray
    ev_code: np.ndarray
    ev_value: np.ndarray
    ev_g: np.ndarray
    reg_p: np.ndarray
    reg_src: np.ndarray
    reg_begin: np.ndarray
    reg_end: np.ndarray


def n_persons_needed(sim: Simulation) -> int:
    n_listed = np.unique(sim.list_p).size
    return n_listed + int(round(EXTRA_SHARE * n_listed))


def build_cohort(sim: Simulation, rng: np.random.Generator, weights: np.ndarray) -> Cohort:
    listed = np.unique(sim.list_p)  # ascending: a stable order for the BSN draw
    n_listed = listed.size
    n_extra = int(round(EXTRA_SHARE * n_listed))
    row = np.full(sim.n, -1, dtype=np.int64)
    row[listed] = np.arange(n_listed)

    # Never-listed youths: aged 23-27 at some point of the generated months.
    extra_eff = (
        sim.start
        + rng.integers(0, max(sim.months, 1), n_extra)
        - rng.integers(AGE_23, AGE_27, n_extra)
    )
    extra_birth = (
        first_day(extra_eff - 1)
        + 1
        + (rng.random(n_extra) * days_in(extra_eff - 1)).astype(np.int64)
    )
    cdf = np.cumsum(weights) / weights.sum()
    extra_gem = np.minimum(
        np.searchsorted(cdf, rng.random(n_extra), side="right"), weights.size - 1
    ).astype(np.int32)

    gem = np.concatenate(
        [sim.gem_history(listed), np.repeat(extra_gem[:, None], sim.months, axis=1)]
    )

    keep_ev = (row[sim.ev_p] >= 0) & (sim.ev_t >= -CASE_HISTORY)
    keep_reg = row[sim.reg_p] >= 0
    return Cohort(
        n=n_listed + n_extra,
        n_listed=n_listed,
        eff=np.concatenate([sim.eff[listed], extra_eff]),
        birth=np.concatenate([sim.birth[listed], extra_birth]),
        vso=np.concatenate([sim.vso[listed], rng.random(n_extra) < EXTRA_VSO]),
        gem=gem,
        list_p=row[sim.list_p],
        list_t=sim.list_t,
        list_g=sim.list_g,
        ev_p=row[sim.ev_p[keep_ev]],
        ev_t=sim.ev_t[keep_ev],
        ev_day=sim.ev_day[keep_ev],
        ev_code=sim.ev_code[keep_ev],
        ev_value=sim.ev_value[keep_ev],
        ev_g=sim.ev_g[keep_ev],
        reg_p=row[sim.reg_p[keep_reg]],
        reg_src=sim.reg_src[keep_reg],
        reg_begin=sim.reg_begin[keep_reg],
        reg_end=sim.reg_end[keep_reg],
    )
