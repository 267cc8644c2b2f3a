"""Every writer is all or nothing, whoever launched it (issue 11, items 3, 4, 9-11).

The warehouse, publish/ and exports/ change together at the commit step or not at all:
a run killed in the publish steps, a commit that cannot rename (an immutable warehouse)
and a full disk all leave the three exactly as they were, and never print "voltooid".
A second writer is refused with a message; a key that did not build the warehouse stops
before anything is written; everything person-level is owner-only whatever the umask.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, inbeeld, run_env, running_daemon
from test_crash_safety import kill, start, wait_for_step

from orchestration.atomic import WarehouseTransaction, recover
from orchestration.generate import generate_inbox


def tree(root: Path) -> dict[str, str]:
    """Every file under root with its sha256 (what a reader of the folder sees)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def state(root: Path) -> tuple:
    w = root / "w.duckdb"
    return (
        hashlib.sha256(w.read_bytes()).hexdigest(),
        tree(root / "publish"),
        tree(root / "exports"),
    )


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".inbeeld", "._")))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Three months run once; a fourth month is then waiting in the inbox."""
    root = tmp_path_factory.mktemp("trust")
    inbox = root / "inbox"
    generate_inbox(inbox, months=4, start="2025-01", seed=11)
    fourth = root / "held" / "2025-04"
    shutil.move(str(inbox / "2025-04"), str(fourth))
    env = run_env(root, INBEELD_INBOX=str(inbox))
    # As a careless operator would have it: a umask that makes new files world-readable.
    first = subprocess.run(
        ["bash", "-c", f"umask 022; exec {REPO}/.venv/bin/inbeeld run"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    shutil.move(str(fourth), str(inbox / "2025-04"))
    return root, env


def test_person_level_files_are_owner_only_whatever_the_umask(base):
    root, _ = base
    for f in (root / "w.duckdb", root / "w.duckdb.lock"):
        assert f.stat().st_mode & 0o777 == 0o600, f
    home = root / "dagster_home"
    assert home.stat().st_mode & 0o777 == 0o700
    for p in home.rglob("*"):
        mode = p.stat().st_mode & 0o777
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    for p in (root / "exports").rglob("*"):
        mode = p.stat().st_mode & 0o777
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    # Published aggregates are for a web server: readable, but written by the owner only.
    for p in (root / "publish").rglob("*"):
        mode = p.stat().st_mode & 0o777
        assert mode == (0o755 if p.is_dir() else 0o644), (p, oct(mode))


def test_sigkill_in_publish_leaves_warehouse_publish_and_exports_as_they_were(base):
    root, env = base
    before = state(root)
    for step in ("publication",):  # the SZW table and the dashboards: one step
        proc = start(env)
        wait_for_step(root / "dagster_home", step, proc, timeout=600)
        kill(proc)
        assert state(root) == before, f"killed in {step}"
    # The next run cleans up and completes; reidentify agrees with the new work list.
    r = inbeeld("run", env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Run voltooid" in r.stdout
    assert state(root) != before
    assert leftovers(root) == []
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    latest = con.execute("select max(month) from marts.werklijst").fetchone()[0]
    con.close()
    work_list = (root / "exports").glob("*/toelichting.md")
    assert all(f"{latest:%Y-%m}" in p.read_text() for p in work_list)


def test_a_commit_that_fails_changes_nothing_and_never_says_voltooid(base):
    root, env = base
    before = state(root)
    # One more delivery so the run has something to write.
    (root / "inbox" / "2025-04" / "GM0392" / "kvk.csv").write_text("bsn;begindatum\n")
    flag = subprocess.run(["chattr", "+i", str(root / "w.duckdb")], capture_output=True)
    if flag.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {flag.stderr!r}")
    try:
        r = inbeeld("run", env=env)
    finally:
        subprocess.run(["chattr", "-i", str(root / "w.duckdb")], check=True)
    assert r.returncode == 1
    assert "voltooid" not in (r.stdout + r.stderr).replace("niet voltooid", "")
    assert "Traceback" not in r.stdout + r.stderr
    assert "niets vastgelegd" in r.stderr
    assert state(root) == before
    assert leftovers(root) == []


def test_disk_full_is_named_in_the_summary_and_nothing_counts_as_read(base, tmp_path):
    root, env = base
    small = tmp_path / "small"
    small.mkdir()
    size_k = (root / "w.duckdb").stat().st_size * 3 // 2 // 1024
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_k}k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr!r}")
    try:
        # The warehouse fits; its work copy does not.
        shutil.copyfile(root / "w.duckdb", small / "w.duckdb")
        before = hashlib.sha256((small / "w.duckdb").read_bytes()).hexdigest()
        r = inbeeld("run", "--warehouse", str(small / "w.duckdb"), env=env)
        assert r.returncode == 1
        assert "schijf vol" in r.stderr
        assert "Run voltooid" not in r.stdout
        assert "afgekeurde bestanden" not in r.stdout and "Bestanden" not in r.stdout
        assert hashlib.sha256((small / "w.duckdb").read_bytes()).hexdigest() == before
        assert not [p for p in small.iterdir() if p.name.startswith(".inbeeld")]
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_second_writer_is_refused_with_a_message(base):
    root, env = base
    before = state(root)
    with open(root / "w.duckdb.lock", "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = inbeeld("run", env=env)
    assert r.returncode == 1
    assert "Een andere inbeeld-run schrijft al" in r.stderr
    assert state(root) == before


def test_another_key_stops_before_anything_is_written(base):
    root, env = base
    before = state(root)
    other = {**env, "INBEELD_PSEUDONYM_KEY": "een-andere-sleutel-van-genoeg-lengte"}
    r = inbeeld("run", env=other)
    assert r.returncode == 2 and "niet de sleutel" in r.stderr
    r = inbeeld("reidentify", "--gemeente", "GM0392", env=other)
    assert r.returncode == 2 and "niet de sleutel" in r.stderr
    short = inbeeld("run", env={**env, "INBEELD_PSEUDONYM_KEY": "kort"})
    assert short.returncode == 2 and "te kort" in short.stderr
    assert state(root) == before


def test_another_key_stops_a_run_launched_through_dagster(base):
    """The UI, the sensor and the schedules run the job without the CLI's pre-check: the
    ingest asset itself refuses, and the run commits nothing."""
    root, env = base
    before = state(root)
    script = (
        "import dagster as dg\n"
        "from orchestration.definitions import defs\n"
        "job = defs.resolve_job_def('inbeeld_maand')\n"
        "r = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), "
        "raise_on_error=False, partition_key='2025-04-01')\n"
        "print('SUCCESS' if r.success else 'FAILED')\n"
    )
    other = {**env, "INBEELD_PSEUDONYM_KEY": "een-andere-sleutel-van-genoeg-lengte"}
    r = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-c", script],
        env=other,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "FAILED" in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]
    assert "niet de sleutel" in r.stdout + r.stderr
    assert state(root) == before
    assert leftovers(root) == []


def test_exports_inside_publish_are_refused(base):
    root, env = base
    before = state(root)
    r = inbeeld("run", env={**env, "INBEELD_EXPORTS": str(root / "publish" / "werk")})
    assert r.returncode != 0
    assert "INBEELD_EXPORTS" in r.stderr
    assert state(root) == before


def test_a_commit_killed_between_warehouse_and_folders_is_finished_by_the_next_writer(
    tmp_path,
):
    """Killed right after the warehouse rename: the next writer completes the folder swap,
    because the committed warehouse names the run; an uncommitted run's folders go."""
    warehouse = tmp_path / "w.duckdb"
    publish, exports = tmp_path / "publish", tmp_path / "exports"
    for folder, text in ((publish, "oud"), (exports, "oud")):
        folder.mkdir()
        (folder / "f.txt").write_text(text)

    tx = WarehouseTransaction(warehouse, "run1", public=[publish], private=[exports])
    tx.begin()
    (tx.staged(publish) / "f.txt").write_text("nieuw")
    (tx.staged(exports) / "f.txt").write_text("nieuw")
    staged = dict(tx._staged)
    tx._staged.clear()  # as if killed after the rename, before the swap
    tx.commit()
    tx.release()
    assert all(p.exists() for p in staged.values())
    assert (publish / "f.txt").read_text() == "oud"

    recover(warehouse, [publish, exports])
    assert (publish / "f.txt").read_text() == "nieuw"
    assert (exports / "f.txt").read_text() == "nieuw"
    assert not any(p.name.startswith(".inbeeld") for p in tmp_path.iterdir())

    tx = WarehouseTransaction(warehouse, "run2", public=[publish], private=[exports])
    tx.begin()
    (tx.staged(publish) / "f.txt").write_text("niet vastgelegd")
    tx._staged.clear()  # killed before the commit
    tx.release()
    recover(warehouse, [publish, exports])
    assert (publish / "f.txt").read_text() == "nieuw"
    assert not any(p.name.startswith(".inbeeld") for p in tmp_path.iterdir())


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found += [child, *_children(child)]
    return found


