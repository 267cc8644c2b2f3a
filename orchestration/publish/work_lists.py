"""Outreach work lists per municipality (person-level, owner-only, never under publish/),
and their re-identification with BSNs (SPEC §2 `inbeeld reidentify`)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path

import duckdb

from orchestration import settings, vocabulary
from orchestration.atomic import REIDENTIFIED, REIDENTIFIED_MAX_AGE, remove_reidentified
from orchestration.core.bsn import Pseudonymiser, elfproef, normalise_bsn
from orchestration.ingest.reader import FileFault, check_header, column, parse
from orchestration.sql import statements

# The file's columns (Dutch, as the outreach worker reads them) and the query's column
# each one comes from (sql/work_lists.sql, marts.werklijst).
COLUMNS = {
    "pseudo_id": "pseudo_id",
    "geboortedatum": "geboortedatum",
    "prioriteit": "priority",
    "prioriteit_reden": "priority_reason",
    "fase": "stage",
    "maanden_aaneengesloten": "consecutive_months",
    "uitsluitingsredenen": "exclusion_reasons",
    "trede": "trede",
    "wordt_27_op": "turns_27_on",
    "laatste_actie": "latest_action",
    "laatste_actie_datum": "latest_action_date",
    "kanaal": "channel",
    "aantal_brieven": "letters",
    "rust_tot": "quiet_until",
    "volgende_stap": "next_step",
}

EXPLANATION = """\
# Werklijst {gemeentecode} — {month}

Alle jongeren die in {month} op de JIB-lijst van deze gemeente staan, één regel per
jongere, gesorteerd op prioriteit (A, B, C, daarna zonder prioriteit) en daarbinnen op
het aantal maanden aaneengesloten op de lijst (langst eerst).

## Prioriteit

Prioriteit geldt voor jongeren die niet zijn uitgesloten en nog niet bereikt zijn (fase
niet_benaderd of benaderd, op welke manier ook benaderd):

- **A** — {persistent} of meer maanden aaneengesloten op de lijst én ten minste één van:
  - `bijna_27`: wordt binnen zes maanden 27 en valt dan buiten de doelgroep;
  - `terugkeer`: staat voor de tweede keer (of vaker) op de lijst;
  - `vso_pro`: heeft voortgezet speciaal of praktijkonderwijs gevolgd.
- **B** — {persistent} of meer maanden aaneengesloten op de lijst, zonder een van die redenen.
- **C** — korter dan {persistent} maanden op de lijst.

Zonder prioriteit: uitgesloten (zie uitsluitingsredenen: {exclusion_sources}), al
bereikt, in intake of traject, uitgestroomd of geweigerd.
Een jongere die contact weigerde krijgt na {quiet} maanden rust weer de fase
niet_benaderd, maar komt nooit op de werklijst met BSN.

## Kolommen

