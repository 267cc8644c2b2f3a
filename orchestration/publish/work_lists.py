"""Outreach work lists per municipality (person-level, owner-only, never under publish/),
and their re-identification with BSNs (SPEC §2 `inbeeld reidentify`)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

import duckdb

from orchestration import settings, vocabulary
from orchestration.core.bsn import Pseudonymiser, elfproef, normalise_bsn
from orchestration.ingest.reader import FileFault, check_header, column, parse
from orchestration.sql import statements

COLUMNS = (
    "pseudo_id",
    "geboortedatum",
    "prioriteit",
    "prioriteit_reden",
    "fase",
    "maanden_aaneengesloten",
    "uitsluitingsredenen",
    "trede",
)

EXPLANATION = """\
# Werklijst {gemeentecode} — {month}

Alle jongeren die in {month} op de JIB-lijst van deze gemeente staan, gesorteerd op
prioriteit (A, B, C, daarna zonder prioriteit) en het aantal maanden aaneengesloten.

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

Bezwaar en weigering gaan voor, ook als ze later zijn geleverd of gedateerd dan
{month}:

- Een jongere die bezwaar heeft gemaakt staat nooit op deze lijst, ongeacht de datum
  van het bezwaar of de maand waarin het is geleverd.
- Een weigering gaat direct in, in welke maand die ook is geleverd: de jongere staat
  hier met fase geweigerd en zonder prioriteit, en de rustperiode begint meteen.
  Alleen een latere gebeurtenis die de fase verandert (bijvoorbeeld contact na de
  weigering) heft dat op.

Dit bestand bevat persoonsgegevens (pseudoniemen). Alleen voor de eigen
jongerenwerkers; niet doorsturen. BSN's alleen via `inbeeld reidentify`.
"""

SQL = statements("work_lists")


def explanation(gemeentecode: str, month: str) -> str:
    """toelichting.md, with the thresholds and code lists the rules use now."""
    return EXPLANATION.format(
        gemeentecode=gemeentecode,
        month=month,
        persistent=settings.dbt_var("persistent_months"),
        quiet=settings.dbt_var("declined_quiet_months"),
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


def write_work_lists(con: duckdb.DuckDBPyConnection, exports: Path) -> dict[str, int]:
    """exports/<gemeentecode>/werklijst.csv and toelichting.md; returns rows per municipality."""
    rows = con.execute(SQL["work_list"], {"gemeente": None}).fetchall()
    by_gm: dict[str, list[tuple]] = {}
    for r in rows:
        by_gm.setdefault(r[0], []).append(r)
    _private_dir(exports)
    for gm, items in by_gm.items():
        folder = _private_dir(exports / gm)
        _write_private(folder / "werklijst.csv", _csv([r[2:10] for r in items], COLUMNS))
        _write_private(folder / "toelichting.md", explanation(gm, items[0][1]))
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
    rows = [
        r for r in con.execute(SQL["work_list"], {"gemeente": gemeentecode}).fetchall() if not r[10]
    ]
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
    out_rows = [(by_pid[r[2]], r[3], r[4], r[5] or "", r[6]) for r in rows if r[2] in by_pid]
    folder = _private_dir(exports / gemeentecode)
    target = folder / "werklijst_bsn.csv"
    _write_private(
        target, _csv(out_rows, ("bsn", "geboortedatum", "prioriteit", "prioriteit_reden", "fase"))
    )
    return target, len(out_rows)
