"""The outreach story (#13) as published: trajectory outcome rates, reach per channel,
declining respected, the youths organisations brought in, rates per 1,000 residents and a
page per municipality, all from the region's one protected cell set.

Read from the published CSVs of the real `inbeeld run` (the `published` fixture), which
hold exactly the numbers of the pages' tables (tests/test_figure_tables.py), and checked
against the warehouse and against each other: no rate over a hidden or small count, no
hidden count derivable by comparing the region page with the municipality pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pytest
from test_publish import MARKS, NOT_KNOWN, K, figure_data

REGION = "zuid-kennemerland-en-ijmond"
MUNICIPAL_FIGURES = ("trend", "trechter", "resultaat", "kanalen", "weigering")
# Rate column -> (part column, whole column) in the same CSV.
RESULT_RATES = {
    "werk_pct": ("werk", "gestart"),
    "opleiding_pct": ("opleiding", "gestart"),
    "duurzaam_pct": ("duurzaam", "gevolgd"),
}


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    assert path.is_file(), path
    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    return header, rows


def _count(v: str) -> int | None:
    return int(v) if re.fullmatch(r"\d+", v) else None


@pytest.fixture(scope="module")
def cube(published):
    from orchestration.publish.cube import build_cubes

    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        [cb] = build_cubes(con, K)
    return cb


@pytest.fixture(scope="module")
def folder(published) -> Path:
    return published["publish"] / REGION


def _municipal_csvs(cube, folder: Path, fid: str) -> dict[str, Path]:
    from dashboards.site import slug

    return {g: folder / "figuren" / f"{slug(cube.names[g])}-{fid}.csv" for g in cube.gemeenten}


def test_every_municipality_has_its_page_linked_from_the_region_page(cube, folder):
    from dashboards.site import municipality_page

    region = (folder / "index.html").read_text(encoding="utf-8")
    assert len(cube.gemeenten) == 7
    for g in cube.gemeenten:
        page = folder / municipality_page(cube, g)
        assert f'href="{page.name}"' in region, g
        html = page.read_text(encoding="utf-8")
        assert cube.names[g] in html and "regio:" in html  # the region's value beside
        assert set(figure_data(html)) == set(MUNICIPAL_FIGURES), g
        for fid in MUNICIPAL_FIGURES:
            assert f'id="sectie-{fid}"' in html
            assert _municipal_csvs(cube, folder, fid)[g].name in html
    # A municipality's trend is its own numbers: the latest month's on_list as in the cube.
    g = cube.gemeenten[0]
    header, rows = _csv(_municipal_csvs(cube, folder, "trend")[g])
    assert rows[-1][header.index("op_de_lijst")] == str(
        cube.show(("rm", g, cube.latest, "on_list"))
    )


def test_no_hidden_count_is_derivable_by_comparing_the_pages(cube, folder):
    """For every count the region page and the municipality pages share (the region's is
    the sum of the municipalities'), never exactly one of them is hidden; where none is,
    they add up."""
    checked = hidden_seen = 0
    for fid in MUNICIPAL_FIGURES:
        header, region_rows = _csv(folder / "figuren" / f"{fid}.csv")
        tables = {g: _csv(p) for g, p in _municipal_csvs(cube, folder, fid).items()}
        for g, (h, rows) in tables.items():
            assert h[: len(header)] == header, (fid, g)
            assert [r[0] for r in rows] == [r[0] for r in region_rows], (fid, g)
        for i, region_row in enumerate(region_rows):
            for j, name in enumerate(header[1:], start=1):
                if name.endswith("_pct") or name.startswith("pct_"):
                    continue  # shares: test_rates_...
                values = [region_row[j], *(rows[i][j] for _, rows in tables.values())]
                if region_row[j] == NOT_KNOWN:
                    assert set(values) == {NOT_KNOWN}, (fid, region_row[0], name, values)
                    continue
                hidden = sum(v in MARKS for v in values)
                assert hidden != 1, (fid, region_row[0], name, values)
                checked += 1
                hidden_seen += hidden > 0
                if hidden == 0:
                    assert int(values[0]) == sum(int(v) for v in values[1:]), (fid, name, values)
    assert checked > 100 and hidden_seen > 10  # the rule is exercised, with suppressions


def _rates_hold(header: list[str], row: list[str], rates: dict[str, tuple[str, str]]) -> int:
    shown = 0
    for rate, (part, whole) in rates.items():
        v = row[header.index(rate)]
        p, w = _count(row[header.index(part)]), _count(row[header.index(whole)])
        if v.endswith("%"):
            assert p is not None and w is not None and w >= K, (row[0], rate, v)
            assert int(v[:-1]) == round(100 * p / w), (row[0], rate, v, p, w)
            shown += 1
        else:
            assert v in {NOT_KNOWN, "x"}, (row[0], rate, v)
            assert p is None or w is None or w < K, (row[0], rate, v, p, w)
    return shown


def test_rates_are_shown_only_over_shown_counts_of_at_least_k(cube, folder):
    shown = 0
    for path in [
        folder / "figuren" / "resultaat.csv",
        *_municipal_csvs(cube, folder, "resultaat").values(),
    ]:
        header, rows = _csv(path)
        for row in rows:
            shown += _rates_hold(header, row, RESULT_RATES)
    from orchestration.publish.cube import CHANNELS

    channel_rates = {f"{ch}_bereikt_pct": (f"{ch}_bereikt", f"{ch}_benaderd") for ch in CHANNELS}
    for path in [
        folder / "figuren" / "kanalen.csv",
        *_municipal_csvs(cube, folder, "kanalen").values(),
    ]:
        header, rows = _csv(path)
        for row in rows:
            shown += _rates_hold(header, row, channel_rates)
    # The funnel: each step's share of the step before it.
    header, rows = _csv(folder / "figuren" / "trechter.csv")
    for before, row in zip(rows, rows[1:], strict=False):
        rate = row[header.index("pct_van_vorige_stap")]
        p, w = _count(row[1]), _count(before[1])
        if rate.endswith("%"):
            assert p is not None and w is not None and w >= K
            assert int(rate[:-1]) == round(100 * p / w)
            shown += 1
    assert shown > 40


def test_outcomes_and_reach_are_the_warehouse_counts(cube, folder, published):
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        started = dict(
            con.execute(
                "select quarter_start, sum(trajectories) from reports.trajectory_outcomes "
                "group by all"
            ).fetchall()
        )
        werk = dict(
            con.execute(
                "select quarter_start, sum(trajectories) from reports.trajectory_outcomes "
                "where uitkomst = 'werk' group by all"
            ).fetchall()
        )
        letters = dict(
            con.execute(
                "select quarter_start, sum(approached) from reports.channel_reach "
                "where kanaal = 'brief' group by all"
            ).fetchall()
        )
    by_label = {q.label: q.start for q in cube.quarters}
    header, rows = _csv(folder / "figuren" / "resultaat.csv")
    compared = 0
    for row in rows:
        label = row[0].rstrip("*")
        if label not in by_label:
            continue  # the year: the sum of its quarters, checked below
        q = by_label[label]
        for col, true in (("gestart", started), ("werk", werk)):
            v = _count(row[header.index(col)])
            if v is not None:
                assert v == true.get(q, 0), (label, col)
                compared += 1
    year = [r for r in rows if r[0] == "jaar"]
    assert year and cube.year_quarters
    assert _count(year[0][header.index("gestart")]) == sum(
        started.get(q.start, 0) for q in cube.year_quarters
    )
    header, rows = _csv(folder / "figuren" / "kanalen.csv")
    for row in rows:
        v = _count(row[header.index("brief_benaderd")])
        if v is not None:
            assert v == letters.get(by_label[row[0].rstrip("*")], 0)
            compared += 1
    assert compared >= 8
    # The practice reference is drawn and named as such.
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "praktijkreferentie Heerlen: 70% werk" in html
    assert "praktijkreferentie Heerlen: 10% opleiding" in html


def test_declining_is_shown_per_month_and_the_quiet_period_is_respected(cube, folder, published):
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        true = {
            (m, kind): v
            for m, g, b in con.execute(
                "select month, sum(geweigerd), sum(bezwaar) from reports.declined_month "
                "group by all"
            ).fetchall()
            for kind, v in (("geweigerd", g), ("bezwaar", b))
        }
        # Nobody in the quiet period or in bezwaar is approached that month: they are not
        # among the listed youths with a stage of benaderd or further.
        approached_while_declined = con.execute(
            "select count(*) from marts.youth_month where stage in ('geweigerd', 'bezwaar') "
            "and priority is not null"
        ).fetchone()[0]
    assert approached_while_declined == 0
    header, rows = _csv(folder / "figuren" / "weigering.csv")
    assert header == ["maand", "geweigerd", "bezwaar"]
    shown = 0
    for m, row in zip(cube.months, rows, strict=True):
        for kind in ("geweigerd", "bezwaar"):
            v = _count(row[header.index(kind)])
            if v is not None:
                assert v == true.get((m, kind), 0), (m, kind)
                shown += v > 0
    assert shown >= 5


def test_inflow_through_organisations_adds_up(folder):
    header, rows = _csv(folder / "figuren" / "instroom.csv")
    values = {r[0]: r[1] for r in rows}
    via, total, none = (
        _count(values[k]) for k in ("via een organisatie", "totaal", "zonder verwijzing")
    )
    assert total is not None and total > 0
    if via is not None and none is not None:
        assert via + none == total
    types = [
        _count(v)
        for k, v in values.items()
        if k not in ("via een organisatie", "totaal", "zonder verwijzing")
    ]
    if via is not None and all(x is not None for x in types):
        assert sum(types) == via


def test_rates_per_1000_need_bevolking_csv_and_say_so_without_it(cube, published, tmp_path):
    from dashboards.site import write_site

    assert (published["inbox"] / "bevolking.csv").is_file()  # the generator writes one
    assert cube.population and set(cube.population) == set(cube.gemeenten)
    header, rows = _csv(published["publish"] / REGION / "figuren" / "perduizend.csv")
    checked = 0
    for g, row in zip(cube.gemeenten, rows, strict=False):
        assert int(row[header.index("inwoners_23_26")]) == cube.population[g]
        n = cube.number(("rm", g, cube.latest, "in_view"))
        shown = row[header.index("in_beeld_per_1000")]
        if n is None:
            assert shown in MARKS | {NOT_KNOWN}
        else:
            assert shown == f"{1000 * n / cube.population[g]:.1f}".replace(".", ",")
            checked += 1
    assert checked >= 3
    # Without the file: no figure, and a note that says why.
    cube.population = {}
    write_site([cube], tmp_path)
    page = (tmp_path / REGION / "index.html").read_text(encoding="utf-8")
    assert "perduizend" not in figure_data(page)
    assert 'id="geen-bevolking"' in page and "bevolking.csv" in page
    assert not (tmp_path / REGION / "figuren" / "perduizend.csv").exists()


def test_szw_table_has_the_rates_and_the_delivery_counts(cube, published):
    from orchestration.publish import szw

    header, rows = _csv(published["publish"] / "szw" / "szw_kwartaal.csv")
    assert list(header) == list(szw.HEADER)
    for row in rows:
        r = dict(zip(header, row, strict=True))
        as_pct = {k: (v + "%" if re.fullmatch(r"\d+", v) else v) for k, v in r.items()}
        q = r["kwartaal"].rstrip("*")
        parts = {
            "werk": str(cube.show(("traject", "TOTAAL", q, "werk"))),
            "gestart": r["trajecten_gestart"],
            "opleiding": str(cube.show(("traject", "TOTAAL", q, "opleiding"))),
            "duurzaam": str(cube.show(("traject", "TOTAAL", q, "duurzaam"))),
            "gevolgd": str(cube.show(("traject", "TOTAAL", q, "gevolgd"))),
        }
        keys = ["pct_naar_werk", "pct_naar_opleiding", "pct_duurzaam"]
        _rates_hold(
            [*keys, *parts],
            [as_pct[k] for k in keys] + list(parts.values()),
            dict(zip(keys, RESULT_RATES.values(), strict=True)),
        )
        gemeenten = int(r["gemeenten"])
        assert gemeenten == 7
        delivered = [int(r[c]) for c in header if c.startswith("gemeenten_leverden_")]
        assert len(delivered) == 8 and all(0 <= d <= gemeenten for d in delivered)
