"""The work list for Monday morning (issue #13, item 7): one row per youth, sorted by
priority and months on the list, with when the youth turns 27, the latest action, the
channel, the letters, the end of a refusal's quiet period and the next step by the rule
in toelichting.md. End to end through the real `inbeeld` command (real Dagster, real dbt
on DuckDB); then the lifetime of werklijst_bsn.csv: removed by the next run, or after 7
days by the sensor (and by `inbeeld reidentify`) when no run comes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import bsn, inbeeld, pid, run_env, write

from orchestration import settings
from orchestration.atomic import REIDENTIFIED, WarehouseTransaction
from orchestration.defs.automation.cleanup import reidentified_cleanup_sensor
from orchestration.resources import WarehouseResource

HAARLEM, AMSTERDAM = "GM0392", "GM0363"
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")  # the work list month: 2026-10
BORN = "2001-06-01"  # 27 on 2028-06-01: not bijna 27 in 2026-10
BORN_27 = "2000-01-15"  # 27 on 2027-01-15: bijna 27 in 2026-10

N = bsn(10)  # never approached; on the list from 2026-08 (3 months)
E = bsn(11)  # one letter, 2026-09-15: over four weeks ago
W = bsn(12)  # one letter, 2026-10-20: under four weeks ago
T = bsn(13)  # two letters: 2026-08-01, 2026-09-01
P = bsn(14)  # bijna 27, a letter last week (2026-10-25): a home visit first
S = bsn(15)  # on the list from 2026-09 only (2 months): priority C
R = bsn(16)  # weigering 2026-08-10: quiet until 2027-02-01
Z = bsn(17)  # bezwaar 2026-11-02: not on the list at all
NAMES = dict(zip((N, E, W, T, P, S, R, Z), "NEWTPSRZ", strict=True))

HEADER = [
    "pseudo_id",
    "geboortedatum",
    "prioriteit",
    "prioriteit_reden",
    "fase",
    "maanden_aaneengesloten",
    "uitsluitingsredenen",
    "trede",
    "wordt_27_op",
    "laatste_actie",
    "laatste_actie_datum",
    "kanaal",
    "aantal_brieven",
    "rust_tot",
    "volgende_stap",
]


def _jib(month: str) -> str:
    youths = [E, W, T, P, R, Z]
    if month >= "2026-08":
        youths.append(N)
    if month >= "2026-09":
        youths.append(S)
    return "bsn;geboortedatum\n" + "".join(f"{b};{BORN_27 if b == P else BORN}\n" for b in youths)


def _set_age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


@pytest.fixture(scope="module")
def monday(tmp_path_factory):
    root = tmp_path_factory.mktemp("werklijst_maandag")
    inbox = root / "inbox"
    for month in MONTHS:
        write(inbox, f"{month}/{HAARLEM}/jib.csv", _jib(month))
    write(inbox, f"2026-10/{AMSTERDAM}/jib.csv", f"bsn;geboortedatum\n{bsn(18)};{BORN}\n")
    write(
        inbox,
        f"2026-10/{HAARLEM}/begeleiding.csv",
        "bsn;datum;gebeurtenis;waarde\n"
        f"{E};2026-09-15;brief;\n"
        f"{W};2026-10-20;brief;\n"
        f"{T};2026-08-01;brief;\n"
        f"{T};2026-09-01;tweede_brief;\n"
        f"{P};2026-10-25;brief;\n"
        f"{R};2026-07-20;brief;\n"
        f"{R};2026-08-10;weigering;\n",
    )
    write(
        inbox,
        f"2026-11/{HAARLEM}/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{Z};2026-11-02;bezwaar;\n",
    )
    env = run_env(root, INBEELD_TODAY="2026-12-15")
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"root": root, "inbox": inbox, "env": env, "exports": root / "exports"}


def _rows(exports: Path, gm: str) -> list[dict[str, str]]:
    lines = (exports / gm / "werklijst.csv").read_text().splitlines()
    header = lines[0].split(";")
    assert header == HEADER
    return [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]


def test_one_row_per_youth_sorted_by_priority_then_months(monday):
    rows = _rows(monday["exports"], HAARLEM)
    by_pid = {r["pseudo_id"]: r for r in rows}
    assert len(by_pid) == len(rows)
    assert set(by_pid) == {pid(y) for y in (N, E, W, T, P, S, R)}
    order = [(r["prioriteit"] or "Z", -int(r["maanden_aaneengesloten"])) for r in rows]
    assert order == sorted(order)
    assert rows[0]["pseudo_id"] == pid(P)  # A first
    assert rows[-2]["pseudo_id"] == pid(S) and rows[-1]["pseudo_id"] == pid(R)
    assert by_pid[pid(N)]["maanden_aaneengesloten"] == "3"
    assert rows[4]["pseudo_id"] == pid(N)  # B with 3 months after the B's with 4


def test_next_step_follows_the_stated_rule(monday):
    by_pid = {r["pseudo_id"]: r for r in _rows(monday["exports"], HAARLEM)}

    def cols(youth: str) -> tuple[str, ...]:
        r = by_pid[pid(youth)]
        keys = ("laatste_actie", "laatste_actie_datum", "kanaal", "aantal_brieven")
        return (*(r[k] for k in keys), r["volgende_stap"])

    # The waits count to 2026-10-25, the newest event of Haarlem dated in 2026-10.
    assert cols(N) == ("", "", "", "0", "brief")
    assert cols(E) == ("brief", "2026-09-15", "brief", "1", "tweede_brief_of_whatsapp")
    assert cols(W) == ("brief", "2026-10-20", "brief", "1", "afwachten")
    assert cols(T) == ("tweede_brief", "2026-09-01", "tweede_brief", "2", "huisbezoek")
    assert cols(P) == ("brief", "2026-10-25", "brief", "1", "huisbezoek")
    assert by_pid[pid(P)]["wordt_27_op"] == "2027-01-15"
    assert by_pid[pid(P)]["prioriteit"] == "A"
    assert by_pid[pid(S)]["prioriteit"] == "C" and by_pid[pid(S)]["volgende_stap"] == "brief"
    assert by_pid[pid(N)]["wordt_27_op"] == "2028-06-01"
    assert all(r["rust_tot"] == "" for p, r in by_pid.items() if p != pid(R))


def test_a_refusal_shows_the_end_of_its_quiet_period_and_no_step(monday):
    row = {r["pseudo_id"]: r for r in _rows(monday["exports"], HAARLEM)}[pid(R)]
    quiet = settings.dbt_var("declined_quiet_months")
    assert quiet == 6  # 2026-08 + 6 months
    assert (row["fase"], row["prioriteit"], row["volgende_stap"]) == ("geweigerd", "", "")
    assert row["rust_tot"] == "2027-02-01"
    assert (row["laatste_actie"], row["laatste_actie_datum"]) == ("weigering", "2026-08-10")
    # The letter before the refusal belongs to the approach the refusal ended.
    assert (row["kanaal"], row["aantal_brieven"]) == ("", "0")


def test_bezwaar_keeps_the_youth_off_the_list(monday):
    text = (monday["exports"] / HAARLEM / "werklijst.csv").read_text()
    assert pid(Z) not in text and Z not in text


def test_the_explanation_states_every_column_the_rule_and_the_bsn_lifetime(monday):
    text = (monday["exports"] / HAARLEM / "toelichting.md").read_text()
    for column in HEADER:
        assert f"`{column}`" in text, column
    wait = settings.dbt_var("approach_wait_days")
    almost = settings.dbt_var("almost_27_months")
    assert f"minder dan {wait} dagen oud → `afwachten`" in text
    assert f"wordt binnen {almost} maanden na de peildatum van 2026-10 27" in text
    assert f"De {wait} dagen zijn geteld tot 2026-10-25" in text
    for step in ("`brief`", "`tweede_brief_of_whatsapp`", "`huisbezoek`", "`teamoverleg`"):
        assert step in text
    assert (
        "`werklijst_bsn.csv` wordt verwijderd bij de volgende\nrun of na 7 dagen, wat het "
        "eerst komt." in text
    )


def test_mart_matches_the_file(monday):
    con = duckdb.connect(str(monday["root"] / "w.duckdb"), read_only=True)
    try:
        steps = dict(
            con.execute(
                "select pseudo_id, next_step from marts.werklijst where gemeentecode = ?",
                [HAARLEM],
            ).fetchall()
        )
    finally:
        con.close()
    assert steps[pid(T)] == "huisbezoek" and steps[pid(R)] is None


def test_reidentify_removes_expired_lists_and_the_next_run_removes_its_own(monday):
    """Runs last in this module: it runs the pipeline again."""
    exports, env, inbox = monday["exports"], monday["env"], monday["inbox"]
    # A list of another municipality from 8 days ago, left behind: reidentify sweeps it.
    stale = write(exports, f"{AMSTERDAM}/{REIDENTIFIED}", "bsn;geboortedatum\n")
    _set_age(stale, 8)
    r = inbeeld("reidentify", "--gemeente", HAARLEM, "--inbox", str(inbox), env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "verwijderd bij de volgende run of na 7 dagen" in " ".join(r.stdout.split())
    target = exports / HAARLEM / REIDENTIFIED
    assert target.is_file() and not stale.exists()
    bsns = {line.split(";")[0] for line in target.read_text().splitlines()[1:]}
    assert bsns == {N, E, W, T, P, S}  # priority, never the refusal or the objection

    again = inbeeld("run", "--inbox", str(inbox), env=env)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert not target.exists()
    assert (exports / HAARLEM / "werklijst.csv").is_file()


# ------------------------------------------------------------- lifetime without a pipeline


def _exports_with_lists(root: Path) -> tuple[Path, Path, Path, Path]:
    exports = root / "exports"
    old = write(exports, f"{HAARLEM}/{REIDENTIFIED}", "bsn;geboortedatum\n")
    fresh = write(exports, f"{AMSTERDAM}/{REIDENTIFIED}", "bsn;geboortedatum\n")
    work_list = write(exports, f"{HAARLEM}/werklijst.csv", "pseudo_id\n")
    _set_age(old, 8)
    _set_age(work_list, 8)
    _set_age(fresh, 6)
    return exports, old, fresh, work_list


def test_the_sensor_removes_lists_older_than_seven_days_even_without_a_run(tmp_path):
    exports, old, fresh, work_list = _exports_with_lists(tmp_path)
    resource = WarehouseResource(
        path=str(tmp_path / "w.duckdb"),
        publish_path=str(tmp_path / "publish"),
        exports_path=str(exports),
    )
    with dg.build_sensor_context(resources={"warehouse": resource}) as ctx:
        result = reidentified_cleanup_sensor(ctx)
    assert isinstance(result, dg.SkipReason)  # it never starts a run
    assert not old.exists()
    assert fresh.exists() and work_list.exists()  # 6 days old; the work list itself stays
    assert HAARLEM in (result.skip_message or "")
    with dg.build_sensor_context(resources={"warehouse": resource}) as ctx:
        again = reidentified_cleanup_sensor(ctx)
    assert "Geen werklijst met BSN" in (again.skip_message or "")


def test_the_sensor_is_on_by_default():
    from orchestration.definitions import defs

    sensor = defs.resolve_sensor_def("inbeeld_werklijst_bsn_opruimen")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds <= 3600


def test_a_writing_run_removes_every_list_when_it_begins_even_if_it_fails(tmp_path):
    exports, old, fresh, work_list = _exports_with_lists(tmp_path)
    tx = WarehouseTransaction(tmp_path / "w.duckdb", "run-1", private=[exports])
    tx.begin()
    try:
        assert not old.exists() and not fresh.exists()
        assert work_list.exists()  # replaced only when the run commits
    finally:
        tx.release()  # not committed: an aborted run
    assert not fresh.exists() and work_list.exists()
