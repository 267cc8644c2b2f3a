"""The region page read without a mouse (#12, item 6) and what it says about suppression
(item 4), on the generated region that `inbeeld run` published (the `published` fixture),
in Debian's chromium:

- every figure has its numbers as a table under a details/summary that opens with the
  keyboard (caption, column and row headers), and a link to figuren/<id>.csv whose
  numbers are exactly the table's;
- the tables hold the protected numbers of the cube, a value not yet known as `.` (never
  0), and in the trend the true counts wherever a count is shown;
- every colour of every trace has a contrast of at least 3:1 against the white page;
- the colophon's count of suppressed cells is the cube's.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest
from test_dashboards_browser import CHROMIUM, _open, browser  # noqa: F401 (a fixture)
from test_publish import FIGURE_IDS, K, figure_data

REGION = "zuid-kennemerland-en-ijmond"
MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
SYMBOLS = {f"<{K}", "x", "."}
# Figures by period: their first CSV column and how a period is written there.
PERIOD = {
    "trend": ("maand", r"\d{4}-\d{2}\*?"),
    "leveringen": ("maand", r"\d{4}-\d{2}\*?"),
    "uitsluiting": ("maand", r"\d{4}-\d{2}\*?"),
    "uitstroom": ("maand", r"\d{4}-\d{2}\*?"),
    "uitkomsten": ("kwartaal", r"\d{4}-K[1-4]\*?"),
    "ladder": ("kwartaal", r"\d{4}-K[1-4]\*?"),
    "kanalen": ("kwartaal", r"\d{4}-K[1-4]\*?"),
    "weigering": ("maand", r"\d{4}-\d{2}\*?"),
    "resultaat": ("periode", r"\d{4}-K[1-4]\*?|jaar"),
}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"
)

# Every figure's table as the browser shows it: caption, headers, and per row the row
# headers and the cells; the CSV link resolved against the page.
READ_TABLES = """() => [...document.querySelectorAll("section.figure")].map((s) => {
  const d = s.querySelector("details");
  const table = d && d.querySelector("table");
  const a = s.querySelector("p.csv-link a");
  return {
    id: s.id.replace("sectie-", ""),
    summary: d ? d.querySelector("summary").textContent.trim() : null,
    caption: table && table.caption ? table.caption.textContent.trim() : null,
    columns: table ? [...table.querySelectorAll("thead th")].map((th) => [th.getAttribute("scope"), th.textContent.trim()]) : [],
    rows: table ? [...table.querySelectorAll("tbody tr")].map((tr) => ({
      keys: [...tr.querySelectorAll("th")].map((th) => [th.getAttribute("scope"), th.textContent.trim()]),
      values: [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()),
    })) : [],
    href: a ? a.getAttribute("href") : null,
    url: a ? a.href : null,
  };
})"""


@pytest.fixture(scope="module")
def page_path(published) -> Path:
    return published["publish"] / REGION / "index.html"


@pytest.fixture(scope="module")
def tables(browser, page_path) -> dict[str, dict]:  # noqa: F811 (the fixture imported above)
    page, console, network = _open(browser, page_path, {"width": 1366, "height": 900})
    found = {t["id"]: t for t in page.evaluate(READ_TABLES)}
    # Every id once: a table's id must not take the place of another section's.
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert console == [] and network == []
    page.close()
    return found


@pytest.fixture(scope="module")
def cube(published):
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        [cb] = build_cubes(con, K)
    return cb


def _csv(url: str) -> list[list[str]]:
    path = Path(unquote(urlparse(url).path))
    assert path.is_file(), f"the link {url} leads nowhere"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM, like the other CSVs
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=";"))


def _published(text: str) -> str:
    """A value as the CSV writes it: '1.234' on the page is 1234 there; symbols stay."""
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return text.replace(".", "")
    return text


def _month_key(label: str) -> str:
    """'mrt 2026*' (page) -> '2026-03*' (CSV)."""
    m = re.fullmatch(r"([a-z]{3}) (\d{4})(\*?)", label)
    assert m, label
    return f"{m.group(2)}-{MONTHS_NL.index(m.group(1)) + 1:02d}{m.group(3)}"


def test_every_figure_has_a_table_and_a_csv_link(tables):
    assert set(tables) - {"perduizend"} == FIGURE_IDS  # perduizend: with bevolking.csv
    for fid, table in tables.items():
        assert table["summary"] == "Tabel", fid
        assert table["caption"], fid
        assert table["columns"] and all(scope == "col" for scope, _ in table["columns"]), fid
        assert table["rows"], fid
        for row in table["rows"]:
            assert row["keys"] and all(scope == "row" for scope, _ in row["keys"]), fid
            assert len(row["keys"]) + len(row["values"]) == len(table["columns"]), fid
        assert table["href"] == f"figuren/{fid}.csv", fid
        _csv(table["url"])


def test_the_csv_holds_exactly_the_numbers_of_the_table(tables):
    for fid, table in tables.items():
        header, *body = _csv(table["url"])
        assert len(header) == len(table["columns"]), fid
        assert all(re.fullmatch(r"[a-z0-9_]+", h) for h in header), (fid, header)
        assert len(body) == len(table["rows"]), fid
        if fid in PERIOD:
            name, pattern = PERIOD[fid]
            assert header[0] == name, fid
            assert all(re.fullmatch(pattern, row[0]) for row in body), fid
        for row, shown in zip(body, table["rows"], strict=True):
            keys = [k for _, k in shown["keys"]]
            n = len(keys)
            if fid in PERIOD and header[0] == "maand":
                keys[0] = _month_key(keys[0])
            if fid == "resultaat" and keys[0].startswith("laatste 4 kwartalen"):
                keys[0] = "jaar"  # the page names the year's quarters, the CSV says jaar
            assert row[:n] == keys, (fid, row, keys)
            assert row[n:] == [_published(v) for v in shown["values"]], (fid, row, shown)
    # Values are counts or CBS symbols, nothing else (leveringen: the status of a file).
    for fid, table in tables.items():
        if fid == "leveringen":
            continue
        for row in table["rows"]:
            for v in row["values"]:
                # Shares are whole percentages ('62%'), rates per 1,000 have one decimal.
                assert v in SYMBOLS or re.fullmatch(r"\d{1,3}(\.\d{3})*|\d+%|\d+,\d", v), (
                    fid,
                    v,
                )


def test_the_tables_hold_the_protected_numbers_and_dot_for_not_yet_known(tables, cube, published):
    """The trend and the ladder cell by cell against the cube; where the cube does not yet
    know a value the table and the CSV say `.`, never 0; where the trend shows a count it
    is the true count of the warehouse."""
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        true = {
            (m, measure): v
            for m, *vals in con.execute(
                "select month, on_list, in_view, persistent, priority_a from marts.region_month "
                "where gemeentecode = 'TOTAAL'"
            ).fetchall()
            for measure, v in zip(
                ("on_list", "in_view", "persistent", "priority_a"), vals, strict=True
            )
        }
    measures = ("on_list", "in_view", "persistent", "priority_a")
    trend = tables["trend"]
    _, *csv_rows = _csv(trend["url"])
    assert len(trend["rows"]) == len(cube.months)
    unknown = 0
    for m, row, csv_row in zip(cube.months, trend["rows"], csv_rows, strict=True):
        assert csv_row[0].rstrip("*") == f"{m:%Y-%m}"
        assert csv_row[0].endswith("*") == (m in cube.provisional)
        for measure, shown, written in zip(measures, row["values"], csv_row[1:], strict=True):
            cell = ("rm", "TOTAAL", m, measure)
            assert _published(shown) == written == str(cube.show(cell)), (m, measure)
            if not cube.known(cell):
                unknown += 1
                assert shown == written == ".", (m, measure, shown)
            elif shown not in SYMBOLS:
                assert int(written) == true[(m, measure)], (m, measure)
    assert unknown >= 2  # persistent in the first months of the data: the rule is exercised

    # The ladder per whole quarter, against the cube; a partial quarter is left out.
    ladder = tables["ladder"]
    complete = [q for q in cube.quarters if q.complete]
    assert [r["keys"][0][1].rstrip("*") for r in ladder["rows"]] == [q.label for q in complete]
    for q, row in zip(complete, ladder["rows"], strict=True):
        for d, shown in zip(("omhoog", "gelijk", "omlaag", "eerste"), row["values"], strict=True):
            assert _published(shown) == str(cube.show(("ladder", q.label, d))), (q.label, d)

    # 'duurzaam' of the latest whole quarters is not yet known: `.`, never 0.
    placements = tables["uitkomsten"]
    _, *csv_rows = _csv(placements["url"])
    dots = 0
    for q, row, csv_row in zip(complete, placements["rows"], csv_rows, strict=True):
        for kind, col in (("werk", 0), ("opleiding", 3)):
            cell = ("placement", q.label, kind, "duurzaam")
            expected = "." if not cube.known(cell) else str(cube.show(cell))
            assert _published(row["values"][col]) == csv_row[1 + col] == expected, q.label
            dots += expected == "."
    assert dots >= 2


def test_no_colour_of_a_trace_is_below_3_to_1_on_white(page_path):
    html = page_path.read_text(encoding="utf-8")
    checked: dict[str, float] = {}
    for fid, traces in figure_data(html).items():
        for trace in traces:
            for colour in _trace_colours(trace):
                ratio = _contrast(colour)
                checked[colour] = ratio
                assert ratio >= 3.0, f"{fid} {trace.get('name')}: {colour} is {ratio:.2f}:1"
    assert len(checked) >= 8, checked  # the palette, the greys, the delivery grid


def _trace_colours(trace: dict) -> list[str]:
    """Every colour a trace draws with, except the white fill of a stub (a hidden or unknown
    value: its outline, in the trace's colour, carries it)."""
    out: list[str] = []
    marker = trace.get("marker") or {}
    line = marker.get("line") or {}
    fill = marker.get("color")
    widths = line.get("width")
    if isinstance(fill, list):
        for i, colour in enumerate(fill):
            stub = isinstance(widths, list) and widths[i] and colour == "white"
            if not stub:
                out.append(colour)
    elif fill is not None:
        out.append(fill)
    if isinstance(line.get("color"), list):
        out += line["color"]
    elif line.get("color") is not None and (widths is None or widths):
        out.append(line["color"])
    if (trace.get("line") or {}).get("color"):
        out.append(trace["line"]["color"])
    for _, colour in trace.get("colorscale") or []:
        out.append(colour)
    return [c for c in out if isinstance(c, str)]


def _contrast(colour: str) -> float:
    """WCAG 2.1 contrast ratio of a colour against white."""
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour.lower(), colour)
    if m := re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)", colour):
        r, g, b = (int(m.group(i)) for i in (1, 2, 3))
        alpha = float(m.group(4)) if m.group(4) else 1.0
        # Drawn over white: mixed with it.
        r, g, b = (round(alpha * v + (1 - alpha) * 255) for v in (r, g, b))
    else:
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def test_the_contrast_check_can_fail():
    """The measure itself: Okabe-Ito's yellow and orange on white are below 3:1."""
    assert _contrast("#F0E442") < 1.4
    assert _contrast("#E69F00") < 3
    assert _contrast("#000000") == pytest.approx(21)
    assert _trace_colours(
        {"marker": {"color": ["white", "#E69F00"], "line": {"color": "#0072B2", "width": [2, 0]}}}
    ) == ["#E69F00", "#0072B2"]


