"""GX validates in a process of its own (orchestration/quality/process.py).

The run's process never imports great_expectations, the findings still reach the checks,
and GX's process is gone once dbt starts. Run as `inbeeld run` does, in a fresh
interpreter, so that nothing another test imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg
from conftest import REPO, TEST_KEY, bsn, run_env, write

SCRIPT = """
import json, multiprocessing, sys, time
from orchestration import cli
from orchestration.quality import process

code = cli.main(["run", "--inbox", sys.argv[1]])
deadline = time.monotonic() + 20
while multiprocessing.active_children() and time.monotonic() < deadline:
    time.sleep(0.1)
print("RESULT " + json.dumps({
    "code": code,
    "gx_imported_here": "great_expectations" in sys.modules,
    "gx_process_running": process._pool is not None,
    "children_left": len(multiprocessing.active_children()),
}))
"""


def _jib(*people: tuple[int, str]) -> str:
    return "bsn;geboortedatum\n" + "".join(f"{bsn(i)};{d}\n" for i, d in people)


def test_gx_validates_in_its_own_process_and_stops_before_dbt(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write(inbox, "2024-01/GM0392/jib.csv", _jib((0, "2000-01-15"), (1, "1999-02-01")))
    write(inbox, "2024-02/GM0392/jib.csv", _jib((0, "2000-01-15"), (1, "1999-02-01")))
    # GM0375 stops delivering after January: GX's plausibility suite warns for February.
    write(inbox, "2024-01/GM0375/jib.csv", _jib((3, "2000-03-03"), (4, "1997-12-12")))
    env = run_env(tmp_path, INBEELD_SETTLE_SECONDS="0")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(inbox)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result == {
        "code": 0,
        "gx_imported_here": False,
        "gx_process_running": False,
        "children_left": 0,
    }, done.stderr[-3000:]

    # What GX's process found reached the checks: every row counted, the warning placed.
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", "jib"]), "gx_plausibiliteit")
        record = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
        evaluation = record.event.dagster_event.event_specific_data
    # jib: 6 list rows; jib_deliveries: 4 (municipality, month) slots, one of them empty.
    assert evaluation.metadata["rijen_gecontroleerd"].value == 6 + 4
    assert not evaluation.passed
    findings = evaluation.metadata["bevindingen_per_maand"].value
    assert findings["2024-01"]["bevindingen"] == []
    assert [f["suite"] for f in findings["2024-02"]["bevindingen"]] == ["jib_deliveries"]
    assert TEST_KEY not in json.dumps(findings)
