"""SPEC §3 rules, checked against expectations worked out BY HAND (tests/rules_cases.md).

One inbox holds many hand-made cases; each case uses its own youths (case k uses
bsn(100*k + j); the fillers of case 0 use bsn(0..7)). The real pipeline runs once
(`inbeeld run`), and each test checks the exact marts rows of its own youths:
marts.youth_month (every column of SPEC §4), marts.outflow and marts.placements, plus a
few marts.region_month cells.

Nothing below computes a rule: every expected row is written out by hand in a table,
month by month. Where SPEC left room, the reading chosen is marked `# SPEC reading:`.

The window is 2022-10 .. 2023-12 (15 months). Every municipality delivers a jib.csv in
every month of it (except the deliberate faults of Zandvoort, GM0473) and lists a filler
youth every month, so no list is ever empty by accident. Filler birth date 1998-06-15:
age 24 up to 2023-06, 25 from 2023-07, never bijna_27.

Table columns of a youth_month row (one line per listed month):
    month  gemeentecode  age  exclusion_reasons(- = not excluded)  vso_pro(T/F)
    consecutive_months  spell_number  months_on_list_12m  persistent(T/F)
    persistence_score  stage  trede(-)  priority(-)  priority_reason(-)
persistence_score by hand: floor(100*m/12 + 0.5) for m = 1..12 is
    8 17 25 33 42 50 58 67 75 83 92 100.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, bsn, inbeeld, pid, write

ZKI = "Zuid-Kennemerland en IJmond"
GA = "Groot Amsterdam"
REGION = {
    "GM0363": GA,  # Amsterdam
    "GM0375": ZKI,  # Beverwijk
    "GM0377": ZKI,  # Bloemendaal
    "GM0392": ZKI,  # Haarlem
    "GM0396": ZKI,  # Heemskerk
    "GM0397": ZKI,  # Heemstede
    "GM0453": ZKI,  # Velsen
    "GM0473": ZKI,  # Zandvoort
}
GEMEENTEN = sorted(REGION)

STAGE = {
    "N": "niet_benaderd",
    "ben": "benaderd",
    "ber": "bereikt",
    "int": "intake",
    "tra": "traject",
    "G": "geweigerd",
    "Uw": "uitgestroomd_werk",
    "Uo": "uitgestroomd_opleiding",
    "B": "bezwaar",
}


# --------------------------------------------------------------------------------------
# The inbox
# --------------------------------------------------------------------------------------


def span(first: str, last: str) -> list[str]:
    """Calendar months first..last as YYYY-MM (plain date enumeration, no rule)."""
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


WINDOW = span("2022-10", "2023-12")
FILLER_BORN = "1998-06-15"
FILLER = {gm: j for j, gm in enumerate(GEMEENTEN)}  # GM0363 -> bsn(0) ... GM0473 -> bsn(7)

# (month, gemeentecode) -> jib rows [(bsn, geboortedatum)], in file order
LISTS: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
# relative path -> file content, for everything but jib.csv
FILES: dict[str, str] = {}

# Zandvoort's delivery faults (case 1)
JIB_MISSING = {("2023-03", "GM0473")}
JIB_REJECTED = {("2023-05", "GM0473")}  # missing_column
JIB_HEADER_ONLY = {("2023-07", "GM0473")}  # after a list with rows: not delivered


def listed(i: int, gm: str, months: list[str], born: str) -> None:
    for m in months:
        LISTS[(m, gm)].append((bsn(i), born))


def registration(month: str, gm: str, source: str, rows: list[tuple[int, str, str]]) -> None:
    body = "".join(f"{bsn(i)};{begin};{end}\n" for i, begin, end in rows)
    FILES[f"{month}/{gm}/{source}.csv"] = "bsn;begindatum;einddatum\n" + body


def begeleiding(month: str, gm: str, rows: list[tuple[int, str, str, str]]) -> None:
    body = "".join(f"{bsn(i)};{datum};{event};{waarde}\n" for i, datum, event, waarde in rows)
    FILES[f"{month}/{gm}/begeleiding.csv"] = "bsn;datum;gebeurtenis;waarde\n" + body


# case 0: one filler per municipality, listed in every month of the window
for _gm, _j in FILLER.items():
    listed(_j, _gm, WINDOW, FILLER_BORN)

# case 1: delivery gaps of GM0473 (no file 2023-03, rejected 2023-05, header-only 2023-07)
listed(100, "GM0473", ["2023-01", "2023-02"], "1999-01-20")
listed(101, "GM0473", ["2023-04", "2023-05", "2023-06"], "1999-03-03")  # 2023-05 is rejected

# case 2: faulted jib rows inside a run (GM0453)
listed(200, "GM0453", ["2023-01", "2023-02", "2023-03"], "1998-11-20")
listed(200, "GM0453", ["2023-04"], "1998-11-31")  # invalid_date -> unknown
listed(200, "GM0453", ["2023-05", "2023-06"], "1998-11-20")
listed(201, "GM0453", ["2023-01"], "1998-04-04")
listed(201, "GM0453", ["2023-02"], "2004-04-04")  # age 18: age_out_of_range -> unknown
listed(201, "GM0453", ["2023-03"], "1998-04-04")

# case 3: stale and refreshed registrations (GM0392)
listed(300, "GM0392", span("2023-01", "2023-07"), "1999-05-05")
for _j in range(301, 305):
    listed(_j, "GM0392", span("2023-01", "2023-07"), "1998-09-09")
registration(
    "2023-02",
    "GM0392",
    "kvk",
    [
        (300, "2022-06-01", ""),
        (301, "2022-06-01", ""),
        (302, "2022-01-01", "2023-03-15"),
        (304, "2023-03-31", ""),
    ],
)
registration("2023-02", "GM0392", "rmc", [(303, "2022-09-01", "")])
registration("2023-02", "GM0392", "jongerenloket", [(303, "2022-09-01", "")])
registration(  # the refreshed snapshot: 300 is gone
    "2023-03",
    "GM0392",
    "kvk",
    [(301, "2022-06-01", ""), (302, "2022-01-01", "2023-03-15"), (304, "2023-03-31", "")],
)

# case 4: registrations delivered by another municipality
listed(400, "GM0377", span("2023-01", "2023-06"), "1998-12-12")
registration("2023-03", "GM0397", "buitenland", [(400, "2023-03-01", "")])
registration("2023-06", "GM0397", "buitenland", [(400, "2023-03-01", "")])
listed(401, "GM0377", span("2023-01", "2023-04"), "1999-07-07")
registration("2023-02", "GM0363", "detentie", [(401, "2023-01-15", "2023-02-20")])

# case 5: moving
listed(500, "GM0375", span("2023-01", "2023-04"), "1998-10-10")
listed(500, "GM0392", span("2023-05", "2023-08"), "1998-10-10")
listed(501, "GM0363", span("2023-01", "2023-03"), "1999-08-08")
listed(501, "GM0453", span("2023-04", "2023-06"), "1999-08-08")

# case 6: on two lists in one month
listed(600, "GM0392", span("2023-01", "2023-06"), "1997-08-10")
listed(600, "GM0375", ["2023-03"], "1997-02-10")
listed(600, "GM0453", ["2023-04"], "1997-01-01")

# case 7: turning 27, bijna_27 boundary (GM0396)
listed(700, "GM0396", span("2023-01", "2023-06"), "1996-05-15")  # 2023-06: age 27, quarantined
listed(701, "GM0396", span("2023-01", "2023-09"), "1996-10-01")

# case 8: re-entry after a placement (GM0397)
listed(800, "GM0397", span("2023-01", "2023-05") + span("2023-09", "2023-12"), "1998-03-03")
listed(801, "GM0397", span("2023-01", "2023-03") + span("2023-05", "2023-07"), "1998-07-07")

# case 9: vso_pro (GM0375)
listed(900, "GM0375", span("2023-01", "2023-12"), "1998-01-25")
listed(901, "GM0375", span("2023-01", "2023-09"), "1996-09-15")
registration(
    "2023-04", "GM0375", "vso_pro", [(900, "2014-08-01", "2018-07-31"), (901, "2013-08-01", "")]
)
registration("2023-07", "GM0375", "vso_pro", [])  # header-only: the flag must not revert

# case 10: weigering and the quiet period (GM0453)
listed(1000, "GM0453", span("2023-01", "2023-12"), "1999-02-14")
listed(1001, "GM0453", span("2023-01", "2023-12"), "1998-05-30")

# case 11: bezwaar (GM0453)
listed(1100, "GM0453", span("2023-01", "2023-06"), "1999-06-06")

# case 12: traject_einde (GM0377)
listed(1200, "GM0377", span("2023-01", "2023-06"), "1998-08-08")

# case 13: uitval (GM0377)
listed(1300, "GM0377", span("2023-01", "2023-12"), "1999-04-04")
listed(1301, "GM0377", span("2023-01", "2023-03"), "1998-12-01")
listed(1302, "GM0377", span("2023-01", "2023-05"), "1998-12-01")

# case 14: the same event exported twice (GM0392 lists)
listed(1400, "GM0392", ["2023-01", "2023-02"], "1999-09-09")

# case 15: trede (GM0396); 1501 is never listed
listed(1500, "GM0396", span("2023-01", "2023-07"), "1998-04-30")

# case 16: outflow reasons (GM0375)
listed(1600, "GM0375", span("2023-01", "2023-04"), "1998-10-10")
listed(1601, "GM0375", span("2023-01", "2023-05"), "1998-10-10")
listed(1602, "GM0375", span("2023-01", "2023-03"), "1998-10-10")
listed(1603, "GM0375", ["2023-04"], "1998-10-10")
listed(1604, "GM0375", ["2023-01", "2023-02"], "1998-10-10")
listed(1605, "GM0375", span("2023-01", "2023-06"), "1998-10-10")
registration("2023-03", "GM0375", "buitenland", [(1604, "2023-03-01", "")])
registration("2023-03", "GM0375", "detentie", [(1604, "2023-02-15", "2023-03-10")])
registration("2023-04", "GM0375", "kvk", [(1600, "2023-03-10", "")])
registration("2023-05", "GM0375", "kvk", [(1600, "2023-03-10", ""), (1601, "2021-01-01", "")])
registration(
    "2023-06", "GM0375", "detentie", [(1601, "2023-06-02", ""), (1605, "2023-06-10", "2023-06-25")]
)

# case 17: sustained placements (GM0397); 1700 is never listed
listed(1701, "GM0397", span("2023-01", "2023-07"), "1998-10-10")
listed(1702, "GM0397", span("2023-01", "2023-05"), "1998-10-10")
listed(1703, "GM0397", span("2023-01", "2023-06"), "1998-10-10")
listed(1704, "GM0397", span("2023-01", "2023-04"), "1996-08-20")

# case 18: persistence over a rolling 12 months (GM0397)
listed(1800, "GM0397", span("2022-10", "2022-12") + span("2023-02", "2023-12"), "1998-10-10")

# case 19: subtler status and stage rules
listed(1900, "GM0453", ["2023-01", "2023-02", "2023-04", "2023-05"], "1998-02-20")
listed(1900, "GM0473", ["2023-02"], "1998-02-20")  # GM0473 delivers no list in 2023-03
listed(1901, "GM0453", span("2023-01", "2023-03"), "1997-06-10")
listed(1901, "GM0375", ["2023-03"], "1996-03-15")  # the lower code: this birth date counts
listed(1902, "GM0392", span("2023-01", "2023-04"), "1999-01-01")
listed(1903, "GM0392", span("2023-01", "2023-03"), "1999-01-02")
begeleiding(
    "2023-04",
    "GM0392",
    [
        (1902, "2023-02-10", "start_opleiding", ""),
        (1902, "2023-03-10", "weigering", ""),
        (1903, "2023-01-05", "start_werk", ""),
        (1903, "2023-02-07", "bezwaar", ""),
        (1903, "2023-03-01", "uitval", ""),
    ],
)

# begeleiding files (case systems export their history cumulatively)
begeleiding("2023-01", "GM0453", [(1001, "2023-01-20", "weigering", "")])
begeleiding(
    "2023-02",
    "GM0453",
    [(1000, "2023-01-10", "brief", ""), (1000, "2023-02-05", "weigering", "")],
)
begeleiding(
    "2023-03",
    "GM0453",
    [
        (1100, "2023-01-10", "brief", ""),
        (1100, "2023-02-14", "bezwaar", ""),
        (1100, "2023-03-10", "intake", ""),
    ],
)
begeleiding(
    "2023-04",
    "GM0453",
    [(1001, "2023-01-20", "weigering", ""), (1001, "2023-04-15", "Weigering", "")],
)
begeleiding(
    "2023-10",
    "GM0453",
    [
        (1000, "2023-01-10", "brief", ""),
        (1000, "2023-02-05", "weigering", ""),
        (1000, "2023-10-05", "brief", ""),
    ],
)
begeleiding(
    "2023-02",
    "GM0397",
    [
        (800, "2023-01-20", "brief", ""),
        (800, "2023-02-10", "contact", ""),
        (1400, "2023-02-10", "start_werk", ""),
    ],
)
begeleiding(
    "2023-03",
    "GM0397",
    [(1400, "2023-02-10", "start_werk", ""), (1700, "2023-03-03", "start_werk", "")],
)
begeleiding(
    "2023-04",
    "GM0397",
    [
        (800, "2023-01-20", "brief", ""),
        (800, "2023-02-10", "contact", ""),
        (800, "2023-04-10", "start_werk", ""),
        (801, "2023-04-01", "start_opleiding", ""),
        (1704, "2023-04-25", "start_werk", ""),
    ],
)
begeleiding("2023-06", "GM0397", [(1702, "2023-06-20", "start_opleiding", "")])
begeleiding("2023-07", "GM0397", [(1703, "2023-07-03", "start_werk", "")])
begeleiding("2023-08", "GM0397", [(1701, "2023-08-15", "start_werk", "")])
begeleiding("2023-03", "GM0392", [(1400, "2023-02-10", "START_WERK", "")])
begeleiding("2023-03", "GM0377", [(1301, "2023-03-15", "start_opleiding", "")])
begeleiding(
    "2023-05",
    "GM0377",
    [
        (1200, "2023-01-15", "contact", ""),
        (1200, "2023-02-01", "intake", ""),
        (1200, "2023-03-01", "traject_start", ""),
        (1200, "2023-03-05", "trede", "3"),
        (1200, "2023-05-20", "traject_einde", ""),
    ],
)
begeleiding(
    "2023-06",
    "GM0377",
    [
        (1300, "2023-01-10", "traject_start", ""),
        (1300, "2023-03-10", "start_werk", ""),
        (1300, "2023-05-05", "uitval", ""),
    ],
)
begeleiding(
    "2023-07",
    "GM0377",
    [
        (1301, "2023-03-15", "start_opleiding", ""),
        (1301, "2023-07-20", "uitval", ""),
        (1302, "2023-06-12", "start_werk", ""),
        (1302, "2023-06-12", "uitval", ""),
    ],
)
begeleiding(
    "2023-06",
    "GM0396",
    [
        (1500, "2023-02-10", "trede", "2"),
        (1500, "2023-04-10", "trede", "5"),
        (1500, "2023-04-10", "trede", "3"),
        (1500, "2023-06-05", "trede", "4"),
        (1501, "2023-03-03", "trede", "1"),
        (1501, "2023-04-20", "trede", "3"),
    ],
)
begeleiding(
    "2023-03",
    "GM0375",
    [
        (1602, "2023-03-05", "start_werk", ""),
        (1602, "2023-03-05", "start_opleiding", ""),
        (1603, "2023-02-20", "start_werk", ""),
    ],
)


def build_inbox(root: Path) -> None:
    for month in WINDOW:
        for gm in GEMEENTEN:
            key = (month, gm)
            if key in JIB_MISSING:
                continue
            rows = "".join(f"{b};{born}\n" for b, born in LISTS[key])
            if key in JIB_REJECTED:
                content = "bsn_nummer;geboortedatum\n" + rows
            elif key in JIB_HEADER_ONLY:
                content = "bsn;geboortedatum\n"
            else:
                content = "bsn;geboortedatum\n" + rows
            write(root, f"{month}/{gm}/jib.csv", content)
    for rel, content in FILES.items():
        write(root, rel, content)


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    inbox = root / "inbox"
    build_inbox(inbox)
    env = {
        **os.environ,
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(root / "w.duckdb"),
        "DAGSTER_HOME": str(root / "dh"),
        "GX_ANALYTICS_ENABLED": "false",
    }
    run = inbeeld("run", "--inbox", str(inbox), env=env, timeout=1800)
    if run.returncode != 0:
        pytest.fail(f"inbeeld run failed ({run.returncode}):\n{run.stderr[-4000:]}")
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    yield con
    con.close()


# --------------------------------------------------------------------------------------
# Reading the marts and the hand-written tables
# --------------------------------------------------------------------------------------

YM_COLS = (
    "month, gemeentecode, arbeidsmarktregio, pseudo_id, age, excluded, exclusion_reasons, "
    "vso_pro, consecutive_months, spell_number, months_on_list_12m, persistent, "
    "persistence_score, stage, trede, priority, priority_reason"
)


def d(s: str) -> dt.date:
    parts = list(map(int, s.split("-")))
    return dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def expected_rows(i: int, table: str) -> list[tuple]:
    """Parse a hand-written youth_month table into full mart rows of youth bsn(i)."""
    p = pid(bsn(i))
    out = []
    for line in table.strip().splitlines():
        f = line.split("#")[0].split()
        if not f:
            continue
        month, gm, age, reasons, vso, cm, sp, m12, pers, score, stage, trede, prio, why = f
        out.append(
            (
                d(month),
                gm,
                REGION[gm],
                p,
                int(age),
                reasons != "-",
                None if reasons == "-" else reasons,
                vso == "T",
                int(cm),
                int(sp),
                int(m12),
                pers == "T",
                int(score),
                STAGE[stage],
                None if trede == "-" else int(trede),
                None if prio == "-" else prio,
                None if why == "-" else why,
            )
        )
    return out


def youth_rows(con, i: int) -> list[tuple]:
    return con.execute(
        f"select {YM_COLS} from marts.youth_month where pseudo_id = ? order by month",
        [pid(bsn(i))],
    ).fetchall()


def outflow_rows(con, i: int) -> list[tuple]:
    return con.execute(
        "select pseudo_id, gemeentecode, last_month_on_list, off_month, reason "
        "from marts.outflow where pseudo_id = ? order by off_month",
        [pid(bsn(i))],
    ).fetchall()


def placement_rows(con, i: int) -> list[tuple]:
    return con.execute(
        "select pseudo_id, gemeentecode, datum, month, kind, sustained "
        "from marts.placements where pseudo_id = ? order by datum, kind",
        [pid(bsn(i))],
    ).fetchall()


def outflow(i: int, gm: str, last: str, off: str, reason: str) -> tuple:
    return (pid(bsn(i)), gm, d(last), d(off), reason)


def placement(i: int, gm: str, datum: str, kind: str, sustained: bool | None) -> tuple:
    return (pid(bsn(i)), gm, d(datum), d(datum[:7]), kind, sustained)


def check(con, i: int, table: str, outflows: list[tuple], placements: list[tuple]) -> None:
    assert youth_rows(con, i) == expected_rows(i, table), f"youth_month of bsn({i})"
    assert outflow_rows(con, i) == outflows, f"outflow of bsn({i})"
    assert placement_rows(con, i) == placements, f"placements of bsn({i})"


# --------------------------------------------------------------------------------------
# Case 0: fillers — 15 months on the list, rolling 12 months
# --------------------------------------------------------------------------------------

# month   gm    age excl vso cm sp m12 pers score stage trede prio reason
FILLER_TABLE = """
2022-10 {gm} 24 - F  1 1  1 F   8 N - C -
2022-11 {gm} 24 - F  2 1  2 F  17 N - C -
2022-12 {gm} 24 - F  3 1  3 T  25 N - B -
2023-01 {gm} 24 - F  4 1  4 T  33 N - B -
2023-02 {gm} 24 - F  5 1  5 T  42 N - B -
2023-03 {gm} 24 - F  6 1  6 T  50 N - B -
2023-04 {gm} 24 - F  7 1  7 T  58 N - B -
2023-05 {gm} 24 - F  8 1  8 T  67 N - B -
2023-06 {gm} 24 - F  9 1  9 T  75 N - B -
2023-07 {gm} 25 - F 10 1 10 T  83 N - B -   # birthday 15 June: 25 from the July peildatum
2023-08 {gm} 25 - F 11 1 11 T  92 N - B -
2023-09 {gm} 25 - F 12 1 12 T 100 N - B -
2023-10 {gm} 25 - F 13 1 12 T 100 N - B -   # 12m = 2022-11..2023-10
2023-11 {gm} 25 - F 14 1 12 T 100 N - B -
2023-12 {gm} 25 - F 15 1 12 T 100 N - B -
"""

# Zandvoort (GM0473): 2023-03 no jib.csv, 2023-05 rejected (missing_column), 2023-07
# header-only after a full list -> unknown each time: not counted, not breaking the run.
FILLER_GM0473 = """
2022-10 GM0473 24 - F  1 1 1 F  8 N - C -
2022-11 GM0473 24 - F  2 1 2 F 17 N - C -
2022-12 GM0473 24 - F  3 1 3 T 25 N - B -
2023-01 GM0473 24 - F  4 1 4 T 33 N - B -
2023-02 GM0473 24 - F  5 1 5 T 42 N - B -
2023-04 GM0473 24 - F  6 1 6 T 50 N - B -   # 2023-03 unknown (no file)
2023-06 GM0473 24 - F  7 1 7 T 58 N - B -   # 2023-05 unknown (rejected)
2023-08 GM0473 25 - F  8 1 8 T 67 N - B -   # 2023-07 unknown (header-only)
2023-09 GM0473 25 - F  9 1 9 T 75 N - B -   # 12m 2022-10..2023-09: 9 on months
2023-10 GM0473 25 - F 10 1 9 T 75 N - B -   # 2022-11..2023-10: 22-11,22-12,01,02,04,06,08,09,10
2023-11 GM0473 25 - F 11 1 9 T 75 N - B -   # 2022-12..2023-11: 9
2023-12 GM0473 25 - F 12 1 9 T 75 N - B -   # 2023-01..2023-12: 01,02,04,06,08..12 = 9
"""


def test_case0_fillers(wh):
    for gm, j in FILLER.items():
        table = FILLER_GM0473 if gm == "GM0473" else FILLER_TABLE.format(gm=gm)
        check(wh, j, table, [], [])


def test_only_the_hand_made_youths_are_listed(wh):
    mine = {pid(bsn(j)) for j in FILLER.values()}
    known = {pid(b) for rows in LISTS.values() for b, _ in rows}
    got = {r[0] for r in wh.execute("select distinct pseudo_id from marts.youth_month").fetchall()}
    assert mine <= got
    # 1501 and 1700 are never listed; every listed youth is one of ours
    assert got <= known
    assert pid(bsn(1501)) not in got and pid(bsn(1700)) not in got


def test_window_is_first_to_last_loaded_jib_month(wh):
    months = wh.execute("select min(month), max(month) from marts.region_month").fetchone()
    assert months == (dt.date(2022, 10, 1), dt.date(2023, 12, 1))


# --------------------------------------------------------------------------------------
# Case 1: delivery gaps (GM0473)
# --------------------------------------------------------------------------------------


def test_case1_delivery_gaps(wh):
    # bsn(100): on 2023-01, 2023-02; 2023-03 unknown (GM0473 delivered nothing);
    # 2023-04 GM0473 delivers without them -> off: the run ends, O = 2023-04.
    # born 1999-01-20: 23 on 2023-01-01, 24 on 2023-02-01.
    check(
        wh,
        100,
        """
        2023-01 GM0473 23 - F 1 1 1 F  8 N - C -
        2023-02 GM0473 24 - F 2 1 2 F 17 N - C -
        """,
        [outflow(100, "GM0473", "2023-02", "2023-04", "onbekend")],
        [],
    )
    # bsn(101): on 2023-04; 2023-05 unknown (GM0473's list rejected, its rows never load);
    # on 2023-06 (same run, consecutive 2); 2023-07 unknown (header-only list after a
    # full one = not delivered); 2023-08 GM0473 delivers without them -> off.
    check(
        wh,
        101,
        """
        2023-04 GM0473 24 - F 1 1 1 F  8 N - C -
        2023-06 GM0473 24 - F 2 1 2 F 17 N - C -
        """,
        [outflow(101, "GM0473", "2023-06", "2023-08", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 2: date-faulted and age-faulted jib rows (GM0453)
# --------------------------------------------------------------------------------------


def test_case2_quarantined_row_makes_the_youth_unknown(wh):
    # bsn(200), born 1998-11-20 (24 all along). 2023-04 row has 1998-11-31 -> invalid_date,
    # valid BSN -> unknown: 2023-05 continues the run with consecutive 4. Off 2023-07.
    check(
        wh,
        200,
        """
        2023-01 GM0453 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0453 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0453 24 - F 3 1 3 T 25 N - B -
        2023-05 GM0453 24 - F 4 1 4 T 33 N - B -
        2023-06 GM0453 24 - F 5 1 5 T 42 N - B -
        """,
        [outflow(200, "GM0453", "2023-06", "2023-07", "onbekend")],
        [],
    )
    # bsn(201), born 1998-04-04; 2023-02 row says 2004-04-04 (age 18) -> age_out_of_range
    # -> unknown (L = 2023-01 says 24, so not the 27 rule). 2023-03 continues; off 2023-04.
    check(
        wh,
        201,
        """
        2023-01 GM0453 24 - F 1 1 1 F  8 N - C -
        2023-03 GM0453 24 - F 2 1 2 F 17 N - C -
        """,
        [outflow(201, "GM0453", "2023-03", "2023-04", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 3: stale and refreshed registrations (GM0392 kvk 2023-02 and 2023-03; rmc and
# jongerenloket 2023-02). Latest file of M-2..M per municipality+source:
#   kvk: 2023-01 none | 02 Feb-file | 03,04,05 Mar-file | 06,07 none (Mar is stale)
#   rmc, jongerenloket: 02,03,04 Feb-file | 05.. none
# All five listed 2023-01..2023-07 in GM0392, off 2023-08 -> outflow onbekend (in 08 and
# 07 no registration file is fresh).
# --------------------------------------------------------------------------------------


def test_case3_stale_and_refreshed_registrations(wh):
    out = lambda i: [outflow(i, "GM0392", "2023-07", "2023-08", "onbekend")]  # noqa: E731
    # bsn(300), born 1999-05-05: 23 up to 2023-05, 24 from 2023-06. Only in the Feb kvk file;
    # the Mar file (refresh) drops them -> excluded in 2023-02 only.
    check(
        wh,
        300,
        """
        2023-01 GM0392 23 -   F 1 1 1 F  8 N - C -
        2023-02 GM0392 23 kvk F 2 1 2 F 17 N - - -
        2023-03 GM0392 23 -   F 3 1 3 T 25 N - B -
        2023-04 GM0392 23 -   F 4 1 4 T 33 N - B -
        2023-05 GM0392 23 -   F 5 1 5 T 42 N - B -
        2023-06 GM0392 24 -   F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 -   F 7 1 7 T 58 N - B -
        """,
        out(300),
        [],
    )
    # bsn(301): in both kvk files, open-ended -> excluded 02..05 (Mar file fresh to 05).
    check(
        wh,
        301,
        """
        2023-01 GM0392 24 -   F 1 1 1 F  8 N - C -
        2023-02 GM0392 24 kvk F 2 1 2 F 17 N - - -
        2023-03 GM0392 24 kvk F 3 1 3 T 25 N - - -
        2023-04 GM0392 24 kvk F 4 1 4 T 33 N - - -
        2023-05 GM0392 24 kvk F 5 1 5 T 42 N - - -
        2023-06 GM0392 24 -   F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 -   F 7 1 7 T 58 N - B -
        """,
        out(301),
        [],
    )
    # bsn(302): einddatum 2023-03-15 -> overlaps 02 and 03, not 04.
    check(
        wh,
        302,
        """
        2023-01 GM0392 24 -   F 1 1 1 F  8 N - C -
        2023-02 GM0392 24 kvk F 2 1 2 F 17 N - - -
        2023-03 GM0392 24 kvk F 3 1 3 T 25 N - - -
        2023-04 GM0392 24 -   F 4 1 4 T 33 N - B -
        2023-05 GM0392 24 -   F 5 1 5 T 42 N - B -
        2023-06 GM0392 24 -   F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 -   F 7 1 7 T 58 N - B -
        """,
        out(302),
        [],
    )
    # bsn(303): rmc + jongerenloket (Feb files) -> 02..04, reasons in alphabetical order.
    check(
        wh,
        303,
        """
        2023-01 GM0392 24 -                 F 1 1 1 F  8 N - C -
        2023-02 GM0392 24 jongerenloket,rmc F 2 1 2 F 17 N - - -
        2023-03 GM0392 24 jongerenloket,rmc F 3 1 3 T 25 N - - -
        2023-04 GM0392 24 jongerenloket,rmc F 4 1 4 T 33 N - - -
        2023-05 GM0392 24 -                 F 5 1 5 T 42 N - B -
        2023-06 GM0392 24 -                 F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 -                 F 7 1 7 T 58 N - B -
        """,
        out(303),
        [],
    )
    # bsn(304): begindatum 2023-03-31 = last day of March -> not Feb, excluded 03..05.
    check(
        wh,
        304,
        """
        2023-01 GM0392 24 -   F 1 1 1 F  8 N - C -
        2023-02 GM0392 24 -   F 2 1 2 F 17 N - C -
        2023-03 GM0392 24 kvk F 3 1 3 T 25 N - - -
        2023-04 GM0392 24 kvk F 4 1 4 T 33 N - - -
        2023-05 GM0392 24 kvk F 5 1 5 T 42 N - - -
        2023-06 GM0392 24 -   F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 -   F 7 1 7 T 58 N - B -
        """,
        out(304),
        [],
    )


# --------------------------------------------------------------------------------------
# Case 4: a registration delivered by another municipality
# --------------------------------------------------------------------------------------


def test_case4_registration_from_another_municipality(wh):
    # bsn(400), GM0377, born 1998-12-12 (24). buitenland from 2023-03-01 delivered by
    # GM0397 in 2023-03 (fresh 03..05) and again in 2023-06 (fresh 06..08).
    # Off 2023-07: the Jun file excludes them in 07 -> buitenland.
    check(
        wh,
        400,
        """
        2023-01 GM0377 24 -          F 1 1 1 F  8 N - C -
        2023-02 GM0377 24 -          F 2 1 2 F 17 N - C -
        2023-03 GM0377 24 buitenland F 3 1 3 T 25 N - - -
        2023-04 GM0377 24 buitenland F 4 1 4 T 33 N - - -
        2023-05 GM0377 24 buitenland F 5 1 5 T 42 N - - -
        2023-06 GM0377 24 buitenland F 6 1 6 T 50 N - - -
        """,
        [outflow(400, "GM0377", "2023-06", "2023-07", "buitenland")],
        [],
    )
    # bsn(401), GM0377, born 1999-07-07 (23). detentie 2023-01-15..2023-02-20 delivered by
    # Amsterdam (GM0363, another region) in 2023-02.
    # SPEC reading: a registration file of month F is used for months F..F+2 only; its
    # dates reaching back into 2023-01 do not exclude the youth in 2023-01 (the file is
    # not among "the latest loaded file of months M-2..M" for M = 2023-01).
    # 2023-03: einddatum 02-20 < 03-01 -> not excluded. Off 2023-05: neither 05 nor 04
    # overlaps -> onbekend.
    check(
        wh,
        401,
        """
        2023-01 GM0377 23 -        F 1 1 1 F  8 N - C -
        2023-02 GM0377 23 detentie F 2 1 2 F 17 N - - -
        2023-03 GM0377 23 -        F 3 1 3 T 25 N - B -
        2023-04 GM0377 23 -        F 4 1 4 T 33 N - B -
        """,
        [outflow(401, "GM0377", "2023-04", "2023-05", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 5: moving
# --------------------------------------------------------------------------------------


def test_case5_moving_continues_the_run(wh):
    # bsn(500), born 1998-10-10 (24): GM0375 01..04, GM0392 05..08 -> one run of 8.
    # Off 2023-09: outflow under the municipality of the last listing (GM0392).
    check(
        wh,
        500,
        """
        2023-01 GM0375 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0375 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0375 24 - F 3 1 3 T 25 N - B -
        2023-04 GM0375 24 - F 4 1 4 T 33 N - B -
        2023-05 GM0392 24 - F 5 1 5 T 42 N - B -
        2023-06 GM0392 24 - F 6 1 6 T 50 N - B -
        2023-07 GM0392 24 - F 7 1 7 T 58 N - B -
        2023-08 GM0392 24 - F 8 1 8 T 67 N - B -
        """,
        [outflow(500, "GM0392", "2023-08", "2023-09", "onbekend")],
        [],
    )
    # bsn(501), born 1999-08-08 (23): Amsterdam 01..03 (Groot Amsterdam), Velsen 04..06.
    check(
        wh,
        501,
        """
        2023-01 GM0363 23 - F 1 1 1 F  8 N - C -
        2023-02 GM0363 23 - F 2 1 2 F 17 N - C -
        2023-03 GM0363 23 - F 3 1 3 T 25 N - B -
        2023-04 GM0453 23 - F 4 1 4 T 33 N - B -
        2023-05 GM0453 23 - F 5 1 5 T 42 N - B -
        2023-06 GM0453 23 - F 6 1 6 T 50 N - B -
        """,
        [outflow(501, "GM0453", "2023-06", "2023-07", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 6: on two lists in one month
# --------------------------------------------------------------------------------------


def test_case6_two_lists_count_once_under_the_lower_code(wh):
    # bsn(600): GM0392 01..06 born 1997-08-10 (25). 2023-03 also on GM0375's list born
    # 1997-02-10 -> counted under GM0375 with age 26 (26 on 2023-03-01; not bijna_27:
    # 2024-02-10 is not < 2023-09-01). 2023-04 also on GM0453's list (born 1997-01-01) ->
    # counted under GM0392 (lower), age 25 by GM0392's row.
    check(
        wh,
        600,
        """
        2023-01 GM0392 25 - F 1 1 1 F  8 N - C -
        2023-02 GM0392 25 - F 2 1 2 F 17 N - C -
        2023-03 GM0375 26 - F 3 1 3 T 25 N - B -
        2023-04 GM0392 25 - F 4 1 4 T 33 N - B -
        2023-05 GM0392 25 - F 5 1 5 T 42 N - B -
        2023-06 GM0392 25 - F 6 1 6 T 50 N - B -
        """,
        [outflow(600, "GM0392", "2023-06", "2023-07", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 7: turning 27 and the bijna_27 boundary (GM0396)
# --------------------------------------------------------------------------------------


def test_case7_turning_27(wh):
    # bsn(700), born 1996-05-15: 26 on 2023-01..05 peildata, 27 on 2023-06-01.
    # bijna_27: 2023-05-15 < peildatum + 6 months (>= 2023-07-01) in every month.
    # SPEC reading: priority_reason is given for priority A only; B and C have NULL
    # reason even when bijna_27 / vso_pro / terugkeer hold (here 01, 02: C, NULL).
    # 2023-06: still on GM0396's list, the row is quarantined (age_out_of_range), but the
    # 27 rule comes first -> off (not unknown) -> O = 2023-06, 27_jaar.
    # SPEC reading: the status bullets are applied in their order (on, off-27, unknown).
    check(
        wh,
        700,
        """
        2023-01 GM0396 26 - F 1 1 1 F  8 N - C -
        2023-02 GM0396 26 - F 2 1 2 F 17 N - C -
        2023-03 GM0396 26 - F 3 1 3 T 25 N - A bijna_27
        2023-04 GM0396 26 - F 4 1 4 T 33 N - A bijna_27
        2023-05 GM0396 26 - F 5 1 5 T 42 N - A bijna_27
        """,
        [outflow(700, "GM0396", "2023-05", "2023-06", "27_jaar")],
        [],
    )
    # bsn(701), born 1996-10-01: +27 years = 2023-10-01.
    # 2023-04: peildatum + 6 months = 2023-10-01, not < -> no bijna_27 (B);
    # 2023-05: 2023-11-01 -> bijna_27 (A). Age 27 on 2023-10-01 -> off, 27_jaar.
    check(
        wh,
        701,
        """
        2023-01 GM0396 26 - F 1 1 1 F  8 N - C -
        2023-02 GM0396 26 - F 2 1 2 F 17 N - C -
        2023-03 GM0396 26 - F 3 1 3 T 25 N - B -
        2023-04 GM0396 26 - F 4 1 4 T 33 N - B -
        2023-05 GM0396 26 - F 5 1 5 T 42 N - A bijna_27
        2023-06 GM0396 26 - F 6 1 6 T 50 N - A bijna_27
        2023-07 GM0396 26 - F 7 1 7 T 58 N - A bijna_27
        2023-08 GM0396 26 - F 8 1 8 T 67 N - A bijna_27
        2023-09 GM0396 26 - F 9 1 9 T 75 N - A bijna_27
        """,
        [outflow(701, "GM0396", "2023-09", "2023-10", "27_jaar")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 8: re-entry after a placement (GM0397)
# --------------------------------------------------------------------------------------


def test_case8_reentry_after_placement(wh):
    # bsn(800), born 1998-03-03: 24 on 01..03, 25 from 04.
    # Events: brief 01-20 (benaderd), contact 02-10 (bereikt), start_werk 04-10 (U werk).
    # Run 1: 01..05 (still listed in 05, list lag), off 06..08 -> O = 06: start_werk 04-10
    # lies in [2023-03-01, 2023-06-30] and not before 2022-12-01 -> werk.
    # Run 2 starts 09: latest start 04-10 < 2023-08-01 (first day of R-1) -> U back to N.
    # 12m at 09: 01..05 + 09 = 6. terugkeer (spell 2) once persistent (11, 12).
    # Placement S = 04: on in 09, inside S+2..S+6 = 06..10 -> FALSE.
    check(
        wh,
        800,
        """
        2023-01 GM0397 24 - F 1 1 1 F  8 ben - C -
        2023-02 GM0397 24 - F 2 1 2 F 17 ber - - -
        2023-03 GM0397 24 - F 3 1 3 T 25 ber - - -
        2023-04 GM0397 25 - F 4 1 4 T 33 Uw  - - -
        2023-05 GM0397 25 - F 5 1 5 T 42 Uw  - - -
        2023-09 GM0397 25 - F 1 2 6 F 50 N   - C -
        2023-10 GM0397 25 - F 2 2 7 F 58 N   - C -
        2023-11 GM0397 25 - F 3 2 8 T 67 N   - A terugkeer
        2023-12 GM0397 25 - F 4 2 9 T 75 N   - A terugkeer
        """,
        [outflow(800, "GM0397", "2023-05", "2023-06", "werk")],
        [placement(800, "GM0397", "2023-04-10", "werk", False)],
    )
    # bsn(801), born 1998-07-07 (24). Listed 01..03, off 04, listed 05..07, off 08.
    # start_opleiding dated 2023-04-01 = first day of R-1 for R = 05: not before it ->
    # no reset, the second run starts in uitgestroomd_opleiding (no priority).
    # SPEC reading: "before the first day of month R-1" is strict; a start dated on that
    # first day keeps U.
    # O = 04: 04-01 in [2023-01-01, 2023-04-30] -> opleiding.
    # O = 08: window starts at max(2023-05-01 (O-3), 2023-04-01 (run month 05 - 1)) =
    # 2023-05-01 -> 04-01 too early -> onbekend.
    # SPEC reading: the werk/opleiding window's lower bound is the later of the two.
    # Placement S = 04: on in 06 (S+2) -> FALSE.
    check(
        wh,
        801,
        """
        2023-01 GM0397 24 - F 1 1 1 F  8 N  - C -
        2023-02 GM0397 24 - F 2 1 2 F 17 N  - C -
        2023-03 GM0397 24 - F 3 1 3 T 25 N  - B -
        2023-05 GM0397 24 - F 1 2 4 F 33 Uo - - -
        2023-06 GM0397 24 - F 2 2 5 F 42 Uo - - -
        2023-07 GM0397 24 - F 3 2 6 T 50 Uo - - -
        """,
        [
            outflow(801, "GM0397", "2023-03", "2023-04", "opleiding"),
            outflow(801, "GM0397", "2023-07", "2023-08", "onbekend"),
        ],
        [placement(801, "GM0397", "2023-04-01", "opleiding", False)],
    )


# --------------------------------------------------------------------------------------
# Case 9: vso_pro (GM0375 vso_pro.csv 2023-04 with both; 2023-07 header-only)
# --------------------------------------------------------------------------------------


def test_case9_vso_pro(wh):
    # bsn(900), born 1998-01-25: 24 on 2023-01-01, 25 from 2023-02. Flag from 04 on, never
    # reverts (old dates, later empty snapshot, file stale after 06 - none matter).
    check(
        wh,
        900,
        """
        2023-01 GM0375 24 - F  1 1  1 F   8 N - C -
        2023-02 GM0375 25 - F  2 1  2 F  17 N - C -
        2023-03 GM0375 25 - F  3 1  3 T  25 N - B -
        2023-04 GM0375 25 - T  4 1  4 T  33 N - A vso_pro
        2023-05 GM0375 25 - T  5 1  5 T  42 N - A vso_pro
        2023-06 GM0375 25 - T  6 1  6 T  50 N - A vso_pro
        2023-07 GM0375 25 - T  7 1  7 T  58 N - A vso_pro
        2023-08 GM0375 25 - T  8 1  8 T  67 N - A vso_pro
        2023-09 GM0375 25 - T  9 1  9 T  75 N - A vso_pro
        2023-10 GM0375 25 - T 10 1 10 T  83 N - A vso_pro
        2023-11 GM0375 25 - T 11 1 11 T  92 N - A vso_pro
        2023-12 GM0375 25 - T 12 1 12 T 100 N - A vso_pro
        """,
        [],
        [],
    )
    # bsn(901), born 1996-09-15: 26 on 01..09 peildata, 27 on 2023-10-01.
    # bijna_27: 2023-09-15 < 2023-09-01 (03)? no; < 2023-10-01 (04)? yes.
    check(
        wh,
        901,
        """
        2023-01 GM0375 26 - F 1 1 1 F  8 N - C -
        2023-02 GM0375 26 - F 2 1 2 F 17 N - C -
        2023-03 GM0375 26 - F 3 1 3 T 25 N - B -
        2023-04 GM0375 26 - T 4 1 4 T 33 N - A bijna_27,vso_pro
        2023-05 GM0375 26 - T 5 1 5 T 42 N - A bijna_27,vso_pro
        2023-06 GM0375 26 - T 6 1 6 T 50 N - A bijna_27,vso_pro
        2023-07 GM0375 26 - T 7 1 7 T 58 N - A bijna_27,vso_pro
        2023-08 GM0375 26 - T 8 1 8 T 67 N - A bijna_27,vso_pro
        2023-09 GM0375 26 - T 9 1 9 T 75 N - A bijna_27,vso_pro
        """,
        [outflow(901, "GM0375", "2023-09", "2023-10", "27_jaar")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 10: weigering and the quiet period (GM0453)
# --------------------------------------------------------------------------------------


def test_case10_weigering_quiet_period(wh):
    # bsn(1000), born 1999-02-14: 23 on 01, 02; 24 from 03.
    # brief 01-10 (benaderd), weigering 02-05 (G). Quiet from 02 + 6 = 08: G shown as
    # niet_benaderd in 08, 09. brief 10-05 moves G to benaderd.
    # SPEC reading: a G shown as niet_benaderd also counts as niet_benaderd for priority.
    check(
        wh,
        1000,
        """
        2023-01 GM0453 23 - F  1 1  1 F   8 ben - C -
        2023-02 GM0453 23 - F  2 1  2 F  17 G   - - -
        2023-03 GM0453 24 - F  3 1  3 T  25 G   - - -
        2023-04 GM0453 24 - F  4 1  4 T  33 G   - - -
        2023-05 GM0453 24 - F  5 1  5 T  42 G   - - -
        2023-06 GM0453 24 - F  6 1  6 T  50 G   - - -
        2023-07 GM0453 24 - F  7 1  7 T  58 G   - - -
        2023-08 GM0453 24 - F  8 1  8 T  67 N   - B -
        2023-09 GM0453 24 - F  9 1  9 T  75 N   - B -
        2023-10 GM0453 24 - F 10 1 10 T  83 ben - B -
        2023-11 GM0453 24 - F 11 1 11 T  92 ben - B -
        2023-12 GM0453 24 - F 12 1 12 T 100 ben - B -
        """,
        [],
        [],
    )
    # bsn(1001), born 1998-05-30: 24 on 01..05, 25 from 06.
    # weigering 01-20, second weigering 04-15 (G -> G, clock restarts): quiet from
    # 04 + 6 = 10, not from 01 + 6 = 07.
    check(
        wh,
        1001,
        """
        2023-01 GM0453 24 - F  1 1  1 F   8 G - - -
        2023-02 GM0453 24 - F  2 1  2 F  17 G - - -
        2023-03 GM0453 24 - F  3 1  3 T  25 G - - -
        2023-04 GM0453 24 - F  4 1  4 T  33 G - - -
        2023-05 GM0453 24 - F  5 1  5 T  42 G - - -
        2023-06 GM0453 25 - F  6 1  6 T  50 G - - -
        2023-07 GM0453 25 - F  7 1  7 T  58 G - - -
        2023-08 GM0453 25 - F  8 1  8 T  67 G - - -
        2023-09 GM0453 25 - F  9 1  9 T  75 G - - -
        2023-10 GM0453 25 - F 10 1 10 T  83 N - B -
        2023-11 GM0453 25 - F 11 1 11 T  92 N - B -
        2023-12 GM0453 25 - F 12 1 12 T 100 N - B -
        """,
        [],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 11: bezwaar (GM0453)
# --------------------------------------------------------------------------------------


def test_case11_bezwaar_for_good(wh):
    # bsn(1100), born 1999-06-06 (23 on 01..06). brief 01-10, bezwaar 02-14, intake 03-10
    # (no effect: bezwaar for good). No priority from 02 on.
    check(
        wh,
        1100,
        """
        2023-01 GM0453 23 - F 1 1 1 F  8 ben - C -
        2023-02 GM0453 23 - F 2 1 2 F 17 B   - - -
        2023-03 GM0453 23 - F 3 1 3 T 25 B   - - -
        2023-04 GM0453 23 - F 4 1 4 T 33 B   - - -
        2023-05 GM0453 23 - F 5 1 5 T 42 B   - - -
        2023-06 GM0453 23 - F 6 1 6 T 50 B   - - -
        """,
        [outflow(1100, "GM0453", "2023-06", "2023-07", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 12: traject_einde (GM0377), events delivered late (2023-05) act from their datum
# --------------------------------------------------------------------------------------


def test_case12_traject_einde(wh):
    # bsn(1200), born 1998-08-08 (24). contact 01-15, intake 02-01, traject_start 03-01,
    # trede 3 on 03-05, traject_einde 05-20 (traject -> bereikt).
    check(
        wh,
        1200,
        """
        2023-01 GM0377 24 - F 1 1 1 F  8 ber - - -
        2023-02 GM0377 24 - F 2 1 2 F 17 int - - -
        2023-03 GM0377 24 - F 3 1 3 T 25 tra 3 - -
        2023-04 GM0377 24 - F 4 1 4 T 33 tra 3 - -
        2023-05 GM0377 24 - F 5 1 5 T 42 ber 3 - -
        2023-06 GM0377 24 - F 6 1 6 T 50 ber 3 - -
        """,
        [outflow(1200, "GM0377", "2023-06", "2023-07", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 13: uitval (GM0377)
# --------------------------------------------------------------------------------------


def test_case13_uitval(wh):
    # bsn(1300), born 1999-04-04: 23 on 01..04, 24 from 05. traject_start 01-10,
    # start_werk 03-10 (U), uitval 05-05 (U -> traject). Placement: uitval within S+6 and
    # on the list -> FALSE.
    check(
        wh,
        1300,
        """
        2023-01 GM0377 23 - F  1 1  1 F   8 tra - - -
        2023-02 GM0377 23 - F  2 1  2 F  17 tra - - -
        2023-03 GM0377 23 - F  3 1  3 T  25 Uw  - - -
        2023-04 GM0377 23 - F  4 1  4 T  33 Uw  - - -
        2023-05 GM0377 24 - F  5 1  5 T  42 tra - - -
        2023-06 GM0377 24 - F  6 1  6 T  50 tra - - -
        2023-07 GM0377 24 - F  7 1  7 T  58 tra - - -
        2023-08 GM0377 24 - F  8 1  8 T  67 tra - - -
        2023-09 GM0377 24 - F  9 1  9 T  75 tra - - -
        2023-10 GM0377 24 - F 10 1 10 T  83 tra - - -
        2023-11 GM0377 24 - F 11 1 11 T  92 tra - - -
        2023-12 GM0377 24 - F 12 1 12 T 100 tra - - -
        """,
        [],
        [placement(1300, "GM0377", "2023-03-10", "werk", False)],
    )
    # bsn(1301), born 1998-12-01 (24). start_opleiding 03-15, off from 04, uitval 07-20.
    # O = 04: the uitval comes after the end of O -> opleiding.
    # Placement S = 03: off in 05..09 but uitval 07-20 <= end of S+6 (09-30) -> FALSE.
    check(
        wh,
        1301,
        """
        2023-01 GM0377 24 - F 1 1 1 F  8 N  - C -
        2023-02 GM0377 24 - F 2 1 2 F 17 N  - C -
        2023-03 GM0377 24 - F 3 1 3 T 25 Uo - - -
        """,
        [outflow(1301, "GM0377", "2023-03", "2023-04", "opleiding")],
        [placement(1301, "GM0377", "2023-03-15", "opleiding", False)],
    )
    # bsn(1302), born 1998-12-01 (24). Listed 01..05; start_werk and uitval both 06-12.
    # SPEC reading: a same-date uitval "follows" the start (the §1 order) for the outflow
    # rule as it does for sustained -> O = 06 is onbekend, the placement FALSE.
    check(
        wh,
        1302,
        """
        2023-01 GM0377 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0377 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0377 24 - F 3 1 3 T 25 N - B -
        2023-04 GM0377 24 - F 4 1 4 T 33 N - B -
        2023-05 GM0377 24 - F 5 1 5 T 42 N - B -
        """,
        [outflow(1302, "GM0377", "2023-05", "2023-06", "onbekend")],
        [placement(1302, "GM0377", "2023-06-12", "werk", False)],
    )


# --------------------------------------------------------------------------------------
# Case 14: the same event exported twice (GM0397 in 2023-02 and 2023-03; GM0392 in
# 2023-03 as START_WERK) -> one event, belonging to GM0392 (the lowest code)
# --------------------------------------------------------------------------------------


def test_case14_same_event_delivered_three_times(wh):
    # bsn(1400), born 1999-09-09 (23). Listed 01, 02 (GM0392); start_werk 02-10; off 03
    # -> werk. Placement S = 02: off in 04..08, age 23 -> TRUE.
    check(
        wh,
        1400,
        """
        2023-01 GM0392 23 - F 1 1 1 F  8 N  - C -
        2023-02 GM0392 23 - F 2 1 2 F 17 Uw - - -
        """,
        [outflow(1400, "GM0392", "2023-02", "2023-03", "werk")],
        [placement(1400, "GM0392", "2023-02-10", "werk", True)],
    )


# --------------------------------------------------------------------------------------
# Case 15: trede (GM0396)
# --------------------------------------------------------------------------------------


def test_case15_trede_same_day_highest_rung(wh):
    # bsn(1500), born 1998-04-30: 24 on 01..04, 25 from 05 (on 05-01 the birthday passed).
    # trede 2 on 02-10; 5 and 3 on 04-10 (highest: 5); 4 on 06-05. trede never changes the
    # stage. Off 08 -> onbekend.
    check(
        wh,
        1500,
        """
        2023-01 GM0396 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0396 24 - F 2 1 2 F 17 N 2 C -
        2023-03 GM0396 24 - F 3 1 3 T 25 N 2 B -
        2023-04 GM0396 24 - F 4 1 4 T 33 N 5 B -
        2023-05 GM0396 25 - F 5 1 5 T 42 N 5 B -
        2023-06 GM0396 25 - F 6 1 6 T 50 N 4 B -
        2023-07 GM0396 25 - F 7 1 7 T 58 N 4 B -
        """,
        [outflow(1500, "GM0396", "2023-07", "2023-08", "onbekend")],
        [],
    )
    # bsn(1501): never listed, only trede events (they count in region_month ladder_up).
    check(wh, 1501, "", [], [])


# --------------------------------------------------------------------------------------
# Case 16: outflow reasons (GM0375), all born 1998-10-10 (24)
# --------------------------------------------------------------------------------------


def test_case16_outflow_reasons(wh):
    # bsn(1600): kvk from 03-10 in GM0375's kvk files of 04 and 05. 03: no kvk file of
    # 01..03 -> not excluded. 04: excluded. Off 05: the 05 file excludes in 05 -> kvk.
    check(
        wh,
        1600,
        """
        2023-01 GM0375 24 -   F 1 1 1 F  8 N - C -
        2023-02 GM0375 24 -   F 2 1 2 F 17 N - C -
        2023-03 GM0375 24 -   F 3 1 3 T 25 N - B -
        2023-04 GM0375 24 kvk F 4 1 4 T 33 N - - -
        """,
        [outflow(1600, "GM0375", "2023-04", "2023-05", "kvk")],
        [],
    )
    # bsn(1601): kvk (05 file) and detentie from 06-02 (06 file). Off 06: both would
    # exclude in 06; detentie comes before kvk -> detentie.
    check(
        wh,
        1601,
        """
        2023-01 GM0375 24 -   F 1 1 1 F  8 N - C -
        2023-02 GM0375 24 -   F 2 1 2 F 17 N - C -
        2023-03 GM0375 24 -   F 3 1 3 T 25 N - B -
        2023-04 GM0375 24 -   F 4 1 4 T 33 N - B -
        2023-05 GM0375 24 kvk F 5 1 5 T 42 N - - -
        """,
        [outflow(1601, "GM0375", "2023-05", "2023-06", "detentie")],
        [],
    )
    # bsn(1602): start_werk and start_opleiding both 03-05 (U ends as werk: start_werk
    # comes after start_opleiding in the §1 order). Off 04 -> werk (same date: werk).
    # Both placements: S = 03, off in 05..09, not 27 -> TRUE.
    check(
        wh,
        1602,
        """
        2023-01 GM0375 24 - F 1 1 1 F  8 N  - C -
        2023-02 GM0375 24 - F 2 1 2 F 17 N  - C -
        2023-03 GM0375 24 - F 3 1 3 T 25 Uw - - -
        """,
        [outflow(1602, "GM0375", "2023-03", "2023-04", "werk")],
        [
            placement(1602, "GM0375", "2023-03-05", "opleiding", True),
            placement(1602, "GM0375", "2023-03-05", "werk", True),
        ],
    )
    # bsn(1603): start_werk 02-20, first listed 04 (run start: 02-20 < 03-01 -> U to N).
    # Off 05: werk window starts at max(02-01, 03-01) = 03-01 -> 02-20 too early ->
    # onbekend. Placement S = 02: on in 04 (S+2) -> FALSE.
    check(
        wh,
        1603,
        """
        2023-04 GM0375 24 - F 1 1 1 F 8 N - C -
        """,
        [outflow(1603, "GM0375", "2023-04", "2023-05", "onbekend")],
        [placement(1603, "GM0375", "2023-02-20", "werk", False)],
    )
    # bsn(1604): buitenland from 03-01 and detentie 02-15..03-10 (both GM0375 03 files).
    # 02: the 03 files do not count yet. Off 03: buitenland comes first.
    check(
        wh,
        1604,
        """
        2023-01 GM0375 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0375 24 - F 2 1 2 F 17 N - C -
        """,
        [outflow(1604, "GM0375", "2023-02", "2023-03", "buitenland")],
        [],
    )
    # bsn(1605): detentie 06-10..06-25 (06 file). Off 07: nothing in 07, but O-1 = 06 ->
    # detentie.
    check(
        wh,
        1605,
        """
        2023-01 GM0375 24 -        F 1 1 1 F  8 N - C -
        2023-02 GM0375 24 -        F 2 1 2 F 17 N - C -
        2023-03 GM0375 24 -        F 3 1 3 T 25 N - B -
        2023-04 GM0375 24 -        F 4 1 4 T 33 N - B -
        2023-05 GM0375 24 -        F 5 1 5 T 42 N - B -
        2023-06 GM0375 24 detentie F 6 1 6 T 50 N - - -
        """,
        [outflow(1605, "GM0375", "2023-06", "2023-07", "detentie")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 17: sustained placements (GM0397). Window ends 2023-12: S+2..S+6 lies in it for
# S <= 2023-06.
# --------------------------------------------------------------------------------------


def test_case17_sustained(wh):
    # bsn(1700): never listed, start_werk 03-03 -> a placement row, sustained NULL.
    check(wh, 1700, "", [], [placement(1700, "GM0397", "2023-03-03", "werk", None)])
    # bsn(1701): listed 01..07, start_werk 08-15 (S = 08): off 10..12 but 2024-01, 2024-02
    # lie outside the window -> NULL. O = 08: werk.
    check(
        wh,
        1701,
        """
        2023-01 GM0397 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0397 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0397 24 - F 3 1 3 T 25 N - B -
        2023-04 GM0397 24 - F 4 1 4 T 33 N - B -
        2023-05 GM0397 24 - F 5 1 5 T 42 N - B -
        2023-06 GM0397 24 - F 6 1 6 T 50 N - B -
        2023-07 GM0397 24 - F 7 1 7 T 58 N - B -
        """,
        [outflow(1701, "GM0397", "2023-07", "2023-08", "werk")],
        [placement(1701, "GM0397", "2023-08-15", "werk", None)],
    )
    # bsn(1702): listed 01..05, start_opleiding 06-20 (S = 06): 08..12 in the window, off,
    # 24 -> TRUE. O = 06: opleiding.
    check(
        wh,
        1702,
        """
        2023-01 GM0397 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0397 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0397 24 - F 3 1 3 T 25 N - B -
        2023-04 GM0397 24 - F 4 1 4 T 33 N - B -
        2023-05 GM0397 24 - F 5 1 5 T 42 N - B -
        """,
        [outflow(1702, "GM0397", "2023-05", "2023-06", "opleiding")],
        [placement(1702, "GM0397", "2023-06-20", "opleiding", True)],
    )
    # bsn(1703): listed 01..06, start_werk 07-03 (S = 07): 09..2024-01 -> NULL. O = 07: werk.
    check(
        wh,
        1703,
        """
        2023-01 GM0397 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0397 24 - F 2 1 2 F 17 N - C -
        2023-03 GM0397 24 - F 3 1 3 T 25 N - B -
        2023-04 GM0397 24 - F 4 1 4 T 33 N - B -
        2023-05 GM0397 24 - F 5 1 5 T 42 N - B -
        2023-06 GM0397 24 - F 6 1 6 T 50 N - B -
        """,
        [outflow(1703, "GM0397", "2023-06", "2023-07", "werk")],
        [placement(1703, "GM0397", "2023-07-03", "werk", None)],
    )
    # bsn(1704), born 1996-08-20: 26 on 01..04 (27 on 2023-09-01). bijna_27 from 03
    # (2023-08-20 < 2023-09-01), not 02 (< 2023-08-01? no). start_werk 04-25 -> U in 04.
    # O = 05: 26 on 05-01, start_werk in [02-01, 05-31] -> werk.
    # SPEC reading: sustained is NULL when the youth turns 27 within S+2..S+6 (here 09, 10)
    # and nothing makes it FALSE: "off without being 27" fails, FALSE does not apply.
    check(
        wh,
        1704,
        """
        2023-01 GM0397 26 - F 1 1 1 F  8 N  - C -
        2023-02 GM0397 26 - F 2 1 2 F 17 N  - C -
        2023-03 GM0397 26 - F 3 1 3 T 25 N  - A bijna_27
        2023-04 GM0397 26 - F 4 1 4 T 33 Uw - - -
        """,
        [outflow(1704, "GM0397", "2023-04", "2023-05", "werk")],
        [placement(1704, "GM0397", "2023-04-25", "werk", None)],
    )


# --------------------------------------------------------------------------------------
# Case 18: persistence over a rolling 12 months (GM0397)
# --------------------------------------------------------------------------------------


def test_case18_rolling_12_months(wh):
    # bsn(1800), born 1998-10-10: 23 on 2022-10-01, 24 from 2022-11, 25 from 2023-11.
    # on 2022-10..12, off 2023-01 (run 1 ends: onbekend), on 2023-02..12 (run 2).
    # 12m at 2023-09: 2022-10..2023-09 = 3 + 8 = 11; 2023-10: 2022-11.. = 2 + 9 = 11;
    # 2023-11: 2022-12.. = 1 + 10 = 11; 2023-12: 2023-01.. = 0 + 11 = 11.
    check(
        wh,
        1800,
        """
        2022-10 GM0397 23 - F  1 1  1 F  8 N - C -
        2022-11 GM0397 24 - F  2 1  2 F 17 N - C -
        2022-12 GM0397 24 - F  3 1  3 T 25 N - B -
        2023-02 GM0397 24 - F  1 2  4 F 33 N - C -
        2023-03 GM0397 24 - F  2 2  5 F 42 N - C -
        2023-04 GM0397 24 - F  3 2  6 T 50 N - A terugkeer
        2023-05 GM0397 24 - F  4 2  7 T 58 N - A terugkeer
        2023-06 GM0397 24 - F  5 2  8 T 67 N - A terugkeer
        2023-07 GM0397 24 - F  6 2  9 T 75 N - A terugkeer
        2023-08 GM0397 24 - F  7 2 10 T 83 N - A terugkeer
        2023-09 GM0397 24 - F  8 2 11 T 92 N - A terugkeer
        2023-10 GM0397 24 - F  9 2 11 T 92 N - A terugkeer
        2023-11 GM0397 25 - F 10 2 11 T 92 N - A terugkeer
        2023-12 GM0397 25 - F 11 2 11 T 92 N - A terugkeer
        """,
        [outflow(1800, "GM0397", "2022-12", "2023-01", "onbekend")],
        [],
    )


# --------------------------------------------------------------------------------------
# Case 19: subtler status and stage rules
# --------------------------------------------------------------------------------------


def test_case19_subtle_rules(wh):
    # bsn(1900), born 1998-02-20: 24 on 01, 02; 25 from 04. 2023-02 on GM0453's and
    # GM0473's lists (counted under GM0453). 2023-03: GM0453 delivers without them, but
    # GM0473, which also listed them in L = 02, delivers nothing -> unknown ("any
    # municipality that listed p in L"). 04 continues the run; off 06.
    check(
        wh,
        1900,
        """
        2023-01 GM0453 24 - F 1 1 1 F  8 N - C -
        2023-02 GM0453 24 - F 2 1 2 F 17 N - C -
        2023-04 GM0453 25 - F 3 1 3 T 25 N - B -
        2023-05 GM0453 25 - F 4 1 4 T 33 N - B -
        """,
        [outflow(1900, "GM0453", "2023-05", "2023-06", "onbekend")],
        [],
    )
    # bsn(1901): GM0453 01..03 born 1997-06-10 (25); 2023-03 also on GM0375's list born
    # 1996-03-15 -> counted under GM0375: age 26, bijna_27 (2023-03-15 < 2023-09-01).
    # 04: not listed; by the birth date counted under in L = 03 they are 27 -> off, and
    # O = 04 gets 27_jaar.
    # SPEC reading: the 27_jaar outflow reason uses the same birth date as the status
    # rule (the one the youth was counted under in the last listed month).
    check(
        wh,
        1901,
        """
        2023-01 GM0453 25 - F 1 1 1 F  8 N - C -
        2023-02 GM0453 25 - F 2 1 2 F 17 N - C -
        2023-03 GM0375 26 - F 3 1 3 T 25 N - A bijna_27
        """,
        [outflow(1901, "GM0375", "2023-03", "2023-04", "27_jaar")],
        [],
    )
    # bsn(1902), born 1999-01-01: exactly 24 on 2023-01-01. start_opleiding 02-10 (U),
    # weigering 03-10 does not move U ("any but U, B"). Off 05 -> opleiding
    # (02-10 in [2023-02-01, 2023-05-31]). Placement S = 02: on in 04 -> FALSE.
    check(
        wh,
        1902,
        """
        2023-01 GM0392 24 - F 1 1 1 F  8 N  - C -
        2023-02 GM0392 24 - F 2 1 2 F 17 Uo - - -
        2023-03 GM0392 24 - F 3 1 3 T 25 Uo - - -
        2023-04 GM0392 24 - F 4 1 4 T 33 Uo - - -
        """,
        [outflow(1902, "GM0392", "2023-04", "2023-05", "opleiding")],
        [placement(1902, "GM0392", "2023-02-10", "opleiding", False)],
    )
    # bsn(1903), born 1999-01-02: 23 on 2023-01-01 (birthday the next day), 24 from 02.
    # start_werk 01-05 (U), bezwaar 02-07 (U -> B), uitval 03-01 (B stays B).
    # Off 04: the uitval follows the start_werk before the end of O -> not werk -> onbekend.
    # Placement S = 01: uitval 03-01 <= end of 07 -> FALSE.
    check(
        wh,
        1903,
        """
        2023-01 GM0392 23 - F 1 1 1 F  8 Uw - - -
        2023-02 GM0392 24 - F 2 1 2 F 17 B  - - -
        2023-03 GM0392 24 - F 3 1 3 T 25 B  - - -
        """,
        [outflow(1903, "GM0392", "2023-03", "2023-04", "onbekend")],
        [placement(1903, "GM0392", "2023-01-05", "werk", False)],
    )


def test_mart_sizes(wh):
    # Counted by hand from the tables above: youth_month 117 filler rows + 4, 7, 35, 10, 14,
    # 6, 14, 15, 21, 24, 6, 6, 20, 2, 7, 21, 22, 14, 14 (cases 1..19) = 379;
    # outflow 2, 2, 5, 2, 2, 1, 2, 3, 1, 0, 1, 1, 2, 1, 1, 6, 4, 1, 4 = 41;
    # placements 800, 801, 1300, 1301, 1302, 1400, 1602 x2, 1603, 1700..1704, 1902, 1903 = 16.
    assert wh.execute("select count(*) from marts.youth_month").fetchone() == (379,)
    assert wh.execute("select count(*) from marts.outflow").fetchone() == (41,)
    assert wh.execute("select count(*) from marts.placements").fetchone() == (16,)


# --------------------------------------------------------------------------------------
# region_month cells, counted by hand from the cases above
# --------------------------------------------------------------------------------------

COUNTS = (
    "on_list",
    "excluded",
    "excluded_buitenland",
    "excluded_detentie",
    "excluded_jongerenloket",
    "excluded_kvk",
    "excluded_rmc",
    "in_view",
    "persistent",
    "priority_a",
    "priority_b",
    "priority_c",
    "approached",
    "reached",
    "in_trajectory",
    "started_work",
    "started_education",
    "ladder_up",
    "outflow_27_jaar",
    "outflow_werk",
    "outflow_opleiding",
    "outflow_buitenland",
    "outflow_detentie",
    "outflow_kvk",
    "outflow_onbekend",
)


def cell(con, gm: str, month: str) -> list[dict[str, int]]:
    rows = con.execute(
        f"select arbeidsmarktregio, {', '.join(COUNTS)} from marts.region_month "
        "where gemeentecode = ? and month = ?",
        [gm, d(month)],
    ).fetchall()
    return [{"arbeidsmarktregio": r[0], **dict(zip(COUNTS, r[1:], strict=True))} for r in rows]


def counts(region: str, **nonzero: int) -> list[dict[str, int]]:
    return [{"arbeidsmarktregio": region, **dict.fromkeys(COUNTS, 0), **nonzero}]


def test_region_month_heemskerk(wh):
    # 2023-04: filler (B), 700 (A bijna_27), 701 (B, boundary), 1500 (B).
    # ladder_up: 1500 (5 > 2) and the never-listed 1501 (3 > 1), both GM0396 events.
    assert cell(wh, "GM0396", "2023-04") == counts(
        ZKI, on_list=4, in_view=4, persistent=4, priority_a=1, priority_b=3, ladder_up=2
    )
    # 2023-06: filler (B), 701 (A), 1500 (B); 700 off at 27. 1500's trede 4 < 5: no ladder.
    assert cell(wh, "GM0396", "2023-06") == counts(
        ZKI, on_list=3, in_view=3, persistent=3, priority_a=1, priority_b=2, outflow_27_jaar=1
    )
    # 2023-10: filler only; 701 off at 27.
    assert cell(wh, "GM0396", "2023-10") == counts(
        ZKI, on_list=1, in_view=1, persistent=1, priority_b=1, outflow_27_jaar=1
    )


def test_region_month_bloemendaal(wh):
    # 2023-03: filler (B), 400 (excluded buitenland), 401 (B), 1200 (traject), 1300 (U werk),
    # 1301 (U opleiding), 1302 (B). start_werk 1300 03-10, start_opleiding 1301 03-15;
    # 1200's trede 3 is a first trede.
    assert cell(wh, "GM0377", "2023-03") == counts(
        ZKI,
        on_list=7,
        excluded=1,
        excluded_buitenland=1,
        in_view=6,
        persistent=6,
        priority_b=3,
        approached=1,
        reached=1,
        in_trajectory=1,
        started_work=1,
        started_education=1,
    )
    # 2023-04: 1301 off (opleiding).
    assert cell(wh, "GM0377", "2023-04") == counts(
        ZKI,
        on_list=6,
        excluded=1,
        excluded_buitenland=1,
        in_view=5,
        persistent=5,
        priority_b=3,
        approached=1,
        reached=1,
        in_trajectory=1,
        outflow_opleiding=1,
    )


def test_region_month_velsen_quiet_period(wh):
    # 2023-08: filler (B), 1000 (G shown as niet_benaderd: B), 1001 (G: no priority).
    assert cell(wh, "GM0453", "2023-08") == counts(
        ZKI, on_list=3, in_view=3, persistent=3, priority_b=2
    )
    # 2023-10: filler (B), 1000 (benaderd, B), 1001 (quiet: niet_benaderd, B).
    assert cell(wh, "GM0453", "2023-10") == counts(
        ZKI, on_list=3, in_view=3, persistent=3, priority_b=3, approached=1
    )


def test_region_month_zandvoort_gaps(wh):
    # SPEC reading: a rejected file is not "a loaded file": no jib (03) or only a rejected
    # jib (05) and no non-zero count -> no GM0473 row. The header-only jib of 07 is loaded
    # (it only does not count as a delivery) -> a row of zeros.
    assert cell(wh, "GM0473", "2023-03") == []
    assert cell(wh, "GM0473", "2023-05") == []
    assert cell(wh, "GM0473", "2023-07") == counts(ZKI)
    # 2023-04: filler (B), 101 (C); 100 off after the unknown 03 -> onbekend.
    assert cell(wh, "GM0473", "2023-04") == counts(
        ZKI, on_list=2, in_view=2, persistent=1, priority_b=1, priority_c=1, outflow_onbekend=1
    )
    # 2023-08: filler (B); 101 off after the unknown 07.
    assert cell(wh, "GM0473", "2023-08") == counts(
        ZKI, on_list=1, in_view=1, persistent=1, priority_b=1, outflow_onbekend=1
    )


def test_region_month_amsterdam_and_its_total(wh):
    # Groot Amsterdam has only GM0363 rows, so its TOTAAL equals GM0363's row.
    # 2023-02: filler (cm 5, B), 501 (cm 2, C). The detentie file GM0363 delivered is
    # counted under 401's listing municipality (GM0377), not here.
    def total(month: str) -> list[dict[str, int]]:
        return [r for r in cell(wh, "TOTAAL", month) if r["arbeidsmarktregio"] == GA]

    feb = counts(GA, on_list=2, in_view=2, persistent=1, priority_b=1, priority_c=1)
    assert cell(wh, "GM0363", "2023-02") == feb
    assert total("2023-02") == feb
    # 2023-03: filler (B), 501 (cm 3, B).
    mar = counts(GA, on_list=2, in_view=2, persistent=2, priority_b=2)
    assert cell(wh, "GM0363", "2023-03") == mar
    assert total("2023-03") == mar
    # 2023-04: filler only; 501 moved to Velsen - no outflow.
    apr = counts(GA, on_list=1, in_view=1, persistent=1, priority_b=1)
    assert cell(wh, "GM0363", "2023-04") == apr
    assert total("2023-04") == apr


def test_region_month_flows_belong_to_the_events_municipality(wh):
    def flow(gm: str, month: str, col: str) -> int:
        rows = cell(wh, gm, month)
        assert len(rows) == 1, (gm, month)
        return rows[0][col]

    # 1400's start_werk 02-10 was delivered by GM0397 (twice) and GM0392: it belongs to
    # GM0392. 1603's start_werk 02-20 belongs to GM0375.
    assert flow("GM0392", "2023-02", "started_work") == 1
    assert flow("GM0397", "2023-02", "started_work") == 0
    assert flow("GM0375", "2023-02", "started_work") == 1
    # 2023-03 GM0397: the never-listed 1700 (03-03) counts.
    assert flow("GM0397", "2023-03", "started_work") == 1
    # 2023-04 GM0397: 800 (04-10) and 1704 (04-25) start work, 801 starts school (04-01).
    assert flow("GM0397", "2023-04", "started_work") == 2
    assert flow("GM0397", "2023-04", "started_education") == 1
    # 1400 off 2023-03 under GM0392 -> werk.
    assert flow("GM0392", "2023-03", "outflow_werk") == 1
