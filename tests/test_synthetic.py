"""The synthetic inbox generator: reproducible, SPEC-shaped, test BSNs only, realistic."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from conftest import VALID_BSNS

from orchestration.synthetic import default_start, generate_inbox

VALID = set(VALID_BSNS)
FILES = {
    "jib.csv",
    "kvk.csv",
    "rmc.csv",
    "jongerenloket.csv",
    "buitenland.csv",
    "detentie.csv",
    "vso_pro.csv",
    "begeleiding.csv",
}


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "inbox"
    summary = generate_inbox(out, months=12, start="2024-01", seed=7)
    return out, summary


def read(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    sep = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.DictReader(text.splitlines(), delimiter=sep))


def test_layout_follows_spec(region):
    out, summary = region
    months = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert months == [f"2024-{m:02d}" for m in range(1, 13)]
    assert (out / "sociale_kaart.csv").exists()
    names = {p.name for p in out.rglob("*.csv") if p.parent != out}
    assert names == FILES
    for p in out.rglob("*.csv"):
        if p.parent != out:
            assert re.fullmatch(r"GM\d{4}", p.parent.name)
    assert summary.municipalities == 7 and summary.files == len(list(out.rglob("*.csv")))


def test_reproducible(tmp_path, region):
    out, _ = region
    again = tmp_path / "again"
    generate_inbox(again, months=12, start="2024-01", seed=7)
    assert tree_hash(again) == tree_hash(out)
    other = tmp_path / "other"
    generate_inbox(other, months=12, start="2024-01", seed=8)
    assert tree_hash(other) != tree_hash(out)


def test_only_test_bsns_and_a_small_share_of_bad_rows(region):
    out, summary = region
    total = bad = 0
    for p in out.rglob("*.csv"):
        if p.name == "sociale_kaart.csv":
            continue
        for row in read(p):
            total += 1
            b = row["bsn"]
            assert b.startswith("9999"), "only the 9999xxxxx test range"
            bad += b not in VALID
    assert total > 5000
    assert 0 < bad / total < 0.01
    assert summary.bad_rows > 0


def test_listed_youths_are_23_to_26_and_the_region_is_realistic(region):
    out, _ = region
    sizes = []
    for month_dir in sorted(p for p in out.iterdir() if p.is_dir()):
        peil = dt.date.fromisoformat(month_dir.name + "-01")
        n = 0
        for jib in month_dir.glob("*/jib.csv"):
            for row in read(jib):
                if row["bsn"] not in VALID:
                    continue
                raw = row["geboortedatum"]
                try:
                    birth = (
                        dt.date.fromisoformat(raw)
                        if raw[4] == "-"
                        else dt.datetime.strptime(raw, "%d-%m-%Y").date()
                    )
                except ValueError:
                    continue  # an injected impossible date
                age = peil.year - birth.year - ((peil.month, peil.day) < (birth.month, birth.day))
                assert 23 <= age < 27
                n += 1
        sizes.append(n)
    # Zuid-Kennemerland en IJmond: about a thousand youths on the lists a month.
    assert 600 < sum(sizes) / len(sizes) < 1800


def test_begeleiding_has_a_funnel(region):
    out, _ = region
    events: dict[str, set] = {}
    for p in out.rglob("begeleiding.csv"):
        for row in read(p):
            events.setdefault(row["gebeurtenis"], set()).add((row["bsn"], row["datum"]))
    brieven, contacts = len(events["brief"]), len(events["contact"])
    work = len(events["start_werk"])
    assert brieven > contacts > work > 0
    assert {"weigering", "intake", "traject_start", "trede", "uitval"} <= set(events)


def test_unknown_region_and_foreign_folder_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Zuid-Kennemerland en IJmond"):
        generate_inbox(tmp_path / "x", region="Atlantis")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "important.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        generate_inbox(foreign, months=2)
    assert (foreign / "important.txt").exists()


def test_default_start_ends_at_the_last_closed_month():
    assert default_start(24, dt.date(2026, 11, 22)) == dt.date(2024, 11, 1)
