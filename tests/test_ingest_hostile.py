"""Hostile inboxes: values never in messages, entries that are no files, out-of-range month
folders, huge files read in chunks, files still being written, short lists, sociale kaart
types. Real files in tmp_path, the real ingest() on a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import threading
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, bsn, pid, table_rows, write

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest import inbox as inbox_mod
from orchestration.ingest import limits, reader
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import IngestReport, ingest

KNOWN = {"GM0375", "GM0377", "GM0392"}
TODAY = dt.date(2024, 3, 15)
EMPTY_SHA = hashlib.sha256(b"").hexdigest()
B = [bsn(i) for i in range(400, 460)]
JIB = "2024-03/GM0375/jib.csv"


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def run(inbox: Path, con, *, today: dt.date = TODAY, timeout: float = 60, **kwargs) -> IngestReport:
    """The real ingest in a thread: a hostile entry must not hang the test run."""
    result: dict = {}

    def target() -> None:
        try:
            files = scan_inbox(inbox, KNOWN, today=today)
            result["report"] = ingest(con, files, None, Pseudonymiser(TEST_KEY), **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the ingest hung"
    if "error" in result:
        raise result["error"]
    return result["report"]


def audit(con) -> dict[str, tuple]:
    rows = con.execute(
        "select path, status, reason, sha256, month, gemeentecode, rows_in, rows_loaded, "
        "rows_quarantined, message from audit.loads"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def all_text(con) -> list[str]:
    """Every varchar value of every table of the warehouse."""
    out = []
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR'"
    ).fetchall():
        out += [
            v for (v,) in con.execute(f'select "{column}" from {schema}.{table}').fetchall() if v
        ]
    return out


# ----------------------------------------------------------------- 1. no values in messages


def test_headerless_duplicate_column_names_positions_never_the_bsn(inbox, con):
    secret = B[0]
    write(inbox, "2024-03/GM0375/kvk.csv", f"{secret};{secret};01-01-2024\n{B[1]};{B[1]};x\n")
    report = run(inbox, con)
    status, reason, *_, message = audit(con)["2024-03/GM0375/kvk.csv"]
    assert (status, reason) == ("rejected", "duplicate_column")
    assert "kolommen 1 en 2" in message and "regel 1" in message
    assert not any(secret in v for v in all_text(con))
    assert secret not in repr(report)


def test_messages_are_capped(inbox, con):
    deep = "/".join(["m" * 200] * 8)  # a path of 1,600+ characters
    write(inbox, f"{deep}/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    # A 5 MB header line of equal names: the message names positions, and stays short.
    write(inbox, "2024-03/GM0375/kvk.csv", ";".join(["x" * 50] * 100_000) + "\n")
    report = run(inbox, con)
    got = audit(con)
    assert {v[1] for v in got.values()} == {"invalid_folder", "duplicate_column"}
    for *_, message in got.values():
        assert len(message) <= limits.MAX_MESSAGE_CHARS
    assert all(len(r.message) <= limits.MAX_MESSAGE_CHARS for r in report.rejections)
    assert "x" * 50 not in " ".join(m for *_, m in got.values())


# ----------------------------------------------------------------- 2. not a file


def test_entries_that_are_no_regular_file_are_refused_unread(inbox, con, tmp_path, monkeypatch):
    target = write(tmp_path / "elders", "jib.csv", f"bsn;geboortedatum\n{B[2]};2000-01-01\n")
    folder = inbox / "2024-03"
    write(inbox, JIB, f"bsn;geboortedatum\n{B[0]};2000-01-01\n")  # an honest neighbour
    (folder / "GM0377").mkdir()
    os.symlink(target, folder / "GM0377" / "jib.csv")  # symlink to a file
    (folder / "GM0392").mkdir()
    os.symlink(tmp_path / "missing.csv", folder / "GM0392" / "jib.csv")  # dangling
    os.symlink("/dev/zero", folder / "GM0375" / "kvk.csv")  # endless device
    os.mkfifo(folder / "GM0375" / "rmc.csv")  # a writer-less FIFO blocks a plain open
    os.mkfifo(folder / "GM0375" / "notes.fifo")  # refused by name, still never opened
    os.symlink(tmp_path / "elders", folder / "GM0375" / "detentie.csv")  # to a folder
    os.symlink(tmp_path / "elders", inbox / "2024-04")  # a symlinked month folder
    monkeypatch.chdir(folder / "GM0375")  # AF_UNIX paths are short: bind relative
    sock = socket.socket(socket.AF_UNIX)
    sock.bind("vso_pro.csv")
    try:
        report = run(inbox, con)
    finally:
        sock.close()
    got = audit(con)
    assert got[JIB][:2] == ("loaded", None)
    refused = {
        "2024-03/GM0377/jib.csv": "snelkoppeling",
        "2024-03/GM0392/jib.csv": "snelkoppeling",
        "2024-03/GM0375/kvk.csv": "snelkoppeling",
        "2024-03/GM0375/rmc.csv": "named pipe",
        "2024-03/GM0375/detentie.csv": "snelkoppeling naar een map",
        "2024-03/GM0375/vso_pro.csv": "socket",
    }
    for path, what in refused.items():
        status, reason, sha, *_, message = got[path]
        assert (status, reason, sha) == ("rejected", "not_a_file", EMPTY_SHA), path
        assert what in message and path in message and "opnieuw" in message
    # Whatever its name: a link or FIFO is refused as what it is, never opened.
    assert got["2024-03/GM0375/notes.fifo"][:3] == ("rejected", "not_a_file", EMPTY_SHA)
    assert got["2024-04"][1] == "not_a_file"  # a linked month folder
    assert con.execute("select count(*) from raw.jib").fetchone() == (1,)
    assert report.files_loaded == 1
    # The same entries again: unchanged, nothing added.
    again = run(inbox, con)
    assert again.files_loaded == 0 and len(audit(con)) == len(got)


def test_file_gone_between_scan_and_read(inbox, con):
    write(inbox, JIB, f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    files = scan_inbox(inbox, KNOWN, today=TODAY)
    (inbox / JIB).unlink()
    report = ingest(con, files, None, Pseudonymiser(TEST_KEY))
    status, reason, sha, *_, message = audit(con)[JIB]
    assert (status, reason, sha) == ("rejected", "not_a_file", EMPTY_SHA)
    assert "verdween tijdens het lezen" in message
    assert report.rejections[0].reason == "not_a_file"


def test_rich_markup_in_a_path_just_works(inbox, con):
    write(inbox, "2024-03/GM0375/kvk[/]x.csv", "bsn;begindatum\n")
    write(inbox, "2024-03/GM0375/[bold]jib.csv", "bsn;geboortedatum\n")
    run(inbox, con)
    got = audit(con)
    assert got["2024-03/GM0375/kvk[/]x.csv"][1] == "invalid_folder"
    assert got["2024-03/GM0375/[bold]jib.csv"][1] == "unknown_file"
    assert "2024-03/GM0375/kvk[/]x.csv" in got["2024-03/GM0375/kvk[/]x.csv"][-1]


# ----------------------------------------------------------------- 3. month folders


def test_month_folders_outside_the_range_are_invalid_folders(inbox, con, monkeypatch):
    monkeypatch.delenv("INBEELD_FIRST_MONTH", raising=False)
    row = f"bsn;geboortedatum\n{B[0]};2000-01-01\n"
    for month in ("2024-03", "2024-04", "2099-01", "2014-12"):
        write(inbox, f"{month}/GM0375/jib.csv", row)
    run(inbox, con)
    got = audit(con)
    assert got["2024-03/GM0375/jib.csv"][:2] == ("loaded", None)
    for month, why in (
        ("2024-04", "in de toekomst"),
        ("2099-01", "in de toekomst"),
        ("2014-12", "vóór 2015-01"),
    ):
        status, reason, _, m, gm, *_, message = got[f"{month}/GM0375/jib.csv"]
        assert (status, reason, m, gm) == ("rejected", "invalid_folder", None, None)
        assert why in message
    assert inbox_mod.month_in_range(dt.date(2024, 3, 1), TODAY)
    assert not inbox_mod.month_in_range(dt.date(2024, 4, 1), TODAY)
    assert not inbox_mod.month_in_range(dt.date(2014, 12, 1), TODAY)
    assert dt.date(2015, 1, 1) == inbox_mod.first_month_floor()


def test_month_folders_before_the_configured_first_month_are_invalid(inbox, con, monkeypatch):
    """INBEELD_FIRST_MONTH moves the floor: the partitions and the ingest agree on it."""
    monkeypatch.setenv("INBEELD_FIRST_MONTH", "2024-03")
    row = f"bsn;geboortedatum\n{B[0]};2000-01-01\n"
    for month in ("2024-02", "2024-03"):
        write(inbox, f"{month}/GM0375/jib.csv", row)
    run(inbox, con)
    got = audit(con)
    assert got["2024-03/GM0375/jib.csv"][:2] == ("loaded", None)
    status, reason, *_, message = got["2024-02/GM0375/jib.csv"]
    assert (status, reason) == ("rejected", "invalid_folder")
    assert "vóór 2024-03 (INBEELD_FIRST_MONTH)" in message


def test_scan_inbox_today_defaults_to_settings(inbox, monkeypatch):
    write(inbox, "2024-04/GM0375/jib.csv", "bsn;geboortedatum\n")
    monkeypatch.setenv("INBEELD_TODAY", "2024-03-31")
    assert scan_inbox(inbox, KNOWN)[0].reason == "invalid_folder"
    monkeypatch.setenv("INBEELD_TODAY", "2024-04-01")
    assert scan_inbox(inbox, KNOWN)[0].reason is None


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("2024-03/jib.csv", "direct in de maandmap '2024-03', zonder gemeentemap"),
        ("GM0375/jib.csv", "gemeentemap 'GM0375' zonder maandmap"),
        ("2024-03/GM0375/extra/jib.csv", "te diep, in de submap 'extra'"),
        ("2024-03/gemeente/jib.csv", "gemeentemap 'gemeente' is geen geldige gemeentecode"),
        ("maart/GM0375/jib.csv", "maandmap 'maart' is geen geldige maand"),
    ],
)
def test_invalid_folder_names_the_right_level(inbox, con, path, says):
    write(inbox, path, "bsn;geboortedatum\n")
    run(inbox, con)
    status, reason, *_, message = audit(con)[path]
    assert (status, reason) == ("rejected", "invalid_folder")
    assert says in message, message


# ----------------------------------------------------------------- 4. big files


def test_too_large_file_is_refused_without_reading(inbox, con, monkeypatch):
    monkeypatch.setenv("INBEELD_MAX_FILE_MB", "0.01")  # about 10 kB
    big = "bsn;geboortedatum\n" + f"{B[0]};2000-01-01\n" * 1000
    write(inbox, JIB, big)
    write(inbox, "2024-03/GM0377/jib.csv", f"bsn;geboortedatum\n{B[1]};2000-01-01\n")
    run(inbox, con)
    got = audit(con)
    status, reason, sha, *_, message = got[JIB]
    assert (status, reason, sha) == ("rejected", "file_too_large", EMPTY_SHA)
    assert "MB" in message and "INBEELD_MAX_FILE_MB" in message
    assert got["2024-03/GM0377/jib.csv"][:2] == ("loaded", None)


TABLES = ("audit.loads", "audit.quarantine", "raw.jib", "raw.registration")


def _chunky_inbox(root: Path) -> None:
    rows = ["bsn;geboortedatum;gemeentecode"]
    for i in range(40):  # duplicates across any chunk border, some invalid rows
        rows.append(f"{B[i % 7]};{'2000-01-01' if i % 5 else '2030-01-01'};GM0375")
    write(root, JIB, "\n".join(rows) + "\n")
    # The municipality column goes wrong on the last row only.
    late = [f"{B[i]};2000-01-01;GM0377" for i in range(30)] + [f"{B[40]};2000-01-01;GM0392"]
    write(root, "2024-03/GM0377/jib.csv", "bsn;geboortedatum;gemeentecode\n" + "\n".join(late))
    # Invalid UTF-8 after many good rows.
    bad = "bsn;begindatum\n" + "".join(f"{B[i]};2024-01-01\n" for i in range(30))
    write(root, "2024-03/GM0392/kvk.csv", bad.encode() + b"\xff\n")
    write(root, "2024-03/GM0392/rmc.csv", bad + "\n\n")
    write(root, "2024-03/GM0392/jib.csv", "bsn;geboortedatum\n" + f"{B[50]};2000-01-01\n" * 9)


def test_chunked_reading_gives_the_same_outcome(tmp_path, monkeypatch):
    results = []
    for chunk in (1_000_000, 4, 1):
        root = tmp_path / f"c{chunk}"
        _chunky_inbox(root / "inbox")
        monkeypatch.setattr(limits, "CHUNK_ROWS", chunk)
        c = duckdb.connect(str(root / "w.duckdb"))
        run(root / "inbox", c)
        results.append(table_rows(c, TABLES))
        assert c.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ingest_stage'"
        ).fetchone() == (0,)
        c.close()
    assert results[0] == results[1] == results[2]
    got = {r[0]: r for r in results[1]["audit.loads"]}
    jib = got[JIB]
    assert (jib[6], jib[7], jib[8], jib[9]) == (
        "loaded",
        40,
        7,
        33,
    )  # 7 BSNs; every 5th row out of range
    late = got["2024-03/GM0377/jib.csv"]
    assert (late[6], late[7], late[10]) == ("rejected", 31, "gemeentecode_mismatch")
    kvk = got["2024-03/GM0392/kvk.csv"]
    assert (kvk[6], kvk[7], kvk[10]) == ("rejected", None, "not_utf8")
    assert "positie 645" in kvk[11]  # 15 + 30 * 21 bytes before the bad one
    data = (tmp_path / "c1" / "inbox" / "2024-03/GM0392/kvk.csv").read_bytes()
    assert reader.decode(data).detail in kvk[11]  # as the in-memory reading says
    dup = got["2024-03/GM0392/jib.csv"]
    assert (dup[7], dup[8], dup[9]) == (9, 1, 8)
    raw_paths = {r[0] for r in results[1]["raw.jib"]} | {
        r[0] for r in results[1]["raw.registration"]
    }
    assert raw_paths == {JIB, "2024-03/GM0392/jib.csv", "2024-03/GM0392/rmc.csv"}
    q_paths = {r[0] for r in results[1]["audit.quarantine"]}
    assert q_paths == {JIB, "2024-03/GM0392/jib.csv"}


def test_duplicates_across_chunks_name_an_earlier_valid_row(inbox, con, monkeypatch):
    monkeypatch.setattr(limits, "CHUNK_ROWS", 2)
    rows = [f"{B[0]};2030-01-01", f"{B[1]};2000-01-01", f"{B[0]};2000-01-01", f"{B[1]};1999-1-1"]
    write(inbox, JIB, "bsn;geboortedatum\n" + "\n".join(rows) + "\n")
    run(inbox, con)
    assert con.execute("select line, pseudo_id from raw.jib order by line").fetchall() == [
        (3, pid(B[1])),
        (4, pid(B[0])),
    ]
    assert con.execute("select line, reason from audit.quarantine order by line").fetchall() == [
        (2, "age_out_of_range"),
        (5, "duplicate_bsn"),
    ]


def test_memory_limit_of_duckdb_is_restored(inbox, con):
    before = con.execute("select current_setting('memory_limit')").fetchone()
    write(inbox, JIB, f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    run(inbox, con)
    assert con.execute("select current_setting('memory_limit')").fetchone() == before


# ----------------------------------------------------------------- 5. still being written


def test_recent_files_are_held_back_until_they_settle(inbox, con):
    write(inbox, JIB, f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    report = run(inbox, con, settle_seconds=60)
    assert report.held_back == [JIB] and report.files_loaded == 0
    assert audit(con) == {}
    assert [p for (p,) in con.execute("select path from audit.held_back").fetchall()] == [JIB]
    old = dt.datetime.now().timestamp() - 120
    os.utime(inbox / JIB, (old, old))
    report = run(inbox, con, settle_seconds=60)
    assert report.held_back == [] and report.files_loaded == 1
    assert con.execute("select count(*) from audit.held_back").fetchone() == (0,)


def test_settle_seconds_setting(monkeypatch):
    monkeypatch.delenv("INBEELD_SETTLE_SECONDS", raising=False)
    assert limits.settle_seconds() == 60
    monkeypatch.setenv("INBEELD_SETTLE_SECONDS", "0")
    assert limits.settle_seconds() == 0
    monkeypatch.delenv("INBEELD_MAX_FILE_MB", raising=False)
    assert limits.max_file_bytes() == 512 * 2**20


def test_short_lists_are_reported(inbox, con):
    def jib(month: str, gm: str, n: int) -> None:
        body = "".join(f"{B[i]};2000-01-01\n" for i in range(n))
        write(inbox, f"{month}/{gm}/jib.csv", "bsn;geboortedatum\n" + body)

    jib("2024-01", "GM0375", 10)
    jib("2024-02", "GM0375", 4)  # less than half of 10
    jib("2024-01", "GM0377", 10)
    jib("2024-02", "GM0377", 5)  # exactly half: not short
    report = run(inbox, con)
    assert report.short_lists == [("2024-02/GM0375/jib.csv", 4, 10)]
    jib("2024-03", "GM0375", 1)  # the next month, against February's 4
    assert run(inbox, con).short_lists == [("2024-03/GM0375/jib.csv", 1, 4)]


# ----------------------------------------------------------------- 6. sociale kaart types


def test_sociale_kaart_unknown_type_is_quarantined(inbox, con):
    write(
        inbox,
        "sociale_kaart.csv",
        "organisatie_id;naam;type\n"
        "org-1;Buurthuis;  Cultuur_Religie \n"
        "org-2;Bakker;winkel\n"
        "org-3;Sportclub;interesse_hobby\n"
        "org-4;Leeg;\n",
    )
    run(inbox, con)
    status, reason, *_, rows_in, loaded, quarantined, _ = audit(con)["sociale_kaart.csv"]
    assert (status, reason, rows_in, loaded, quarantined) == ("loaded", None, 4, 2, 2)
    assert con.execute(
        "select organisatie_id, type from raw.sociale_kaart order by all"
    ).fetchall() == [("ORG-1", "cultuur_religie"), ("ORG-3", "interesse_hobby")]
    q = con.execute("select line, reason, message from audit.quarantine order by line").fetchall()
    assert [(ln, r) for ln, r, _ in q] == [(3, "invalid_type"), (5, "invalid_type")]
    assert all("sociale_kaart.csv" in m and f"regel {ln}" in m for ln, _, m in q)


def test_a_months_scan_lists_what_the_ingest_would_keep_of_a_full_scan(tmp_path: Path):
    """scan_inbox(months=...) leaves out the files of other months' slots, and nothing
    else: every entry that belongs to no month (a bad folder inside another month, a
    link, a root file) is still listed, so it is refused in every run as before."""
    from orchestration.ingest.load import _in_scope

    inbox = tmp_path / "inbox"
    for month in ("2024-01", "2024-02", "2024-03"):
        write(inbox, f"{month}/GM0375/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
        write(inbox, f"{month}/GM9999/jib.csv", "bsn;geboortedatum\n")  # unknown gemeente
    write(inbox, "2024-01/GM0375/diep/jib.csv", "x\n")  # too deep: no slot
    write(inbox, "2024-01/gemeente/jib.csv", "x\n")  # no gemeente folder
    write(inbox, "2024-01/jib.csv", "x\n")  # directly in the month folder
    write(inbox, "2024-13/GM0375/jib.csv", "x\n")  # no month
    write(inbox, "sociale_kaart.csv", "organisatie_id;naam;type\n")
    os.symlink(inbox / "2024-02", inbox / "2024-01" / "GM0377")  # a linked folder
    os.symlink(inbox / "2024-02/GM0375/jib.csv", inbox / "2024-02/GM0375/begeleiding.csv")

    def seen(files) -> list[tuple]:
        return [(f.path, f.reason, f.detail, f.month, f.source) for f in files]

    everything = scan_inbox(inbox, KNOWN, today=TODAY)
    for months in ({dt.date(2024, 3, 1)}, {dt.date(2024, 1, 1), dt.date(2024, 2, 1)}):
        expected = seen(f for f in everything if _in_scope(f, months))
        assert seen(scan_inbox(inbox, KNOWN, today=TODAY, months=months)) == expected
    march = seen(scan_inbox(inbox, KNOWN, today=TODAY, months={dt.date(2024, 3, 1)}))
    paths = {p for p, *_ in march}
    assert "2024-01/GM0375/diep/jib.csv" in paths and "2024-01/jib.csv" in paths
    assert "2024-01/GM0375/jib.csv" not in paths and "2024-03/GM0375/jib.csv" in paths
    assert seen(scan_inbox(inbox, KNOWN, today=TODAY, months=None)) == seen(everything)