def _lock_holders(lock: Path) -> list[int]:
    """The processes holding the warehouse lock (the run worker, wherever Dagster put it)."""
    inode = lock.stat().st_ino
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and int(fields[-3].split(":")[-1]) == inode:
            holders.append(int(fields[-4]))
    return holders


def test_a_daemon_launched_run_killed_with_sigkill_changes_nothing(base, tmp_path):
    """Queued by the run coordinator, launched by the daemon in a run worker of its own,
    killed with SIGKILL inside dbt: the warehouse, publish/ and exports/ stay as they
    were, and the next writer gets the lock and completes."""
    import signal
    import time

    root, env = base
    before = state(root)
    home = tmp_path / "daemon_home"
    empty = tmp_path / "empty_inbox"  # the sensor finds nothing; the run gets its inbox below
    empty.mkdir()
    config = tmp_path / "run.yaml"
    config.write_text(f"resources:\n  inbox:\n    config:\n      path: {root / 'inbox'}\n")
    denv = {**env, "DAGSTER_HOME": str(home), "INBEELD_INBOX": str(empty)}
    with running_daemon(home, denv) as (instance, daemon, log):
        launched = subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "dagster"),
                *("job", "launch", "-w", str(REPO / "workspace.yaml"), "-j", "inbeeld_maand"),
                *("-c", str(config), "--tags", '{"dagster/partition": "2025-04-01"}'),
            ],
            env=denv,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert launched.returncode == 0, launched.stderr[-2000:]
        deadline = time.monotonic() + 600
        while True:
            assert daemon.poll() is None, log.read_text()[-3000:]
            runs = instance.get_runs(limit=1)
            if runs and any(
                e.dagster_event
                and e.dagster_event.event_type_value == "STEP_START"
                and e.dagster_event.step_key == "inbeeld_dbt_models"
                for e in instance.all_logs(runs[0].run_id)
            ):
                break
            assert time.monotonic() < deadline, "the daemon never got the run into dbt"
            time.sleep(0.2)
        time.sleep(2)  # well inside dbt build
        workers = _lock_holders(root / "w.duckdb.lock")
        assert workers, "no process holds the warehouse lock"
        for pid in workers:
            for victim in [pid, *_children(pid)]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim, signal.SIGKILL)
        time.sleep(1)
        assert state(root) == before
    r = inbeeld("run", env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert leftovers(root) == []
