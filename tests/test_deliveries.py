"""Delivery completeness (publish/<regio>/leveringen.csv, reports.delivery_status): a
generated region of five months run through the real `inbeeld run`, after the test took
Haarlem's May list away, made Velsen's March RMC file unreadable (rejected), cut Velsen's
April list to its header (an export fault after a full list: not a delivery) and removed
every begeleiding file of Heemskerk. leveringen.csv must say so row for row, agree with
audit.loads, and the page must name the missing month and the missing source."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import inbeeld, run_env

SOURCES = ("jib", "kvk", "rmc", "jongerenloket", "buitenland", "detentie", "vso_pro", "begeleiding")
REGION = "zuid-kennemerland-en-ijmond"
HAARLEM, VELSEN, HEEMSKERK = "GM0392", "GM0453", "GM0396"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    from orchestration.generate import generate_inbox
    from orchestration.ingest.inbox import normalise_name

    root = tmp_path_factory.mktemp("deliveries")
    inbox = root / "inbox"
    generate_inbox(inbox, months=len(MONTHS), start=MONTHS[0], seed=4242)

    def files(month: str, gemeente: str) -> dict[str, Path]:
        folder = inbox / month / gemeente
        out = {}
        for p in folder.glob("*") if folder.is_dir() else []:
            name = normalise_name(p.name)
            out[name.removesuffix(".csv")] = p
        return out

    # A missing list: Haarlem's May 2026 JIB list (the other municipalities delivered).
    files("2026-05", HAARLEM)["jib"].unlink()
    # A rejected file: Velsen's March RMC file, not UTF-8.
    rmc = files("2026-03", VELSEN).get("rmc") or inbox / "2026-03" / VELSEN / "rmc.csv"
    rmc.parent.mkdir(parents=True, exist_ok=True)
    rmc.write_bytes(b"bsn;datum\n\xe9\xff kapot\n")
    # An empty export after a full list: Velsen's April list, header only.
    jib = files("2026-04", VELSEN)["jib"]
    jib.write_text(jib.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    # A source never delivered: no begeleiding file of Heemskerk in any month.
    for m in MONTHS:
        if p := files(m, HEEMSKERK).get("begeleiding"):
            p.unlink()

    # What the inbox now holds, per (month, gemeente, file type).
    expected: dict[tuple[str, str, str], tuple[str, str]] = {}
    gemeenten = ("GM0375", "GM0377", HAARLEM, HEEMSKERK, "GM0397", VELSEN, "GM0473")
    for m in MONTHS:
        for g in gemeenten:
            present = files(m, g)
            for s in SOURCES:
                expected[(m, g, s)] = ("geleverd", "") if s in present else ("ontbreekt", "")
    expected[("2026-03", VELSEN, "rmc")] = ("afgekeurd", "not_utf8")
    expected[("2026-04", VELSEN, "jib")] = ("afgekeurd", "header_only_after_full")

    env = run_env(root)
    result = inbeeld("run", "--inbox", str(inbox), env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {
        "expected": expected,
        "warehouse": root / "w.duckdb",
        "region": root / "publish" / REGION,
    }


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_leveringen_csv_says_what_the_inbox_held_row_for_row(run):
    path = run["region"] / "leveringen.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "maand;gemeentecode;gemeente;bron;status;reden"
    rows = _read(path)
    # One row for every month x municipality of the region x file type, nothing else.
    assert len(rows) == len(MONTHS) * 7 * len(SOURCES) == len(run["expected"])
    got = {(r["maand"], r["gemeentecode"], r["bron"]): (r["status"], r["reden"]) for r in rows}
    assert len(got) == len(rows)
    assert got == run["expected"]
    assert got[("2026-05", HAARLEM, "jib")] == ("ontbreekt", "")
    assert got[("2026-03", VELSEN, "rmc")] == ("afgekeurd", "not_utf8")
    assert all(got[(m, HEEMSKERK, "begeleiding")] == ("ontbreekt", "") for m in MONTHS)
    names = {r["gemeentecode"]: r["gemeente"] for r in rows}
    assert names[HAARLEM] == "Haarlem" and names[HEEMSKERK] == "Heemskerk"
    # Sorted by month, municipality and file type in the order of the inbox.
    order = [(r["maand"], r["gemeentecode"], SOURCES.index(r["bron"])) for r in rows]
    assert order == sorted(order)
    counts = Counter(r["status"] for r in rows)
    assert counts["afgekeurd"] == 2 and counts["ontbreekt"] >= len(MONTHS) + 1


def test_leveringen_csv_agrees_with_audit_loads(run):
    rows = _read(run["region"] / "leveringen.csv")
    with duckdb.connect(str(run["warehouse"]), read_only=True) as con:
        loads = con.execute(
            "select strftime(month, '%Y-%m'), gemeentecode, source, status, reason, is_current, "
            "rows_in from audit.loads where month is not null and gemeentecode is not null"
        ).fetchall()
        table = con.execute(
            "select count(*) from reports.delivery_status where arbeidsmarktregio = "
            "'Zuid-Kennemerland en IJmond'"
        ).fetchone()[0]
    assert table == len(rows)
    loaded = {
        (m, g, s) for m, g, s, status, _, current, _ in loads if status == "loaded" and current
    }
    rejected = {(m, g, s): why for m, g, s, status, why, _, _ in loads if status == "rejected"}
    empty = {(m, g, s) for m, g, s, status, _, current, n in loads if current and n == 0}
    for r in rows:
        slot = (r["maand"], r["gemeentecode"], r["bron"])
        if r["status"] == "geleverd":
            assert slot in loaded, slot
        elif r["reden"] == "header_only_after_full":
            assert slot in loaded and slot in empty and r["bron"] == "jib", slot
        elif r["status"] == "afgekeurd":
            assert slot not in loaded and rejected[slot] == r["reden"], slot
        else:
            assert slot not in loaded and slot not in rejected, slot


def test_the_page_names_the_missing_month_and_the_missing_source(run):
    page = (run["region"] / "index.html").read_text(encoding="utf-8")
    # 'mei 2026: Haarlem geen lijst' (other municipalities of that month may be named too).
    assert re.search(
        r"mei 2026: ([A-Z][a-z]+ (geen lijst|lijst afgekeurd), )*Haarlem geen lijst", page
    )
    assert 'id="sectie-leveringen"' in page and 'href="leveringen.csv"' in page
    # The municipality table: Heemskerk's outreach columns say why they are empty.
    table = page.split('id="tabel-gemeenten"', 1)[1].split("</table>", 1)[0]
    heemskerk = next(row for row in table.split("<tr") if "(GM0396)" in row)
    assert heemskerk.count("geen casusregistratie") == 3
    # Haarlem's May list is missing: its row says so instead of showing zeros.
    haarlem = next(row for row in table.split("<tr") if "(GM0392)" in row)
    assert haarlem.count("<td>geen lijst</td>") == 10
    assert "Velsen rmc (not_utf8)" in page