| kolom | betekenis |
| --- | --- |
| `pseudo_id` | pseudoniem van de jongere (nooit het BSN) |
| `geboortedatum` | geboortedatum volgens de lijst van {month} |
| `prioriteit` | A, B of C (zie hierboven); leeg zonder prioriteit |
| `prioriteit_reden` | alleen bij A: `bijna_27`, `terugkeer`, `vso_pro` (alfabetisch, met komma's) |
| `fase` | niet_benaderd, benaderd, bereikt, intake, traject, uitgestroomd_opleiding, uitgestroomd_werk of geweigerd |
| `maanden_aaneengesloten` | maanden op de lijst in de huidige periode, tot en met {month} |
| `uitsluitingsredenen` | de registraties waardoor de jongere is uitgesloten; leeg als die er niet zijn |
| `trede` | trede op de participatieladder (1 t/m 6) van de laatste trede-datum; leeg als die er niet is |
| `wordt_27_op` | de dag waarop de jongere 27 wordt en buiten de doelgroep valt (29 februari: 28 februari) |
| `laatste_actie` | de laatste gebeurtenis uit de begeleiding, ook een die na {month} is gedateerd |
| `laatste_actie_datum` | de datum van die gebeurtenis |
| `kanaal` | hoe de jongere het laatst is benaderd (brief, tweede_brief, huisbezoek, whatsapp, verwijzing), sinds het begin van de huidige benadering |
| `aantal_brieven` | brieven (`brief` en `tweede_brief`) sinds het begin van de huidige benadering |
| `rust_tot` | alleen bij wie contact weigerde: het einde van de rustperiode, de eerste dag van de maand van de laatste weigering plus {quiet} maanden; vanaf die dag mag de jongere weer benaderd worden (een datum in het verleden: de rust is voorbij) |
| `volgende_stap` | de volgende stap volgens de regel hieronder; leeg zonder prioriteit of als een latere gebeurtenis de jongere al bereikte |

De huidige benadering begint na de laatste weigering (na de rust begint de benadering
opnieuw met een brief) of bij een nieuwe periode op de lijst na uitstroom naar werk of
opleiding; brieven van daarvoor tellen niet mee.

## De volgende stap

Voor een jongere met prioriteit geldt de eerste regel die past:

1. wordt binnen {almost_27} maanden na de peildatum van {month} 27 en heeft in de huidige
   benadering nog geen huisbezoek gehad → `huisbezoek` (geen tijd voor brieven);
2. de laatste benadering is minder dan {wait} dagen oud → `afwachten` (de jongere krijgt
   tijd om te reageren);
3. nog geen brief of WhatsApp-bericht → `brief`;
4. één brief of WhatsApp-bericht zonder antwoord → `tweede_brief_of_whatsapp`;
5. twee of meer brieven of WhatsApp-berichten zonder antwoord, nog geen huisbezoek →
   `huisbezoek`;
6. ook na een huisbezoek geen antwoord → `teamoverleg` (bespreek de jongere in het team).

De {wait} dagen zijn geteld tot {reference}: de datum van de nieuwste gebeurtenis van deze
gemeente die in {month} valt, of de peildatum (de eerste dag van {month}) als er geen is.
Wat na die datum gebeurde staat wel in de kolommen hierboven, maar een benadering van na
die datum geeft `afwachten`.
De drempels ({wait} dagen, {almost_27} maanden, {quiet} maanden rust) staan in
`dbt_project/dbt_project.yml` (`approach_wait_days`, `almost_27_months`,
`declined_quiet_months`).

## Bezwaar en weigering gaan voor

Bezwaar en weigering gaan voor, ook als ze later zijn geleverd of gedateerd dan
{month}:

- Een jongere die bezwaar heeft gemaakt staat nooit op deze lijst, ongeacht de datum
  van het bezwaar of de maand waarin het is geleverd.
- Een weigering gaat direct in, in welke maand die ook is geleverd: de jongere staat
  hier met fase geweigerd en zonder prioriteit, en de rustperiode begint meteen.
  Alleen een latere gebeurtenis die de fase verandert (bijvoorbeeld contact na de
  weigering) heft dat op.

## Persoonsgegevens

Dit bestand bevat persoonsgegevens (pseudoniemen). Alleen voor de eigen
jongerenwerkers; niet doorsturen. BSN's alleen via `inbeeld reidentify`: dat schrijft
`werklijst_bsn.csv` naast dit bestand, alleen voor jongeren met prioriteit en nooit voor
wie bezwaar maakte of weigerde. `werklijst_bsn.csv` wordt verwijderd bij de volgende
run of na {bsn_days} dagen, wat het eerst komt.
"""

SQL = statements("work_lists")


def explanation(gemeentecode: str, month: str, reference: dt.date | None = None) -> str:
    """toelichting.md, with the thresholds and code lists the rules use now."""
    return EXPLANATION.format(
        gemeentecode=gemeentecode,
        month=month,
        persistent=settings.dbt_var("persistent_months"),
        quiet=settings.dbt_var("declined_quiet_months"),
        wait=settings.dbt_var("approach_wait_days"),
        almost_27=settings.dbt_var("almost_27_months"),
        reference=f"{reference:%Y-%m-%d}" if reference else "de peildatum",
        bsn_days=REIDENTIFIED_MAX_AGE.days,
        exclusion_sources=", ".join(vocabulary.exclusion_sources()),
    )


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _csv(rows: list[tuple], header: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


def _work_list(con: duckdb.DuckDBPyConnection, gemeente: str | None) -> list[dict]:
    cursor = con.execute(SQL["work_list"], {"gemeente": gemeente})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write_work_lists(con: duckdb.DuckDBPyConnection, exports: Path) -> dict[str, int]:
    """exports/<gemeentecode>/werklijst.csv and toelichting.md; returns rows per municipality."""
    by_gm: dict[str, list[dict]] = {}
    for row in _work_list(con, None):
        by_gm.setdefault(row["gemeentecode"], []).append(row)
    _private_dir(exports)
    for gm, items in by_gm.items():
        folder = _private_dir(exports / gm)
        rows = [tuple(r[c] for c in COLUMNS.values()) for r in items]
        _write_private(folder / "werklijst.csv", _csv(rows, tuple(COLUMNS)))
        first = items[0]
        _write_private(
            folder / "toelichting.md", explanation(gm, first["month"], first["reference_date"])
        )
    return {gm: len(items) for gm, items in by_gm.items()}


class ReidentifyError(RuntimeError):
    pass


def reidentify(
    con: duckdb.DuckDBPyConnection,
    gemeentecode: str,
    inbox: Path,
    exports: Path,
    pseudonymise: Pseudonymiser,
) -> tuple[Path, int]:
    """exports/<gm>/werklijst_bsn.csv: BSNs of the youths with a priority, never of youths
    who declined or objected, read back from the loaded jib.csv (its sha256 must match)."""
    rows = [r for r in _work_list(con, gemeentecode) if not r["declined_or_objected"]]
    month = con.execute(SQL["latest_month"]).fetchone()[0]
    version = con.execute(SQL["list_in_effect"], [gemeentecode, month]).fetchone()
    if version is None:
        raise ReidentifyError(
            f"Geen ingelezen jib.csv van {gemeentecode} voor {month:%Y-%m}; draai eerst `inbeeld run`."
        )
    path, sha = version
    source = inbox / path
    if not source.is_file():
        raise ReidentifyError(f"{source} ontbreekt in de inbox; zet het geleverde bestand terug.")
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha:
        raise ReidentifyError(
            f"{path} is gewijzigd sinds het laden (sha256 wijkt af). Draai eerst `inbeeld run` "
            "zodat werklijst en bestand bij elkaar horen."
        )
    parsed = parse(data)
    positions = (
        None
        if isinstance(parsed, FileFault)
        else check_header(parsed, ("bsn", "geboortedatum"), ())
    )
    if isinstance(parsed, FileFault) or isinstance(positions, FileFault):
        raise ReidentifyError(f"{path} kan niet opnieuw gelezen worden.")
    by_pid: dict[str, str] = {}
    for raw in column(parsed, positions["bsn"]):
        bsn9 = normalise_bsn(raw)
        if bsn9 and elfproef(bsn9):
            by_pid.setdefault(pseudonymise(bsn9), bsn9)
    out_rows = [
        (by_pid[pid], r["geboortedatum"], r["priority"], r["priority_reason"] or "", r["stage"])
        for r in rows
        if (pid := r["pseudo_id"]) in by_pid
    ]
    # Whatever else is past its lifetime goes now too, also when no run or sensor came.
    remove_reidentified(exports, older_than=REIDENTIFIED_MAX_AGE)
    folder = _private_dir(exports / gemeentecode)
    target = folder / REIDENTIFIED
    _write_private(
        target, _csv(out_rows, ("bsn", "geboortedatum", "prioriteit", "prioriteit_reden", "fase"))
    )
    return target, len(out_rows)
