"""One bad file never stops, hangs or hijacks the region (issue 11, items 2, 5, 6, 8).

The real `inbeeld run` over an inbox a careless municipality or an attacker could leave:
a FIFO, a dangling link, a link to /dev/zero, a linked month folder, Rich markup in a
path, months in the future and before 2015, a headerless file whose first line is BSNs.
Each is rejected as that one file; the rest loads; the run exits 0, twice in a row; no
BSN reaches the output or the warehouse; the window is not stretched to 2099.
"""

from __future__ import annotations

import os
import threading

import dagster as dg
import duckdb
import pytest
from conftest import bsn, inbeeld, run_env, write

from orchestration.defs.automation.triggers import inbox_sensor
from orchestration.resources import InboxResource

GM = "GM0392"  # Haarlem
SECRET = bsn(7)


def jib(*indices: int) -> str:
    return "bsn;geboortedatum\n" + "".join(f"{bsn(i)};2000-03-0{1 + i % 8}\n" for i in indices)


def hostile_inbox(root):
    inbox = root / "inbox"
    for month in ("2026-08", "2026-09", "2026-10"):
        write(inbox, f"{month}/{GM}/jib.csv", jib(0, 1, 2, 3, 4, 5))
    write(inbox, f"2026-10/{GM}/kvk[/]x.csv", "bsn;begindatum\n")
    write(inbox, f"2026-10/{GM}/rmc.csv", f"{SECRET};{SECRET};01-01-2026\n{bsn(8)};x;y\n")
    write(inbox, f"2099-01/{GM}/jib.csv", jib(0, 1))
    write(inbox, f"1999-12/{GM}/jib.csv", jib(0, 1))
    os.mkfifo(inbox / "2026-10" / GM / "detentie.csv")
    os.symlink(root / "nowhere.csv", inbox / "2026-09" / GM / "kvk.csv")
    os.symlink("/dev/zero", inbox / "2026-09" / GM / "buitenland.csv")
    (root / "elsewhere" / GM).mkdir(parents=True)
    (root / "elsewhere" / GM / "jib.csv").write_text(jib(0))
    os.symlink(root / "elsewhere", inbox / "2026-07")
    return inbox


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    inbox = hostile_inbox(root)
    env = run_env(root, INBEELD_TODAY="2026-11-15")
    first = inbeeld("run", "--inbox", str(inbox), env=env, timeout=600)
    second = inbeeld("run", "--inbox", str(inbox), env=env, timeout=600)
    return root, first, second


def loads(root) -> dict[str, tuple]:
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "select path, status, reason, month, message from audit.loads"
            ).fetchall()
        }
    finally:
        con.close()


def test_the_run_completes_twice_and_names_every_bad_file(hostile):
    root, first, second = hostile
    for run in (first, second):
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Run voltooid" in run.stdout
        assert "MarkupError" not in run.stderr and "Traceback" not in run.stderr
    out = first.stdout
    # Printed as text: the markup in the name is shown, not interpreted.
    assert f"2026-10/{GM}/kvk[/]x.csv" in out
    for path in (
        f"2026-10/{GM}/detentie.csv",
        f"2026-09/{GM}/kvk.csv",
        f"2026-09/{GM}/buitenland.csv",
        f"2099-01/{GM}/jib.csv",
        f"1999-12/{GM}/jib.csv",
    ):
        assert path in out, path


def test_each_bad_entry_is_rejected_with_its_reason(hostile):
    root, _, _ = hostile
    got = loads(root)
    assert got[f"2026-10/{GM}/detentie.csv"][:2] == ("rejected", "not_a_file")
    assert got[f"2026-09/{GM}/kvk.csv"][:2] == ("rejected", "not_a_file")
    assert got[f"2026-09/{GM}/buitenland.csv"][:2] == ("rejected", "not_a_file")
    assert got["2026-07"][:2] == ("rejected", "not_a_file")  # the linked month folder
    for path, words in (
        (f"2099-01/{GM}/jib.csv", "toekomst"),
        (f"1999-12/{GM}/jib.csv", "maand ligt vóór"),
    ):
        status, reason, month, message = got[path]
        assert (status, reason, month) == ("rejected", "invalid_folder", None)
        assert words in message
    assert got[f"2026-10/{GM}/jib.csv"][:2] == ("loaded", None)


def test_the_window_is_not_stretched_by_a_month_in_the_future(hostile):
    root, _, _ = hostile
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        lo, hi = con.execute("select min(month), max(month) from marts.region_month").fetchone()
    finally:
        con.close()
    assert (f"{lo:%Y-%m}", f"{hi:%Y-%m}") == ("2026-08", "2026-10")
    pages = "".join(p.read_text() for p in (root / "publish").rglob("*.html"))
    assert "januari 2099" not in pages and "2099-01" not in pages


def test_no_cell_value_is_echoed_anywhere(hostile):
    """The headerless rmc.csv whose header cells are a BSN: named by column position."""
    root, first, second = hostile
    text = first.stdout + first.stderr + second.stdout + second.stderr
    assert SECRET not in text
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        for table, column in con.execute(
            "select table_schema || '.' || table_name, column_name "
            "from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall():
            hits = con.execute(
                f'select count(*) from {table} where "{column}" like ?', [f"%{SECRET}%"]
            ).fetchone()[0]
            assert hits == 0, (table, column)
    finally:
        con.close()
    for path in (root / "dagster_home").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_the_sensor_skips_what_is_not_a_regular_file(tmp_path):
    """A FIFO or a link to /dev/zero would hang the sensor's hashing for ever."""
    inbox = hostile_inbox(tmp_path)
    result: list = []

    def evaluate() -> None:
        ctx = dg.build_sensor_context(resources={"inbox": InboxResource(path=str(inbox))})
        result.append(inbox_sensor(ctx))

    worker = threading.Thread(target=evaluate, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the sensor hung on a FIFO or /dev/zero"
    (request,) = result[0]  # the backlog is one run over its months
    assert request.tags["dagster/asset_partition_range_start"] == "2026-08-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-10-01"
