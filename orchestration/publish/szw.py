"""The SZW quarterly table: per arbeidsmarktregio and complete quarter, the stock at the
quarter's end and the flows within it, from the protected cells (publish/cube.py).

Written to the warehouse as reports.szw_quarterly (cells as published text) and to
publish/szw/szw_kwartaal.csv (`;`-separated, Dutch headers) with a definitions file.

Symbols as CBS uses them: `.` for a value not yet known (`duurzaam` of a quarter whose
placements could not yet be followed for 6 months), `*` after a provisional quarter (one
holding the latest two months of the data).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd

from dashboards import texts as t
from orchestration import vocabulary
from orchestration.publish import cube as c
from orchestration.publish import published_csv
from orchestration.publish.disclosure import PROVISIONAL

COLUMNS: tuple[tuple[str, str], ...] = (
    ("op_de_lijst", "Jongeren op de JIB-lijst in de laatste maand van het kwartaal."),
    (
        "uitgesloten",
        "Daarvan uitgesloten: een registratie overlapt die maand (één jongere kan meer redenen hebben).",
    ),
    ("uitgesloten_buitenland", "Uitgesloten door een registratie buitenland."),
    ("uitgesloten_detentie", "Uitgesloten door een registratie detentie."),
    ("uitgesloten_jongerenloket", "Uitgesloten door een registratie bij het jongerenloket."),
    ("uitgesloten_kvk", "Uitgesloten door een inschrijving bij de KvK."),
    (
        "uitgesloten_rmc",
        "Uitgesloten door een registratie van het RMC (voortijdig schoolverlaten).",
    ),
    (
        "in_beeld_te_brengen",
        "Op de lijst en niet uitgesloten: jongeren die buiten beeld zijn en in beeld te brengen, "
        "laatste maand van het kwartaal.",
    ),
    (
        "persistent",
        f"In beeld te brengen en {t.PERSISTENT_MONTHS} maanden of langer aaneengesloten op de "
        "lijst, laatste maand.",
    ),
    ("in_traject", "Op de lijst en in fase traject, laatste maand van het kwartaal."),
    (
        "benaderd",
        "Jongeren met een brief, tweede brief, huisbezoek, app of verwijzing in het kwartaal.",
    ),
    ("bereikt", "Jongeren met wie in het kwartaal contact was."),
    ("gestart_werk", "Jongeren die in het kwartaal met werk begonnen."),
    ("gestart_opleiding", "Jongeren die in het kwartaal met een opleiding begonnen."),
    (
        "duurzaam",
        f"Jongeren met een start in het kwartaal die na {t.SUSTAINED_MONTHS} maanden standhield "
        "(geen uitval, niet terug op de lijst); `.` zolang de starts van het kwartaal nog geen "
        f"{t.SUSTAINED_MONTHS} maanden te volgen waren.",
    ),
    ("uitstroom_27_jaar", "Van de lijst verdwenen in het kwartaal: 27 jaar geworden."),
    ("uitstroom_werk", "Van de lijst verdwenen: gestart met werk."),
    ("uitstroom_opleiding", "Van de lijst verdwenen: gestart met een opleiding."),
    ("uitstroom_buitenland", "Van de lijst verdwenen: registratie buitenland."),
    ("uitstroom_detentie", "Van de lijst verdwenen: registratie detentie."),
    ("uitstroom_kvk", "Van de lijst verdwenen: inschrijving KvK."),
    ("uitstroom_onbekend", "Van de lijst verdwenen zonder bekende reden."),
    (
        "uitstroom_totaal",
        "Alle keren dat een jongere in het kwartaal van de lijst verdween (som van de redenen).",
    ),
    (
        "trajecten_gestart",
        "Trajecten die in het kwartaal begonnen (een jongere die twee keer begon, telt twee keer).",
    ),
    (
        "pct_naar_werk",
        "Percentage van de trajecten van het kwartaal dat tot werk leidde (de eerste start na het "
        "begin van het traject, tot nu); alleen als beide aantallen getoond worden en er ten "
        "minste k trajecten zijn, anders . of x.",
    ),
    (
        "pct_naar_opleiding",
        "Percentage van de trajecten van het kwartaal dat tot een opleiding leidde (idem).",
    ),
    (
        "pct_duurzaam",
        f"Percentage van de plaatsingen na die trajecten die al {t.SUSTAINED_MONTHS} maanden te "
        "volgen waren en standhielden (idem).",
    ),
)
# How many municipalities of the region delivered each monthly file type for every month
# of the quarter: files, not persons, so outside disclosure control.
DELIVERY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("gemeenten", "Gemeenten van de arbeidsmarktregio (gemeenteregister)."),
    *(
        (
            f"gemeenten_leverden_{source}",
            f"Gemeenten die elke maand van het kwartaal een geldig bestand {source} leverden "
            f"({label}).",
        )
        for source, label in vocabulary.source_labels().items()
        if source in vocabulary.monthly_sources()
    ),
)
RATES = {
    "pct_naar_werk": ("werk", "gestart"),
    "pct_naar_opleiding": ("opleiding", "gestart"),
    "pct_duurzaam": ("duurzaam", "gevolgd"),
}
HEADER = (
    "arbeidsmarktregio_code",
    "arbeidsmarktregio",
    "kwartaal",
    *(name for name, _ in COLUMNS),
    *(name for name, _ in DELIVERY_COLUMNS),
)


def _cell(quarter: c.Quarter, column: str) -> tuple:
    if column in c.SZW_STOCKS:
        return ("rm", "TOTAAL", quarter.end_month, c.SZW_STOCKS[column])
    return ("szw", quarter.label, column)


def _shown(cb: c.RegionCube, quarter: c.Quarter, column: str) -> str:
    """The published symbol: the count, `<k`, `x`, or `.` (e.g. 'duurzaam' too early); a
    rate as a whole percentage or its mark (RegionCube.show_rate)."""
    if column == "trajecten_gestart":
        return str(cb.show(("traject", "TOTAAL", quarter.label, "gestart")))
    if column in RATES:
        part, whole = (("traject", "TOTAAL", quarter.label, m) for m in RATES[column])
        return cb.show_rate(part, whole).rstrip("%")
    return str(cb.show(_cell(quarter, column)))


def _delivered(cb: c.RegionCube, quarter: c.Quarter, done: dict[str, set]) -> list[str]:
    """Per monthly file type the municipalities that delivered it every month of the
    quarter, after the number of municipalities of the region. done: per source the
    (gemeentecode, month) it was delivered in (_delivered_months)."""
    months = {m for m in cb.months if c._quarter_of(m) == quarter.start}
    codes = {d.gemeentecode for d in cb.deliveries}
    out = [str(len(codes))]
    for name, _ in DELIVERY_COLUMNS[1:]:
        got = done.get(name.removeprefix("gemeenten_leverden_"), set())
        out.append(str(sum(all((g, m) in got for m in months) for g in codes)))
    return out


def _delivered_months(cb: c.RegionCube) -> dict[str, set]:
    """Once per region, not per quarter and file type (the country's 11,200 scans of
    every delivery were 3 s of the monthly run)."""
    done: dict[str, set] = defaultdict(set)
    for d in cb.deliveries:
        if d.status == "geleverd":
            done[d.source].add((d.gemeentecode, d.month))
    return done


def quarter_label(cb: c.RegionCube, quarter: c.Quarter) -> str:
    """2026-K1, with `*` when the quarter holds a provisional month."""
    provisional = any(c._quarter_of(m) == quarter.start for m in cb.provisional)
    return quarter.label + (PROVISIONAL if provisional else "")


def rows(cubes: list[c.RegionCube]) -> list[list[str]]:
    out = []
    for cb in cubes:
        done = _delivered_months(cb)
        for q in cb.szw_quarters:
            out.append(
                [
                    cb.region_code,
                    cb.region,
                    quarter_label(cb, q),
                    *(_shown(cb, q, col) for col, _ in COLUMNS),
                    *_delivered(cb, q, done),
                ]
            )
    return merge_rows([out])


def merge_rows(parts: list[list[list[str]]]) -> list[list[str]]:
    """One table from rows() of each region (built apart, regions.py), in the order rows()
    of all of them gives: by region code, region and quarter."""
    return sorted((r for part in parts for r in part), key=lambda r: (r[0], r[1], r[2]))


def csv_text(table: list[list[str]]) -> str:
    return published_csv.csv_text(HEADER, table)


def definitions_text(k: int) -> str:
    lines = [
        "# SZW-kwartaaltabel jongeren buiten beeld — definities",
        "",
        "Bestand: `szw_kwartaal.csv`, puntkomma-gescheiden, UTF-8, één regel per "
        "arbeidsmarktregio en volledig kwartaal (alle drie maanden geleverd).",
        "Voorraden gelden voor de laatste maand van het kwartaal; stromen tellen unieke "
        "jongeren met zo'n gebeurtenis in het kwartaal (uitstroom telt keren van de lijst).",
        "",
        t.suppression_rule(k),
        "",
        t.SYMBOLS,
        "",
        "| kolom | betekenis |",
        "| --- | --- |",
        "| arbeidsmarktregio_code | de CBS-code van de arbeidsmarktregio, AM01 tot en met AM35 |",
        "| arbeidsmarktregio | de arbeidsmarktregio (wettelijke indeling; gemeenten volgens CBS 1 januari 2025) |",
        "| kwartaal | jaar en kwartaal, bijvoorbeeld 2026-K3; met * erachter voorlopig |",
        *(f"| {name} | {text} |" for name, text in COLUMNS),
        *(f"| {name} | {text} |" for name, text in DELIVERY_COLUMNS),
        "",
        t.SOURCE,
        "",
    ]
    return "\n".join(lines)


def write(cubes: list[c.RegionCube], out_dir: Path, k: int) -> tuple[Path, Path, int]:
    """The published file and its definitions."""
    return write_table(rows(cubes), out_dir, k)


def write_table(table: list[list[str]], out_dir: Path, k: int) -> tuple[Path, Path, int]:
    """write() of a table already built (rows(), or the regions' rows merged by
    merge_rows())."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "szw_kwartaal.csv"
    defs_path = out_dir / "definities.md"
    csv_path.write_text(csv_text(table), encoding="utf-8")
    defs_path.write_text(definitions_text(k), encoding="utf-8")
    return csv_path, defs_path, len(table)


def store(con: duckdb.DuckDBPyConnection, table: list[list[str]]) -> int:
    """reports.szw_quarterly: the protected table (rows() or merge_rows()), cells as
    published (`<k`, `x`, counts)."""
    con.execute("create schema if not exists reports")
    columns = ", ".join(f'"{h}" varchar' for h in HEADER)
    con.execute(f"create or replace table reports.szw_quarterly ({columns})")
    if table:
        # One insert of the whole table: executemany's row-by-row inserts took 2 s.
        frame = pd.DataFrame(table, columns=list(HEADER), dtype=object)
        con.register("szw_rows", frame)
        try:
            con.execute("insert into reports.szw_quarterly select * from szw_rows")
        finally:
            con.unregister("szw_rows")
    return len(table)