def test_the_table_opens_with_the_keyboard(browser, page_path):  # noqa: F811
    page, console, _ = _open(browser, page_path, {"width": 390, "height": 844})
    details = page.locator("#sectie-trend details")
    assert details.get_attribute("open") is None
    assert not page.locator("#sectie-trend details table").is_visible()
    # Tab through the page until the trend's summary has the focus, then press Enter.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#sectie-trend summary')"):
            break
    else:
        pytest.fail("the table's summary is never reached with Tab")
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    assert page.locator("#sectie-trend details table").is_visible()
    # Then the CSV link (on a phone the table scrolls sideways and is a tab stop first).
    for _ in range(3):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href:
            break
    assert href == "figuren/trend.csv"
    assert console == []
    page.close()


def test_the_colophon_counts_the_suppressed_cells_of_the_cube(page_path, cube):
    html = page_path.read_text(encoding="utf-8")
    m = re.search(r'id="onderdrukt">([^<]*)<', html)
    assert m, "no count of suppressed cells in the colophon"
    text = m.group(1).replace("&lt;", "<")
    counts = re.fullmatch(
        rf"Van de ([\d.]+) gepubliceerde cellen zijn er ([\d.]+) onderdrukt als <{K} en "
        r"([\d.]+) als x \(secundair\)\.",
        text,
    )
    assert counts, text
    published, primary, secondary = (int(g.replace(".", "")) for g in counts.groups())
    summary = cube.suppression_summary()
    assert (published, primary, secondary) == (
        summary.published,
        summary.primary,
        summary.secondary,
    )
    assert primary > 0 and secondary > 0 and published > primary + secondary


def test_the_trede_chart_shows_rungs_1_to_6_and_geen_apart(page_path, tables, cube):
    html = page_path.read_text(encoding="utf-8")
    [bars] = [tr for tr in figure_data(html)["trede"] if tr.get("type") == "bar"]
    assert [x[0] for x in bars["x"]] == ["1", "2", "3", "4", "5", "6"]
    none = str(cube.show(("trede", cube.latest, "geen")))
    section = html.split('id="sectie-trede"', 1)[1].split("</section>", 1)[0]
    shown = none if not none.isdigit() else f"{int(none):,}".replace(",", ".")
    assert f"Geen trede bekend: {shown.replace('<', '&lt;')} jongeren" in section
    assert tables["trede"]["rows"][-1]["keys"][0][1] == "geen trede bekend"
