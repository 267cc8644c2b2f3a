"""What `inbeeld run` publishes: the pages and the SZW table exist, hold aggregates only,
no count below k, no BSN and no pseudo_id, are deterministic, and the SZW table agrees
with the unsuppressed counts wherever it shows a number."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

K = 5
MARKS = {f"<{K}", "x"}
FIGURE_IDS = {
    "trend",
    "uitsluiting",
    "persistentie",
    "trechter",
    "uitkomsten",
    "uitstroom",
    "ladder",
    "trede",
    "gemeenten",
    "verwijzingen",
    "rollen",
}


def published_files(publish: Path) -> list[Path]:
    return sorted(p for p in publish.rglob("*") if p.is_file())


def figure_data(html: str) -> dict[str, list[dict]]:
    """Every plotly figure's traces, by div id, decoded from the page."""
    out = {}
    decoder = json.JSONDecoder()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"fig-([a-z]+)",\s*', html):
        traces, _ = decoder.raw_decode(html, m.end())
        out[m.group(1)] = traces
    return out


class _Cells(HTMLParser):
    """Text of every table cell and of the tile values."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class", "")
        if tag == "td" or (tag == "div" and cls == "value"):
            self._in = ""

    def handle_data(self, data):
        if self._in is not None:
            self._in += data

    def handle_endtag(self, tag):
        if tag in ("td", "div") and self._in is not None:
            self.cells.append(self._in.strip())
            self._in = None


def as_count(text: str) -> int | None:
    """'1.234' -> 1234; None for marks and non-numbers."""
    t = text.strip()
    return int(t.replace(".", "")) if re.fullmatch(r"\d{1,3}(\.\d{3})*|\d+", t) else None


def test_demo_publishes_index_pages_and_szw_table(published):
    pub = published["publish"]
    assert (pub / "index.html").is_file()
    pages = sorted(pub.glob("*/index.html"))
    assert [p.parent.name for p in pages] == ["zuid-kennemerland-en-ijmond"]
    assert (pub / "szw" / "szw_kwartaal.csv").is_file()
    assert (pub / "szw" / "definities.md").is_file()
    index = (pub / "index.html").read_text(encoding="utf-8")
    assert 'href="zuid-kennemerland-en-ijmond/index.html"' in index
    assert "Gepubliceerd" in published["stdout"]


def test_each_page_is_self_contained_with_every_figure(published):
    page = (published["publish"] / "zuid-kennemerland-en-ijmond" / "index.html").read_text(
        encoding="utf-8"
    )
    # plotly.js inlined exactly once, nothing fetched from the network.
    assert page.count("<script>") >= 2
    assert len(re.findall(r"plotly\.js v\d", page)) == 1
    # Outside the library itself (whose source names its CDN for map tiles we don't use),
    # nothing points to the network; the browser test also watches the requests.
    own = re.sub(r"<script>/\*\*\s*\n?\s*\* plotly\.js.*?</script>", "", page, count=1, flags=re.S)
    assert len(own) < len(page) / 10
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|https?://", own)
    assert set(figure_data(page)) == FIGURE_IDS
    for fid in FIGURE_IDS:
        assert f'id="sectie-{fid}"' in page
    assert 'lang="nl"' in page and "Colofon" in page and "<5" in page


def test_no_bsn_and_no_pseudo_id_reaches_publish(published):
    bsns: set[str] = set()
    for f in published["inbox"].rglob("*.csv"):
        bsns.update(
            re.findall(r"(?<!\d)\d{8,9}(?!\d)", f.read_text(encoding="utf-8", errors="replace"))
        )
    bsns |= {b.zfill(9) for b in bsns} | {b.lstrip("0") for b in bsns}
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        pids = {
            r[0]
            for r in con.execute(
                "select pseudo_id from marts.youth_month union select pseudo_id from marts.placements "
                "union select pseudo_id from audit.quarantine where pseudo_id is not null"
            ).fetchall()
        }
    assert len(bsns) > 1000 and len(pids) > 1000
    for f in published_files(published["publish"]):
        text = f.read_text(encoding="utf-8", errors="replace")
        numbers = set(re.findall(r"(?<!\d)\d{8,9}(?!\d)", text))
        assert not numbers & bsns, f"{f}: a BSN"
        hexes = set(re.findall(r"(?<![0-9a-f])[0-9a-f]{20}(?![0-9a-f])", text))
        assert not hexes & pids, f"{f}: a pseudo_id"


def test_no_count_below_k_in_the_szw_table(published):
    with (published["publish"] / "szw" / "szw_kwartaal.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["arbeidsmarktregio", "kwartaal", "op_de_lijst"]
    assert len(body) >= 4  # 2025-K1 .. 2026-K1 are complete quarters
    hidden = 0
    for row in body:
        for cell in row[2:]:
            if cell in MARKS:
                hidden += 1
                continue
            assert cell.isdigit() and (int(cell) == 0 or int(cell) >= K), cell
    assert hidden > 0  # small regions always have small cells: the rule is exercised


def test_no_count_below_k_in_pages(published):
    for page in published["publish"].rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for fid, traces in figure_data(html).items():
            for trace in traces:
                axis = "x" if trace.get("type") == "funnel" else "y"
                for v in trace.get(axis, []):
                    assert v is None or v == 0 or v >= K, f"{page.name} {fid}: {v}"
                for label in trace.get("text", []) or []:
                    n = as_count(label)
                    assert label in MARKS or (n is not None and (n == 0 or n >= K)), (
                        f"{fid}: {label}"
                    )
        parser = _Cells()
        parser.feed(html)
        for cell in parser.cells:
            n = as_count(cell)
            if n is not None:
                assert n == 0 or n >= K, f"{page.name}: cell {cell}"


def test_szw_table_shows_the_true_count_or_a_mark_and_relations_hold(published):
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        true = {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                "select arbeidsmarktregio, kwartaal, * exclude (arbeidsmarktregio, kwartaal, quarter_start, quarter_end_month) "
                "from reports.szw_quarter_counts"
            ).fetchall()
        }
        names = [
            d[0]
            for d in con.execute(
                "select * exclude (arbeidsmarktregio, kwartaal, quarter_start, quarter_end_month) from reports.szw_quarter_counts limit 0"
            ).description
        ]
        stored = con.execute("select * from reports.szw_quarterly order by 1, 2").fetchall()
    with (published["publish"] / "szw" / "szw_kwartaal.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[0]
    assert [list(r) for r in stored] == rows[1:]  # warehouse and CSV say the same
    for row in rows[1:]:
        shown = dict(zip(header, row, strict=True))
        values = dict(zip(names, true[(row[0], row[1])], strict=True))
        for col in header[2:]:
            if shown[col] == f"<{K}":
                assert 1 <= values[col] < K
            elif shown[col] != "x":
                assert int(shown[col]) == values[col], col
        # No relation of the table has exactly one hidden cell.
        for total, parts in (
            ("op_de_lijst", ["uitgesloten", "in_beeld"]),
            (
                "uitstroom_totaal",
                [c for c in header if c.startswith("uitstroom_") and c != "uitstroom_totaal"],
            ),
        ):
            hidden = [c for c in [total, *parts] if shown[c] in MARKS]
            assert len(hidden) != 1, (row[1], total, hidden)


def test_publishing_is_deterministic(published, tmp_path):
    from dashboards import site as dashboards
    from orchestration.publish import szw
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        cubes = build_cubes(con, K)
    dashboards.write_site(cubes, tmp_path / "again")
    szw.write(cubes, tmp_path / "again" / "szw", K)
    original = published["publish"]
    for f in published_files(original):
        again = tmp_path / "again" / f.relative_to(original)
        assert again.read_bytes() == f.read_bytes(), f"{f.relative_to(original)} differs"


@pytest.mark.parametrize("k", [3, 10])
def test_k_is_a_setting(published, tmp_path, k):
    from orchestration.publish import szw
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        cubes = build_cubes(con, k)
    csv_path, defs_path, _ = szw.write(cubes, tmp_path, k)
    cells = [
        c
        for line in csv_path.read_text(encoding="utf-8").splitlines()[1:]
        for c in line.split(";")[2:]
    ]
    assert f"<{k}" in cells
    assert all(c in (f"<{k}", "x") or int(c) == 0 or int(c) >= k for c in cells)
    assert f"<{k}" in defs_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("k", [K, 50])
def test_nested_counts_never_differ_by_less_than_k(published, k):
    """Counts within counts (persistent within in view, reached within approached, …):
    where both are shown, their difference is no hidden small group of youths. A large
    k makes such small differences common, so the rule is really exercised."""
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        [cube] = build_cubes(con, k)
    pairs = [("in_view", "persistent"), ("approached", "reached"), ("reached", "in_trajectory")]
    cells = [("TOTAAL", m) for m in cube.months] + [(g, cube.latest) for g in cube.gemeenten]
    checked = 0
    for g, m in cells:
        for outer, inner in pairs:
            a, b = cube.number(("rm", g, m, outer)), cube.number(("rm", g, m, inner))
            if a is not None and b is not None:
                checked += 1
                assert not 0 < a - b < k, (g, m, outer, inner, a, b)
    assert checked > 20
