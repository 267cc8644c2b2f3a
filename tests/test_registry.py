"""The municipality registry seed (dbt_project/seeds/gemeenten.csv): CBS division of
1 January 2025 with the 35 arbeidsmarktregio's of the Besluit werkgebieden UWV 2015."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "gemeenten.csv"
REFERENCE = Path(__file__).parents[2] / "shared" / "reference" / "arbeidsmarktregios_2015.csv"
HEADER = ["gemeentecode", "gemeentenaam", "arbeidsmarktregio_nr", "arbeidsmarktregio"]


def _rows() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _reference_regions() -> dict[str, int]:
    """{region name: regio_nr} from the shared 2015 reference list."""
    if not REFERENCE.is_file():
        pytest.skip(f"reference file not present: {REFERENCE}")
    with REFERENCE.open(newline="", encoding="utf-8") as fh:
        return {
            r["arbeidsmarktregio"]: int(r["regio_nr"]) for r in csv.DictReader(fh, delimiter=";")
        }


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def by_code(rows) -> dict[str, dict[str, str]]:
    return {r["gemeentecode"]: r for r in rows}


def test_header(rows):
    with SEED.open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == HEADER
    assert all(None not in r and all(v is not None for v in r.values()) for r in rows)


def test_342_municipalities(rows):
    assert len(rows) == 342


def test_codes_well_formed_unique_and_sorted(rows):
    codes = [r["gemeentecode"] for r in rows]
    assert all(re.fullmatch(r"GM\d{4}", c) for c in codes), [
        c for c in codes if not re.fullmatch(r"GM\d{4}", c)
    ]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)


def test_names_unique_and_clean(rows):
    names = [r["gemeentenaam"] for r in rows]
    assert len(set(names)) == len(names)
    assert all(n and n == n.strip() for n in names)


def test_regions_are_exactly_the_35_reference_regions(rows):
    reference = _reference_regions()
    assert len(reference) == 35
    assert {r["arbeidsmarktregio"] for r in rows} == set(reference)


def test_region_numbers_match_reference(rows):
    reference = _reference_regions()
    for r in rows:
        assert int(r["arbeidsmarktregio_nr"]) == reference[r["arbeidsmarktregio"]], r


def test_one_number_per_region(rows):
    numbers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        numbers[r["arbeidsmarktregio"]].add(r["arbeidsmarktregio_nr"])
    assert all(len(v) == 1 for v in numbers.values())
    assert sorted(int(next(iter(v))) for v in numbers.values()) == list(range(1, 36))


def test_zuid_kennemerland_en_ijmond(rows):
    # Haarlemmerliede en Spaarnwoude went into Haarlemmermeer (Groot Amsterdam) in 2019;
    # Uitgeest moved to Noord-Holland Noord in 2017.
    members = {
        r["gemeentecode"] for r in rows if r["arbeidsmarktregio"] == "Zuid-Kennemerland en IJmond"
    }
    assert members == {"GM0375", "GM0377", "GM0392", "GM0396", "GM0397", "GM0453", "GM0473"}


@pytest.mark.parametrize(
    ("code", "name", "region"),
    [
        ("GM0363", "Amsterdam", "Groot Amsterdam"),  # + Weesp 2022
        ("GM0394", "Haarlemmermeer", "Groot Amsterdam"),  # + Haarlemmerliede 2019
        ("GM0450", "Uitgeest", "Noord-Holland Noord"),
        ("GM1980", "Dijk en Waard", "Noord-Holland Noord"),  # Heerhugowaard + Langedijk 2022
        ("GM0439", "Purmerend", "Zaanstreek/Waterland"),  # + Beemster 2022
        ("GM0385", "Edam-Volendam", "Zaanstreek/Waterland"),  # + Zeevang 2016
        ("GM1942", "Gooise Meren", "Gooi- en Vechtstreek"),  # 2016
        ("GM1966", "Het Hogeland", "Groningen"),  # 2019
        ("GM1969", "Westerkwartier", "Groningen"),  # 2019
        ("GM1952", "Midden-Groningen", "Groningen"),  # 2018
        ("GM1979", "Eemsdelta", "Groningen"),  # 2021
        ("GM1950", "Westerwolde", "Groningen"),  # 2018
        ("GM1900", "Súdwest-Fryslân", "Friesland"),
        ("GM1949", "Waadhoeke", "Friesland"),  # 2018
        ("GM1970", "Noardeast-Fryslân", "Friesland"),  # 2019
        ("GM1940", "De Fryske Marren", "Friesland"),
        ("GM1931", "Krimpenerwaard", "Midden-Holland"),  # 2015
        ("GM1963", "Hoeksche Waard", "Rijnmond"),  # 2019
        ("GM1992", "Voorne aan Zee", "Rijnmond"),  # 2023
        ("GM1978", "Molenlanden", "Gorinchem"),  # 2019
        ("GM1961", "Vijfheerenlanden", "Gorinchem"),  # 2019, cross-region
        ("GM1960", "West Betuwe", "Rivierenland"),  # 2019, cross-region
        ("GM1959", "Altena", "West-Brabant"),  # 2019
        ("GM1948", "Meierijstad", "Noordoost-Brabant"),  # 2017
        ("GM1982", "Land van Cuijk", "Noordoost-Brabant"),  # 2022
        ("GM1991", "Maashorst", "Noordoost-Brabant"),  # 2022
        ("GM1954", "Beekdaelen", "Zuid-Limburg"),  # 2019
        ("GM0299", "Zevenaar", "Midden-Gelderland"),  # + Rijnwaarden 2018
        ("GM1945", "Berg en Dal", "Rijk van Nijmegen"),
        ("GM0575", "Noordwijk", "Holland Rijnland"),  # + Noordwijkerhout 2019
        ("GM0518", "'s-Gravenhage", "Haaglanden"),
        ("GM0796", "'s-Hertogenbosch", "Noordoost-Brabant"),
        ("GM0820", "Nuenen, Gerwen en Nederwetten", "Zuidoost-Brabant"),
        ("GM0893", "Bergen (L.)", "Noord-Limburg"),
        ("GM0373", "Bergen (NH.)", "Noord-Holland Noord"),
    ],
)
def test_spot_checks(by_code, code, name, region):
    row = by_code[code]
    assert (row["gemeentenaam"], row["arbeidsmarktregio"]) == (name, region)


@pytest.mark.parametrize(
    "code",
    [
        "GM0393",  # Haarlemmerliede en Spaarnwoude
        "GM0457",  # Weesp
        "GM0370",  # Beemster
        "GM0398",  # Heerhugowaard
        "GM0416",  # Langedijk
        "GM0501",  # Brielle
        "GM0530",  # Hellevoetsluis
        "GM0614",  # Westvoorne
        "GM0756",  # Boxmeer
        "GM1684",  # Cuijk
        "GM0856",  # Uden
        "GM1685",  # Landerd
        "GM0788",  # Haaren
        "GM0003",  # Appingedam
        "GM0010",  # Delfzijl
        "GM0024",  # Loppersum
    ],
)
def test_merged_away_codes_absent(by_code, code):
    assert code not in by_code
