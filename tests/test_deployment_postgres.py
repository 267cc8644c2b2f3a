"""The shared deployment: Dagster's run and event storage in PostgreSQL (Debian's server,
started here on loopback by the test itself), the real pipeline run against it."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, TEST_KEY, bsn, inbeeld, write

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not PG_BIN, reason="no PostgreSQL server: `make test` installs it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_db_owner(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run it as the Debian package's own user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def postgres():
    bin_dir = Path(PG_BIN[-1])
    root = Path(tempfile.mkdtemp(prefix="inbeeld-pg-", dir="/tmp"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run(
        as_db_owner(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "dagster", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        as_db_owner(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "server.log"),
                "-o",
                f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user="dagster", dbname="postgres")
        con.autocommit = True  # CREATE DATABASE refuses to run in a transaction
        con.cursor().execute("create database dagster")
        con.close()
        yield port
    finally:
        subprocess.run(
            as_db_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def test_pipeline_runs_with_run_and_event_storage_in_postgres(postgres, tmp_path):
    import psycopg2

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deployment" / "dagster.postgres.yaml", home / "dagster.yaml")
    inbox = tmp_path / "inbox"
    write(
        inbox,
        "2026-09/GM0375/jib.csv",
        f"bsn;geboortedatum\n{bsn(0)};2000-01-15\n{bsn(1)};1999-03-01\n",
    )
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres),
        "DAGSTER_PG_USER": "dagster",
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_DB": "dagster",
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "INBEELD_PUBLISH": str(tmp_path / "publish"),
    }
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # The instance kept the file as written, and nothing went to local run storage.
    assert (home / "dagster.yaml").read_text() == (
        REPO / "deployment" / "dagster.postgres.yaml"
    ).read_text()
    assert not (home / "history" / "runs.db").exists()
    with psycopg2.connect(host="127.0.0.1", port=postgres, user="dagster", dbname="dagster") as con:
        cur = con.cursor()
        cur.execute("select pipeline_name, status from runs")
        runs = cur.fetchall()
        cur.execute(
            "select count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'"
        )
        materializations = cur.fetchone()[0]
        cur.execute("select count(*) from event_logs where event like %s", (f"%{bsn(0)}%",))
        bsn_events = cur.fetchone()[0]
    assert ("inbeeld_maand", "SUCCESS") in runs
    assert materializations > 20
    assert bsn_events == 0
