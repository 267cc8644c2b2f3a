"""Writing the inbox: one folder per month and municipality, in each municipality's own
export style, with a sprinkling of the faults real exports have."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.synthetic.bsn_pool import invalid_lookalikes

SOCIALE_KAART_TYPES = (
    "commercieel",
    "sociale_onderneming",
    "interesse_hobby",
    "leef_probleemgebied",
    "cultuur_religie",
)
ORG_NAMES = (
    "Buurthuis",
    "Boksschool",
    "Stichting Jong",
    "Moskee-jongerenwerk",
    "Kerk in de wijk",
    "Leerwerkbedrijf",
    "Voetbalvereniging",
    "Muziekschool",
    "Kringloop",
    "Repair Café",
)


@dataclass
class Style:
    """How one municipality's systems export: delimiter, dates, BOM, line ends."""

    windows: bool

    @property
    def sep(self) -> str:
        return "," if self.windows else ";"

    @property
    def newline(self) -> str:
        return "\r\n" if self.windows else "\n"

    def date(self, s: pd.Series) -> pd.Series:
        if s.empty:
            return s.astype(str)
        fmt = "%d-%m-%Y" if self.windows else "%Y-%m-%d"
        return s.dt.strftime(fmt).fillna("")

    def write(self, path: Path, header: list[str], columns: list[pd.Series]) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [self.sep.join(header)]
        if columns and len(columns[0]):
            body = columns[0].astype(str)
            for c in columns[1:]:
                body = body + self.sep + c.astype(str)
            lines.extend(body.tolist())
        text = self.newline.join(lines) + self.newline
        path.write_bytes(("\ufeff" if self.windows else "").encode() + text.encode("utf-8"))
        return len(lines) - 1


@dataclass
class Faults:
    rate: float
    rng: np.random.Generator
    injected: int = 0

    def pick(self, n: int) -> np.ndarray:
        mask = self.rng.random(n) < self.rate
        self.injected += int(mask.sum())
        return mask

    def bsns(self, values: pd.Series) -> pd.Series:
        mask = self.pick(len(values))
        if mask.any():
            values = values.copy()
            values[mask] = invalid_lookalikes(self.rng, int(mask.sum()))
        return values


def sociale_kaart(path: Path, rng: np.random.Generator, n: int = 30) -> int:
    roles = rng.random((n, 4)) < np.array([0.7, 0.5, 0.3, 0.3])
    yes = np.where(roles, "ja", "nee")
    header = ["organisatie_id", "naam", "type", "bereiken", "activeren", "plaatsen", "behouden"]
    rows = [
        ";".join(
            [
                f"ORG-{i + 1:03d}",
                f"{ORG_NAMES[i % len(ORG_NAMES)]} {i + 1}",
                SOCIALE_KAART_TYPES[int(rng.integers(len(SOCIALE_KAART_TYPES)))],
                *yes[i],
            ]
        )
        for i in range(n)
    ]
    path.write_text(";".join(header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return n
