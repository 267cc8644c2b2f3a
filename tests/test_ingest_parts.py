"""Reading a run's files in parts on several cores writes exactly what one process writes:
the same rows, quarantine, audit and report, over a generated region with its faults and
hostile entries, in a first run and in a run over known versions. A worker's failure fails
the ingest and leaves the warehouse as it was."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from pathlib import Path

import duckdb
import pytest
from conftest import INGEST_TABLES, TEST_KEY, bsn, table_rows, write

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest import parts
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import ingest
from orchestration.registry import known_gemeenten

TODAY = dt.date(2025, 6, 15)
TABLES = INGEST_TABLES


def _inbox(root: Path) -> Path:
    from orchestration.generate import generate_inbox

    inbox = root / "inbox"
    generate_inbox(inbox, months=4, start="2025-01", seed=77)
    month = inbox / "2025-02" / "GM0392"
    month.mkdir(parents=True, exist_ok=True)
    # Hostile and broken entries between the honest ones.
    os.symlink("/dev/zero", month / "kvk.csv")
    os.mkfifo(month / "notes.fifo")
    write(month, "rmc.csv", b"bsn;begindatum\n" + f"{bsn(3)};2025-01-01\n".encode() + b"\xff\n")
    write(inbox, "2025-03/GM9999/jib.csv", "bsn;geboortedatum\n")  # unknown gemeente
    big = "".join(f"{bsn(i % 50)};2000-01-0{1 + i % 9}\n" for i in range(3000))
    write(inbox, "2025-04/GM0392/jib.csv", "bsn;geboortedatum\n" + big)  # duplicates
    return inbox


def _ingest(inbox: Path, con, workers: int, **kwargs):
    files = scan_inbox(inbox, known_gemeenten(), today=TODAY)
    return ingest(con, files, None, Pseudonymiser(TEST_KEY), workers=workers, **kwargs)


def _state(con, report) -> tuple:
    rows = table_rows(con, TABLES)
    # Which versions this run found (again): its time, not the values, is volatile.
    rows["seen by the last run"] = con.execute(
        "select path, sha256 from audit.loads "
        "where last_seen_at = (select max(last_seen_at) from audit.loads) order by all"
    ).fetchall()
    rows["held back"] = con.execute("select path from audit.held_back order by all").fetchall()
    return rows, dataclasses.asdict(report)


def test_parts_write_what_one_process_writes(tmp_path, monkeypatch):
    results = []
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        inbox = _inbox(root)
        files = scan_inbox(inbox, known_gemeenten(), today=TODAY)
        # The parallel run really is cut in parts (tiny ones: many part borders).
        monkeypatch.setattr(parts, "PART_BYTES", 20_000)
        plan = parts.plan_parts(files, workers, 0)
        assert (len(plan) > 10) == (workers == 2)
        con = duckdb.connect(str(root / "w.duckdb"))
        first = _state(con, _ingest(inbox, con, workers, parallel_min_bytes=0))
        time.sleep(1.1)  # audit.loads keeps whole seconds: the second run's time differs
        # A second run over known versions: one file changed, one new, one gone, the
        # rejected ones judged again.
        jib = next(inbox.glob("2025-03/*/jib.csv"))
        jib.write_text(jib.read_text().replace("\n", "\r\n"))
        write(inbox, "2025-04/GM0392/rmc.csv", f"bsn;begindatum\n{bsn(7)};2025-03-01\n")
        next(inbox.glob("2025-01/*/kvk.csv")).unlink()
        hour_ago = time.time() - 3600
        for f in inbox.rglob("*.csv"):
            if f.is_file() and not f.is_symlink():
                os.utime(f, (hour_ago, hour_ago))
        write(inbox, "2025-04/GM0375/detentie.csv", f"bsn;begindatum\n{bsn(8)};2025-03-01\n")
        second = _state(con, _ingest(inbox, con, workers, parallel_min_bytes=0, settle_seconds=60))
        assert con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ingest_stage'"
        ).fetchone() == (0,)
        con.close()
        assert not list(root.glob(".ingest-parts-*")), "a part's folder was left behind"
        results.append((first, second))
    (one_first, one_second), (par_first, par_second) = results
    for table in (*TABLES, "seen by the last run", "held back"):
        assert one_first[0][table] == par_first[0][table], table
        assert one_second[0][table] == par_second[0][table], table
    assert one_first[1] == par_first[1] and one_second[1] == par_second[1]
    loads = {r[0]: r for r in one_first[0]["audit.loads"]}
    assert len(loads) > 50 and len(one_first[0]["audit.quarantine"]) > 0
    assert one_second[1]["files_unchanged"] > 0 and one_second[1]["files_loaded"] == 2
    assert one_second[1]["held_back"] == ["2025-04/GM0375/detentie.csv"]


def test_plan_parts_keeps_small_runs_in_one_process(tmp_path):
    inbox = tmp_path / "inbox"
    for i in range(5):
        write(inbox, f"2025-0{i + 1}/GM0392/jib.csv", "bsn;geboortedatum\n" + "x" * 1000)
    files = scan_inbox(inbox, known_gemeenten(), today=TODAY)
    assert [f.size for f in files] == [1018] * 5
    assert parts.plan_parts(files, 1, 0) == []  # one worker
    assert parts.plan_parts(files, 2, 10_000) == []  # below the bytes that pay a worker
    plan = parts.plan_parts(files, 2, 0)
    assert [f for p in plan for f in p] == files  # every file once, in order
    assert len(plan) == 5  # two parts per worker at least: here one file each


def test_a_failing_worker_fails_the_ingest_and_keeps_the_warehouse(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for i in range(4):
        write(inbox, f"2025-0{i + 1}/GM0392/jib.csv", f"bsn;geboortedatum\n{bsn(i)};2000-01-01\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    _ingest(inbox, con, 1)
    before = table_rows(con, TABLES)
    write(inbox, "2025-05/GM0392/jib.csv", f"bsn;geboortedatum\n{bsn(9)};2000-01-01\n")
    write(inbox, "2025-05/GM0375/jib.csv", f"bsn;geboortedatum\n{bsn(8)};2000-01-01\n")
    # The second part's DuckDB file cannot be created: that worker fails.
    real_part = parts.StageDir.part
    monkeypatch.setattr(
        parts.StageDir,
        "part",
        lambda self, n: tmp_path / "nergens" / "x.duckdb" if n == 1 else real_part(self, n),
    )
    with pytest.raises(duckdb.IOException, match="nergens"):
        _ingest(inbox, con, 2, parallel_min_bytes=0)
    assert table_rows(con, TABLES) == before
    assert con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ingest_stage'"
    ).fetchone() == (0,)
    assert not list(tmp_path.glob(".ingest-parts-*"))
    con.close()


def test_a_killed_runs_part_folder_is_removed_by_the_next_ingest(tmp_path):
    dead = tmp_path / ".ingest-parts-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "part-00000.duckdb").write_bytes(b"rows of a killed run")
    alive = tmp_path / f".ingest-parts-{os.getpid()}-def"  # a run that is still going
    alive.mkdir()
    inbox = tmp_path / "inbox"
    write(inbox, "2025-01/GM0392/jib.csv", f"bsn;geboortedatum\n{bsn(1)};2000-01-01\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    _ingest(inbox, con, 1)  # a small run, in one process: it cleans up all the same
    con.close()
    assert not dead.exists() and alive.exists()
    with parts.StageDir(tmp_path) as stage:
        assert stage.path.is_dir() and oct(stage.path.stat().st_mode)[-3:] == "700"
    assert not stage.path.exists()
