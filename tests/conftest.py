"""Shared helpers: test BSNs (9999xxxxx, elfproef-valid), inbox writing, pseudonyms."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Tests write their inbox and run at once: no file is "still being written" unless a test
# says so (INBEELD_SETTLE_SECONDS, tests/test_ingest_hostile.py).
os.environ["INBEELD_SETTLE_SECONDS"] = "0"
# Month partitions start here in every test process (the default, the inbox's first
# month, depends on which inbox the code location saw first; tests/test_definitions.py
# checks that default on its own).
os.environ.setdefault("INBEELD_FIRST_MONTH", "2020-01")
# Person-level exports of test runs go to a temporary folder, never into the repository.
os.environ["INBEELD_EXPORTS"] = tempfile.mkdtemp(prefix="inbeeld-exports-")

REPO = Path(__file__).resolve().parents[1]
TEST_KEY = "inbeeld-test-key"


def _elf(bsn: str) -> bool:
    # Written out independently of orchestration.core.bsn so the tests check it.
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(w * int(d) for w, d in zip(weights, bsn, strict=True)) % 11 == 0


VALID_BSNS: list[str] = [str(n) for n in range(999900000, 999999999) if _elf(str(n))]


def bsn(i: int) -> str:
    """The i-th valid test BSN (9999xxxxx range)."""
    return VALID_BSNS[i]


def pid(bsn9: str, key: str = TEST_KEY) -> str:
    return hmac.new(key.encode(), bsn9.encode(), hashlib.sha256).hexdigest()[:20]


def write(root: Path, rel: str, content: str | bytes, *, encoding: str = "utf-8") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode(encoding)
    path.write_bytes(data)
    return path


def inbeeld(*args: str, env: dict[str, str], timeout: int = 900):
    """The real `inbeeld` command, as a user runs it."""
    import subprocess

    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "inbeeld"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


# When the ingest loaded and last found a version: the columns that differ between two
# runs over the same files.
LOAD_TIMES = ("loaded_at", "last_seen_at")

# Every table an ingest writes rows to.
INGEST_TABLES = (
    "audit.loads",
    "audit.quarantine",
    "raw.jib",
    "raw.registration",
    "raw.begeleiding",
    "raw.sociale_kaart",
    "raw.bevolking",
)


def table_rows(con, tables, *, volatile: tuple[str, ...] = LOAD_TIMES) -> dict[str, list]:
    """Every row of each table, in order; audit.loads without its volatile columns."""
    return {
        t: con.execute(
            f"select * exclude ({', '.join(volatile)}) from {t} order by all"
            if t == "audit.loads" and volatile
            else f"select * from {t} order by all"
        ).fetchall()
        for t in tables
    }


def run_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a test's `inbeeld` commands: everything under `root`."""
    return {
        **os.environ,
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(root / "w.duckdb"),
        "INBEELD_PUBLISH": str(root / "publish"),
        "INBEELD_EXPORTS": str(root / "exports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
        **extra,
    }


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    root.mkdir()
    return root


# Published files of test runs go to a temporary folder too, never into publish/.
os.environ["INBEELD_PUBLISH"] = tempfile.mkdtemp(prefix="inbeeld-publish-")

# A test session started in a shell's background (a CI step) has SIGINT ignored; Dagster
# then maps SIGTERM onto it in this process and every child inherits SIGTERM ignored, so
# `make ui` or a dbt parse started by a test would not stop (orchestration/cli.py).
from orchestration.cli import restore_interrupts  # noqa: E402

restore_interrupts()


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> dict:
    """A generated region (15 months) run through the real `inbeeld run`, published to a
    folder of its own: shared by the publication and browser tests."""
    from orchestration.generate import generate_inbox

    root = tmp_path_factory.mktemp("published")
    inbox = root / "inbox"
    generate_inbox(inbox, months=15, start="2025-01", seed=515)
    env = run_env(root)
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {
        "inbox": inbox,
        "warehouse": root / "w.duckdb",
        "publish": root / "publish",
        "env": env,
        "stdout": run.stdout,
    }


@contextlib.contextmanager
def running_daemon(home: Path, env: dict[str, str]):
    """`dagster-daemon` on the code location, with the instance `inbeeld` writes (runs
    queued one at a time): yields (instance, process, log file); stopped on exit."""
    import signal
    import subprocess

    import dagster as dg

    from orchestration.cli import dagster_yaml

    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(dagster_yaml(home))
    instance = dg.DagsterInstance.from_config(str(home))
    instance.get_runs(limit=1)  # create the storage before the daemon's threads race to
    log_path = home / "daemon.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(REPO / ".venv/bin/dagster-daemon"), "run", "-w", str(REPO / "workspace.yaml")],
            env={**env, "DAGSTER_HOME": str(home)},
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield instance, proc, log_path
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
