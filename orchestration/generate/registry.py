"""Which municipalities to generate, and how big each one is."""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_REGISTRY = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "gemeenten.csv"

# Inhabitants (thousands, about 2024) of the largest municipalities and of the default
# region; the registry carries no population, and the list sizes follow these.
KNOWN_POPULATION_K: dict[str, float] = {
    "GM0363": 931,  # Amsterdam
    "GM0599": 670,  # Rotterdam
    "GM0518": 566,  # 's-Gravenhage
    "GM0344": 374,  # Utrecht
    "GM0772": 246,  # Eindhoven
    "GM0014": 243,  # Groningen
    "GM0855": 229,  # Tilburg
    "GM0034": 225,  # Almere
    "GM0758": 188,  # Breda
    "GM0268": 185,  # Nijmegen
    "GM0200": 167,  # Apeldoorn
    "GM0202": 166,  # Arnhem
    "GM0392": 164,  # Haarlem
    "GM0394": 163,  # Haarlemmermeer
    "GM0307": 162,  # Amersfoort
    "GM0153": 161,  # Enschede
    "GM0479": 160,  # Zaanstad
    "GM0796": 160,  # 's-Hertogenbosch
    "GM0193": 133,  # Zwolle
    "GM0546": 128,  # Leiden
    "GM0637": 127,  # Zoetermeer
    "GM0080": 127,  # Leeuwarden
    "GM0935": 122,  # Maastricht
    "GM0228": 122,  # Ede
    "GM0505": 121,  # Dordrecht
    "GM0361": 111,  # Alkmaar
    "GM0503": 106,  # Delft
    "GM0983": 102,  # Venlo
    "GM0453": 69,  # Velsen
    "GM0375": 42,  # Beverwijk
    "GM0396": 40,  # Heemskerk
    "GM0397": 28,  # Heemstede
    "GM0377": 24,  # Bloemendaal
    "GM0473": 17,  # Zandvoort
}


@dataclass(frozen=True)
class Municipality:
    code: str  # GMdddd
    name: str
    region: str
    population: float  # inhabitants


def population_of(code: str) -> float:
    """Known size, else a size fixed by the code (not the seed: a place keeps its size).

    Log-normal around 26k inhabitants, as most Dutch municipalities are small.
    """
    if code in KNOWN_POPULATION_K:
        return KNOWN_POPULATION_K[code] * 1000.0
    u = (zlib.crc32(code.encode("ascii")) % 1_000_003) / 1_000_003
    z = float(np.sqrt(2.0) * _erfinv(2.0 * min(max(u, 1e-6), 1 - 1e-6) - 1.0))
    return float(np.clip(26_000.0 * np.exp(0.7 * z), 1_000.0, 95_000.0))


def _erfinv(y: float) -> float:
    # Winitzki's approximation; plenty for picking a town size.
    a = 0.147
    ln = np.log(1.0 - y * y)
    t = 2.0 / (np.pi * a) + ln / 2.0
    return float(np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t))


def read_registry(path: Path | None = None) -> list[Municipality]:
    path = Path(path) if path is not None else DEFAULT_REGISTRY
    if not path.is_file():
        raise FileNotFoundError(f"municipality registry not found: {path}")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out = [
        Municipality(
            code=r["gemeentecode"].strip().upper(),
            name=r["gemeentenaam"].strip(),
            region=r["arbeidsmarktregio"].strip(),
            population=population_of(r["gemeentecode"].strip().upper()),
        )
        for r in rows
        if r.get("gemeentecode", "").strip()
    ]
    return sorted(out, key=lambda m: m.code)


def select(registry: list[Municipality], region: str | None, national: bool) -> list[Municipality]:
    """The municipalities of one arbeidsmarktregio (name matched case-insensitively), or all."""
    if national or region is None:
        return list(registry)
    regions = sorted({m.region for m in registry})
    wanted = region.strip().casefold()
    chosen = [m for m in registry if m.region.casefold() == wanted]
    if not chosen:
        raise ValueError(
            f"unknown arbeidsmarktregio {region!r}; choose one of: " + "; ".join(regions)
        )
    return chosen
