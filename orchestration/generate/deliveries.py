"""Which municipality delivers which file in which month.

Real deliveries are irregular: a month is skipped now and then (usually the whole
folder, sometimes only the list), an export comes out header-only, some sources are
never delivered by some municipalities, and case systems either export their whole
history every month or only what is new since the last delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generate.population import SOURCES

P_SKIP = 0.025  # municipality-months without a jib.csv
P_SKIP_WHOLE_FOLDER = 0.7  # of those: nothing at all that month
P_HEADER_ONLY = 0.003  # a jib.csv with only its header: an export fault
P_NEVER = {"vso_pro": 0.25}  # sources some municipalities never deliver
P_NEVER_DEFAULT = 0.12
P_CASE_MONTHLY = 0.9  # a municipality with a case system delivers most months
P_CUMULATIVE = 0.55  # case systems that export the whole history each month


@dataclass
class Deliveries:
    folder_missing: np.ndarray  # (months, municipalities) bool
    jib: np.ndarray  # a jib.csv is written
    jib_header_only: np.ndarray
    source: dict[str, np.ndarray]  # registration source -> delivered
    begeleiding: np.ndarray
    cumulative: np.ndarray  # (municipalities,) case history export kind


def draw_deliveries(
    months: int, n_gem: int, has_case: np.ndarray, rng: np.random.Generator
) -> Deliveries:
    shape = (months, n_gem)
    skip = rng.random(shape) < P_SKIP
    folder_missing = skip & (rng.random(shape) < P_SKIP_WHOLE_FOLDER)
    jib = ~skip
    header_only = jib & (rng.random(shape) < P_HEADER_ONLY)
    source = {}
    for name in SOURCES:
        never = rng.random(n_gem) < P_NEVER.get(name, P_NEVER_DEFAULT)
        monthly = rng.uniform(0.75, 0.98, n_gem)
        source[name] = ~never[None, :] & (rng.random(shape) < monthly[None, :]) & ~folder_missing
    begeleiding = has_case[None, :] & (rng.random(shape) < P_CASE_MONTHLY) & ~folder_missing
    return Deliveries(
        folder_missing=folder_missing,
        jib=jib,
        jib_header_only=header_only,
        source=source,
        begeleiding=begeleiding,
        cumulative=rng.random(n_gem) < P_CUMULATIVE,
    )
