"""The benchmark's floor (bench/floor.sql) stays honest: on a generated inbox it computes
exactly marts.youth_month's persistence and exclusion columns, row for row."""

from __future__ import annotations

import importlib.util
import shutil

import duckdb
from conftest import REPO, pid

COLUMNS = (
    "gemeentecode, consecutive_months, spell_number, months_on_list_12m, persistent, "
    "persistence_score, excluded, exclusion_reasons"
)


def test_floor_equals_the_real_mart(published, tmp_path):
    spec = importlib.util.spec_from_file_location("floor", REPO / "bench" / "floor.py")
    floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floor)

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        real = {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                f"select month, pseudo_id, {COLUMNS} from marts.youth_month"
            ).fetchall()
        }
        rejected = floor.refused_files(con)
    # The floor reads every file it finds; the pipeline refused these as a whole.
    inbox = tmp_path / "inbox"
    shutil.copytree(published["inbox"], inbox)
    for path in rejected:
        (inbox / path).unlink()

    with duckdb.connect() as con:
        n = floor.run_floor(inbox, con)
        rows = con.execute(f"select month, bsn, {COLUMNS} from floor_youth_month").fetchall()
    computed = {(r[0], pid(r[1])): r[2:] for r in rows}
    assert n == len(real) > 10_000
    assert computed.keys() == real.keys()
    differing = [k for k in real if computed[k] != real[k]]
    assert not differing, [(k, computed[k], real[k]) for k in differing[:5]]
