"""The outreach work list puts privacy first (SPEC §2): an objection or refusal dated after
the work list month, delivered in a month folder with only begeleiding.csv, reaches the
work list and `inbeeld reidentify` at once, while marts.youth_month keeps SPEC §3's
month-by-month stage. End to end through the real `inbeeld` command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import bsn, inbeeld, pid, run_env, write

LIST_MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")  # the work list month: 2026-10
HAARLEM, AMSTERDAM = "GM0392", "GM0363"
BORN = "2000-01-15"  # 26 throughout; 27 on 2027-01-15, so bijna_27 in 2026-10

# Distinct youths, all listed 2026-07..2026-10 (persistent, bijna_27: priority A in 2026-10).
A = bsn(0)  # bezwaar dated 2026-11-02, after the last list month
B = bsn(1)  # weigering dated 2026-11-02
C = bsn(2)  # bezwaar dated 2026-07-10, well before
D = bsn(3)  # control: no such event
E = bsn(4)  # weigering 2026-11-02, then contact 2026-11-20
F = bsn(5)  # weigering 2026-03-05: quiet period over by 2026-10, still never re-identified
G = bsn(6)  # Amsterdam's list; bezwaar 2026-11-03 delivered by Haarlem
H = bsn(7)  # Amsterdam's control
NAMES = dict(zip((A, B, C, D, E, F, G, H), "ABCDEFGH", strict=True))


def _jib(bsns: list[str]) -> str:
    return "bsn;geboortedatum\n" + "".join(f"{b};{BORN}\n" for b in bsns)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("werklijst_privacy")
    inbox = root / "inbox"
    for month in LIST_MONTHS:
        write(inbox, f"{month}/{HAARLEM}/jib.csv", _jib([A, B, C, D, E, F]))
        write(inbox, f"{month}/{AMSTERDAM}/jib.csv", _jib([G, H]))
    write(
        inbox,
        f"2026-07/{HAARLEM}/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{C};2026-07-10;bezwaar;\n{F};2026-03-05;weigering;\n",
    )
    # The month after the last list: only begeleiding.csv, no jib.csv.
    write(
        inbox,
        f"2026-11/{HAARLEM}/begeleiding.csv",
        "bsn;datum;gebeurtenis;waarde\n"
        f"{A};2026-11-02;bezwaar;\n"
        f"{B};2026-11-02;weigering;\n"
        f"{E};2026-11-02;weigering;\n"
        f"{E};2026-11-20;contact;\n"
        f"{G};2026-11-03;bezwaar;\n",
    )
    env = run_env(root, INBEELD_TODAY="2026-12-15")
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    reid = {}
    for gm in (HAARLEM, AMSTERDAM):
        r = inbeeld("reidentify", "--gemeente", gm, "--inbox", str(inbox), env=env, timeout=300)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        reid[gm] = r
    return {
        "root": root,
        "inbox": inbox,
        "warehouse": root / "w.duckdb",
        "exports": root / "exports",
        "reidentify": reid,
    }


def _work_list(exports: Path, gm: str) -> dict[str, dict[str, str]]:
    lines = (exports / gm / "werklijst.csv").read_text().splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    return {r["pseudo_id"]: r for r in rows}


def _bsn_list(exports: Path, gm: str) -> dict[str, dict[str, str]]:
    lines = (exports / gm / "werklijst_bsn.csv").read_text().splitlines()
    header = lines[0].split(";")
    assert header == ["bsn", "geboortedatum", "prioriteit", "prioriteit_reden", "fase"]
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    return {r["bsn"]: r for r in rows}


def _everything_exported(exports: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(exports.rglob("*")) if p.is_file())


def test_a_month_folder_with_only_begeleiding_is_loaded(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        late = con.execute(
            "select pseudo_id, gebeurtenis from staging.stg_begeleiding "
            "where month = date '2026-11-01' order by all"
        ).fetchall()
        window = con.execute("select max(month) from marts.werklijst").fetchone()[0]
    finally:
        con.close()
    assert len(late) == 5
    assert (pid(A), "bezwaar") in late
    assert window == dt.date(2026, 10, 1)  # no jib.csv in 2026-11: the window ends in 2026-10


def test_bezwaar_whatever_its_date_removes_the_youth_from_every_export(pipeline):
    exports = pipeline["exports"]
    haarlem, amsterdam = _work_list(exports, HAARLEM), _work_list(exports, AMSTERDAM)
    for youth in (A, C):
        assert pid(youth) not in haarlem, NAMES[youth]
    assert pid(G) not in amsterdam  # a bezwaar counts whoever delivered it
    blob = _everything_exported(exports)
    for youth in (A, C, G):
        assert pid(youth) not in blob, NAMES[youth]
        assert youth not in blob, NAMES[youth]


def test_weigering_after_the_month_starts_the_quiet_period_at_once(pipeline):
    row = _work_list(pipeline["exports"], HAARLEM)[pid(B)]
    assert row["fase"] == "geweigerd"
    assert row["prioriteit"] == "" and row["prioriteit_reden"] == ""
    assert row["maanden_aaneengesloten"] == "4"


def test_a_later_contact_after_the_weigering_follows_the_stage_table(pipeline):
    # Weigering (2026-11-02) then contact (2026-11-20): by the table G -> bereikt, so the
    # fold over all events does not end in geweigerd and the list keeps 2026-10's row.
    row = _work_list(pipeline["exports"], HAARLEM)[pid(E)]
    assert (row["prioriteit"], row["prioriteit_reden"], row["fase"]) == (
        "A",
        "bijna_27",
        "niet_benaderd",
    )


def test_control_youths_keep_priority_a(pipeline):
    exports = pipeline["exports"]
    for gm, youth in ((HAARLEM, D), (AMSTERDAM, H)):
        row = _work_list(exports, gm)[pid(youth)]
        assert (row["prioriteit"], row["prioriteit_reden"], row["fase"]) == (
            "A",
            "bijna_27",
            "niet_benaderd",
        )
    # After its quiet period a refusal is shown as niet_benaderd with a priority (SPEC §3).
    row = _work_list(exports, HAARLEM)[pid(F)]
    assert (row["prioriteit"], row["fase"]) == ("A", "niet_benaderd")
    assert set(_work_list(exports, HAARLEM)) == {pid(y) for y in (B, D, E, F)}
    assert set(_work_list(exports, AMSTERDAM)) == {pid(H)}


def test_reidentify_never_names_who_objected_or_refused(pipeline):
    exports = pipeline["exports"]
    haarlem, amsterdam = _bsn_list(exports, HAARLEM), _bsn_list(exports, AMSTERDAM)
    assert set(haarlem) == {D, E}
    assert set(amsterdam) == {H}
    assert haarlem[D] == {
        "bsn": D,
        "geboortedatum": BORN,
        "prioriteit": "A",
        "prioriteit_reden": "bijna_27",
        "fase": "niet_benaderd",
    }
    for youth in (A, B, C, F, G):
        assert youth not in (exports / HAARLEM / "werklijst_bsn.csv").read_text()
        assert youth not in (exports / AMSTERDAM / "werklijst_bsn.csv").read_text()
    for r in pipeline["reidentify"].values():
        assert not any(b in r.stdout + r.stderr for b in NAMES)


def test_explanation_says_bezwaar_and_weigering_go_first(pipeline):
    text = (pipeline["exports"] / HAARLEM / "toelichting.md").read_text()
    assert "bezwaar heeft gemaakt staat nooit op deze lijst" in text
    assert "Een weigering gaat direct in, in welke maand die ook is geleverd" in text


def test_youth_month_keeps_the_month_by_month_stage(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        rows = con.execute(
            "select pseudo_id, stage, priority, priority_reason from marts.youth_month "
            "where month = date '2026-10-01'"
        ).fetchall()
        region = con.execute(
            "select gemeentecode, on_list, priority_a from marts.region_month "
            "where month = date '2026-10-01' and gemeentecode <> 'TOTAAL' order by all"
        ).fetchall()
    finally:
        con.close()
    by_pid = {r[0]: r[1:] for r in rows}
    # Events dated after 2026-10 don't act on 2026-10 (SPEC §3): A, B, E, G are still
    # niet_benaderd with priority A there; C's bezwaar of 2026-07 does.
    for youth in (A, B, D, E, F, G, H):
        assert by_pid[pid(youth)] == ("niet_benaderd", "A", "bijna_27"), NAMES[youth]
    assert by_pid[pid(C)] == ("bezwaar", None, None)
    # region_month counts them by that stage too: only C (bezwaar in 2026-10) lacks A.
    assert region == [(AMSTERDAM, 2, 2), (HAARLEM, 6, 5)]
