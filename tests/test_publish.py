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
NOT_KNOWN = "."
FIGURE_IDS = {
    "trend",
    "leveringen",
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
    "resultaat",
    "kanalen",
    "weigering",
    "instroom",
}
# Labels that are shares, not counts: '62%' and a rate per 1,000 such as '12,3'.
RATE_LABEL = re.compile(r"\d+%|\d+,\d")


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
    # Delivery status: every month x municipality of the region x file type (15 x 7 x 8).
    leveringen = (pub / "zuid-kennemerland-en-ijmond" / "leveringen.csv").read_text(
        encoding="utf-8"
    )
    lines = leveringen.splitlines()
    assert lines[0] == "maand;gemeentecode;gemeente;bron;status;reden"
    assert len(lines) - 1 == 15 * 7 * 8
    index = (pub / "index.html").read_text(encoding="utf-8")
    assert 'href="zuid-kennemerland-en-ijmond/index.html"' in index
    assert "Gepubliceerd" in published["stdout"]


def test_each_page_has_every_figure_and_needs_no_network(published):
    page = (published["publish"] / "zuid-kennemerland-en-ijmond" / "index.html").read_text(
        encoding="utf-8"
    )
    # plotly.js once per site, beside publish/index.html, loaded by a relative path; the
    # page itself holds no copy of it and nothing fetched from the network.
    library = published["publish"] / "plotly.min.js"
    assert len(re.findall(r"plotly\.js v\d", library.read_text(encoding="utf-8")[:2000])) == 1
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    assert scripts == ["../plotly.min.js"]
    assert not re.search(r"plotly\.js v\d", page) and len(page) < library.stat().st_size / 2
    # Nothing points to the network (the browser test also watches the requests).
    assert not re.search(r"<link[^>]+href=|https?://", page)
    for other in (published["publish"] / "zuid-kennemerland-en-ijmond").glob("*.html"):
        text = other.read_text(encoding="utf-8")
        assert re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", text) == ["../plotly.min.js"]
    population = (published["inbox"] / "bevolking.csv").is_file()
    assert set(figure_data(page)) == FIGURE_IDS | ({"perduizend"} if population else set())
    for fid in FIGURE_IDS:
        assert f'id="sectie-{fid}"' in page
    # A suppressed count stands in a table (escaped) and in a figure's JSON.
    assert 'lang="nl"' in page and "Colofon" in page
    assert "&lt;5" in page and "\\u003c5" in page


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
    assert header[:4] == ["arbeidsmarktregio_code", "arbeidsmarktregio", "kwartaal", "op_de_lijst"]
    assert "in_beeld_te_brengen" in header and "in_beeld" not in header
    assert len(body) >= 4  # 2025-K1 .. 2026-K1 are complete quarters
    assert {row[0] for row in body} == {"AM08"}  # Zuid-Kennemerland en IJmond
    hidden = 0
    for row in body:
        for col, cell in zip(header[3:], row[3:], strict=True):
            if col.startswith(("pct_", "gemeenten")):
                continue  # shares of shown counts, and files not persons (test_outreach_story)
            if cell in MARKS:
                hidden += 1
                continue
            if cell == NOT_KNOWN:
                assert col == "duurzaam", col
                continue
            assert cell.isdigit() and (int(cell) == 0 or int(cell) >= K), cell
    assert hidden > 0  # small regions always have small cells: the rule is exercised


