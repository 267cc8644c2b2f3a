"""bevolking.csv: residents aged 23-26 per municipality and year, as a region exports the
CBS StatLine population table itself (`gemeentecode;jaar;inwoners_23_26`).

The counts follow the list sizes the generator draws (population.py sizes each
municipality's list from its inhabitants): about 8% of the 23-26-year-olds are out of
view, so residents = listed youths / 0.08, with a little drift from year to year. A
scaled-down population (the BSN pool limit) is scaled down here too, so the per-1,000
figures of a generated inbox stay plausible.
"""

from __future__ import annotations

import numpy as np

from orchestration.generate.calendar import label

OUT_OF_VIEW_SHARE = 0.08  # of the residents aged 23-26
YEARLY_DRIFT = 0.015  # standard deviation of the year-on-year change
YEARLY_TREND = 0.003  # the age group grows a little


def build_bevolking(
    codes: list[str], listed: np.ndarray, first: int, months: int, rng: np.random.Generator
) -> str:
    """The file text: one row per municipality and calendar year the months touch.

    listed: the expected list length per municipality (after any scaling), in codes' order.
    """
    years = range(int(label(first)[:4]), int(label(first + months - 1)[:4]) + 1)
    base = np.asarray(listed, dtype=np.float64) / OUT_OF_VIEW_SHARE
    steps = rng.normal(YEARLY_TREND, YEARLY_DRIFT, size=(len(codes), len(years)))
    steps[:, 0] = 0.0  # the first year is the base
    level = base[:, None] * np.exp(np.cumsum(steps, axis=1))
    counts = np.maximum(np.rint(level), 1).astype(np.int64)
    lines = ["gemeentecode;jaar;inwoners_23_26"]
    for i, code in enumerate(codes):
        lines += [f"{code};{year};{counts[i, j]}" for j, year in enumerate(years)]
    return "\n".join(lines) + "\n"
