"""Peak memory and time of the ingest on large jib.csv files (not a test: asserts nothing).

Generates, in a temporary folder, N jib.csv files of about R rows each for month 2024-03
(test BSNs of the 9999xxxxx range only; with about 9,100 such numbers a big file repeats
them, so most of its rows are quarantined as duplicate_bsn), ingests them into a fresh
DuckDB file with the real scan_inbox() + ingest(), and prints seconds, rows per second
and the peak RSS of this process (resource.getrusage).

    .venv/bin/python bench/ingest_memory.py                       # one ~100 MB file
    .venv/bin/python bench/ingest_memory.py --files 40 --rows 9000  # many small files
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from orchestration.core.bsn import Pseudonymiser  # noqa: E402
from orchestration.ingest.inbox import scan_inbox  # noqa: E402
from orchestration.ingest.load import ingest  # noqa: E402

GEMEENTEN = [f"GM{n:04d}" for n in range(1, 1000)]


def _test_bsns() -> list[str]:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    out = []
    for n in range(999900000, 999999999):
        s = str(n)
        if sum(w * int(d) for w, d in zip(weights, s, strict=True)) % 11 == 0:
            out.append(s)
    return out


def _birth_dates() -> list[str]:
    # Aged 23..26 on 2024-03-01, in both accepted forms.
    start = dt.date(1997, 3, 2)
    days = [start + dt.timedelta(days=i) for i in range(0, 4 * 365, 7)]
    return [d.isoformat() if i % 2 else f"{d.day}-{d.month}-{d.year}" for i, d in enumerate(days)]


def generate(root: Path, files: int, rows: int) -> int:
    """Write the files in slices (bounded memory); returns the total size in bytes."""
    bsns, dates = _test_bsns(), _birth_dates()
    total = 0
    for f in range(files):
        gm = GEMEENTEN[f % len(GEMEENTEN)]
        path = root / "2024-03" / gm / "jib.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("bsn;geboortedatum;gemeentecode\n")
            for start in range(0, rows, 100_000):
                out.write(
                    "".join(
                        f"{bsns[(i * 7 + f) % len(bsns)]};{dates[i % len(dates)]};{gm}\n"
                        for i in range(start, min(rows, start + 100_000))
                    )
                )
        total += path.stat().st_size
    return total


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--rows", type=int, default=3_600_000, help="rows per file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inbeeld-ingest-mem-") as tmp:
        inbox = Path(tmp) / "inbox"
        size = generate(inbox, args.files, args.rows)
        before = peak_rss_mib()
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        files = scan_inbox(inbox, set(GEMEENTEN))
        t0 = time.perf_counter()
        report = ingest(con, files, None, Pseudonymiser("bench-key"))
        seconds = time.perf_counter() - t0
        con.close()
        print(
            f"files={args.files} rows_in={report.rows_in:,} loaded={report.rows_loaded:,} "
            f"quarantined={report.rows_quarantined:,} size={size / 2**20:.1f} MiB"
        )
        print(
            f"seconds={seconds:.1f} rows/s={report.rows_in / seconds:,.0f} "
            f"us/row={seconds / max(report.rows_in, 1) * 1e6:.2f} "
            f"peak_rss={peak_rss_mib():.0f} MiB (before ingest {before:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