def test_no_count_below_k_in_pages(published):
    for page in published["publish"].rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for fid, traces in figure_data(html).items():
            if fid == "leveringen":
                # Files, not persons: a status per cell (G, A, O), no count at all.
                for trace in traces:
                    if trace.get("type") == "heatmap":
                        assert {v for row in trace["text"] for v in row} <= {"G", "A", "O"}
                continue
            for trace in traces:
                axis = "x" if trace.get("type") == "funnel" else "y"
                labels = trace.get("text", []) or []
                for i, v in enumerate(trace.get(axis, [])):
                    if i < len(labels) and labels[i] in {*MARKS, NOT_KNOWN}:
                        continue  # a hidden or unknown value: a stub, its height no count
                    if i < len(labels) and RATE_LABEL.fullmatch(labels[i]):
                        continue  # a share of two shown counts (test_outreach_story)
                    assert v is None or v == 0 or v >= K, f"{page.name} {fid}: {v}"
                for label in labels:
                    n = as_count(label)
                    assert (
                        label in {*MARKS, NOT_KNOWN}
                        or RATE_LABEL.fullmatch(label)
                        or (n is not None and (n == 0 or n >= K))
                    ), f"{fid}: {label}"
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
        stored = con.execute("select * from reports.szw_quarterly order by 1, 2, 3").fetchall()
    with (published["publish"] / "szw" / "szw_kwartaal.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[0]
    assert [list(r) for r in stored] == rows[1:]  # warehouse and CSV say the same
    # The published names of the table's columns where the model's differ.
    model_name = {"in_beeld_te_brengen": "in_beeld"}
    for row in rows[1:]:
        shown = dict(zip(header, row, strict=True))
        values = dict(zip(names, true[(row[1], row[2].rstrip("*"))], strict=True))
        values |= {col: values[name] for col, name in model_name.items()}
        for col in header[3:]:
            if col not in values:
                continue  # rates and delivery counts: tests/test_outreach_story.py
            if shown[col] == NOT_KNOWN:
                assert col == "duurzaam", col
            elif shown[col] == f"<{K}":
                assert 1 <= values[col] < K
            elif shown[col] != "x":
                assert int(shown[col]) == values[col], col
        # No relation of the table has exactly one hidden cell.
        for total, parts in (
            ("op_de_lijst", ["uitgesloten", "in_beeld_te_brengen"]),
            (
                "uitstroom_totaal",
                [c for c in header if c.startswith("uitstroom_") and c != "uitstroom_totaal"],
            ),
        ):
            hidden = [c for c in [total, *parts] if shown[c] in MARKS]
            assert len(hidden) != 1, (row[2], total, hidden)


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
    header, *lines = csv_path.read_text(encoding="utf-8").splitlines()
    counts = [not h.startswith(("pct_", "gemeenten")) for h in header.split(";")]
    cells = [
        c
        for line in lines
        for c, count in list(zip(line.split(";"), counts, strict=True))[3:]
        if count  # shares and files: no counts of youths
    ]
    assert f"<{k}" in cells
    assert all(c in (f"<{k}", "x", NOT_KNOWN) or int(c) == 0 or int(c) >= k for c in cells)
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


def test_a_not_yet_known_cell_is_never_published_as_0(published):
    """'duurzaam' of a quarter whose placements could not yet be followed for 6 months is
    `.` in the SZW table and a `.` stub on the page, never 0; partial quarters are left
    out of the placements; the latest two months and their quarter are marked `*`."""
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        [cube] = build_cubes(con, K)
    latest = cube.latest
    with (published["publish"] / "szw" / "szw_kwartaal.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    unknown = 0
    for row in rows:
        q = next(q for q in cube.szw_quarters if q.label == row["kwartaal"].rstrip("*"))
        i = q.end_month.year * 12 + q.end_month.month - 1 + 6
        known = (i // 12, i % 12 + 1) <= (latest.year, latest.month)
        assert (row["duurzaam"] == NOT_KNOWN) == (not known), row["kwartaal"]
        unknown += not known
        provisional = any(m in cube.months[-2:] for m in cube.months if q.start <= m <= q.end_month)
        assert row["kwartaal"].endswith("*") == provisional, row["kwartaal"]
    assert unknown >= 2  # the latest quarters of 15 months: the rule is exercised
    page = (published["publish"] / "zuid-kennemerland-en-ijmond" / "index.html").read_text(
        encoding="utf-8"
    )
    traces = figure_data(page)["uitkomsten"]
    complete = [q.label for q in cube.quarters if q.complete]
    for trace in traces:
        assert [x.rstrip("*") for x in trace["x"]] == complete
        if trace["name"].startswith("duurzaam"):
            for x, label in zip(trace["x"], trace["text"], strict=True):
                q = next(q for q in cube.quarters if q.label == x.rstrip("*"))
                assert (label == NOT_KNOWN) == (not cube.sustained_known(q)), x
    trend = figure_data(page)["trend"][0]
    assert [x.endswith("*") for x in trend["x"]] == [False] * (len(cube.months) - 2) + [True] * 2


def test_hidden_values_are_drawn_as_labelled_stubs(published):
    """A hidden count in a bar chart is an outlined stub with its mark, never an empty slot."""
    page = (published["publish"] / "zuid-kennemerland-en-ijmond" / "index.html").read_text(
        encoding="utf-8"
    )
    stubs = 0
    for fid, traces in figure_data(page).items():
        for trace in traces:
            if trace.get("type") != "bar" or trace["y"] == [None]:
                continue  # not a bar, or a legend entry only
            for v, label, width in zip(
                trace["y"], trace["text"], trace["marker"]["line"]["width"], strict=True
            ):
                if label in {*MARKS, NOT_KNOWN}:
                    stubs += 1
                    assert v is not None and v > 0 and width > 0, (fid, label)
                else:
                    assert v is not None and width == 0, (fid, label)
    assert stubs > 0
