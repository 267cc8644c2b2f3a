"""The sociale kaart: informal organisations outreach workers refer youths to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TYPES: dict[str, tuple[tuple[str, ...], tuple[float, float, float, float]]] = {
    # type: (name stems, chance of each role bereiken/activeren/plaatsen/behouden)
    "commercieel": (
        ("Uitzendbureau", "Bouwbedrijf", "Schoonmaakbedrijf", "Horecagroep", "Logistiek"),
        (0.2, 0.4, 0.95, 0.6),
    ),
    "sociale_onderneming": (
        ("Leerwerkbedrijf", "Koffiebranderij", "Fietsenwerkplaats", "Kringloop", "Buurtkeuken"),
        (0.5, 0.9, 0.7, 0.8),
    ),
    "interesse_hobby": (
        ("Boksschool", "Voetbalvereniging", "Gamehuis", "Muziekstudio", "Klimcentrum"),
        (0.9, 0.8, 0.05, 0.2),
    ),
    "leef_probleemgebied": (
        ("Buurthuis", "Schuldhulp", "Jongerenwerk", "Inloophuis", "Maatjesproject"),
        (0.95, 0.7, 0.05, 0.4),
    ),
    "cultuur_religie": (
        (
            "Moskee",
            "Kerkgemeenschap",
            "Cultureel Centrum",
            "Theaterwerkplaats",
            "Migrantenvereniging",
        ),
        (0.9, 0.5, 0.05, 0.3),
    ),
}
PLACES = (
    "De Ark", "Noord", "Zuid", "Oost", "West", "Het Anker", "De Brug", "Spaarne", "Kennemer",
    "Duinzicht", "De Haven", "Centrum", "De Linde", "Zeewijk", "Schalkwijk", "De Vonk",
    "Het Baken", "De Meent", "Zuiderpolder", "Het Kompas", "De Schakel", "IJmond",
)  # fmt: skip
ROLES = ("bereiken", "activeren", "plaatsen", "behouden")


@dataclass
class SocialeKaart:
    ids: list[str]
    text: str  # the file content
    referral: np.ndarray  # indices of organisations a youth can be referred to


def build_sociale_kaart(rng: np.random.Generator) -> SocialeKaart:
    n = int(rng.integers(20, 41))
    types = list(TYPES)
    names = [(t, stem, place) for t in types for stem in TYPES[t][0] for place in PLACES]
    chosen = rng.choice(len(names), size=n, replace=False)
    yes, no = ("ja", "nee") if rng.random() < 0.3 else ("true", "false")
    lines = ["organisatie_id;naam;type;" + ";".join(ROLES)]
    ids, referral = [], []
    for i, j in enumerate(chosen.tolist()):  # drawn order: types mixed, as on a real map
        kind, stem, place = names[j]
        roles = rng.random(4) < np.array(TYPES[kind][1])
        org_id = f"ORG-{i + 1:03d}"
        ids.append(org_id)
        if roles[0] or roles[1]:  # referrals go where a youth can be reached or activated
            referral.append(i)
        flags = ";".join(yes if r else no for r in roles)
        lines.append(f"{org_id};{stem} {place};{kind};{flags}")
    return SocialeKaart(
        ids=ids, text="\n".join(lines) + "\n", referral=np.array(referral, dtype=np.int32)
    )
