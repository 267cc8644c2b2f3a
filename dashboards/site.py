"""The regional dashboards: one static, self-contained HTML page per arbeidsmarktregio
plus an index, drawn with plotly from the protected cells only (publish/cube.py).

Hidden cells reach a bar chart as an outlined stub with their mark (`<5`, `x`) as the
label, never as an empty slot; the stub's height is a drawing height, not the count, so
no suppressed count is in the page, not even in the figure data. A value not yet known
is a stub labelled `.`; the latest two months are provisional (`*`). Output is
deterministic: fixed div ids, no timestamps, sorted inputs.

Beside the protected numbers each page shows the region's delivery status (files, not
persons; publish/deliveries.py): a grid per file type, the incomplete months in the
trend, and 'geen casusregistratie' in the municipality table where a file type was never
delivered. publish/<regio>/leveringen.csv holds the same status row for row.

Readable without a mouse: every figure carries its numbers as a table below it (closed
details/summary) and as publish/<regio>/figuren/<figure-id>.csv, both from the one list of
cells the figure's traces draw (dashboards/figure_tables.py); the values a chart needs
stand on it (bar values, the line ends, the grid letters); every colour of a graphic
element has a contrast of at least 3:1 against the white page (the palette below).
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from dashboards import plot
from dashboards import texts as t
from dashboards.figure_tables import FOLDER, Column, FigureTable, month_key
from orchestration.core.dates import add_months
from orchestration.publish import cube as c
from orchestration.publish import deliveries as dl
from orchestration.publish import disclosure, szw

# Every colour of the page's graphic elements, in one place. Okabe-Ito's hues
# (distinguishable with every common form of colour blindness), the light ones (orange,
# sky blue, yellow) darkened so that every line, bar, marker, stub outline and grid cell has
# a contrast of at least 3:1 against the white background (WCAG 2.1, 1.4.11; the ratio of
# each is in the comment, tests/test_figure_tables.py computes it from the page).
BLUE = "#0072B2"  # 5.2:1
ORANGE = "#C07A00"  # 3.5:1 (Okabe-Ito #E69F00 is 2.3:1)
GREEN = "#009E73"  # 3.4:1
PURPLE = "#CC79A7"  # 3.1:1
SKY = "#1A8CCC"  # 3.7:1 (Okabe-Ito #56B4E9 is 2.3:1)
VERMILLION = "#D55E00"  # 3.9:1
OLIVE = "#8A7D00"  # 4.2:1, for Okabe-Ito's yellow #F0E442 (1.3:1)
BLACK = "#000000"  # 21:1
GREY = "#767676"  # 4.5:1: neutral (unchanged, not yet to judge)
PALETTE = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, OLIVE, BLACK)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "locale": "nl",
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
# Status colours of the delivery grid; the letter on each cell carries the status too, in
# white, so each is dark enough for text as well (4.5:1): green 5.3:1, the purple 5.2:1 and
# the vermillion 4.8:1 (darker shades of the palette's).
DELIVERY_COLOURS = {"geleverd": "#007A5A", "afgekeurd": "#A8479A", "ontbreekt": "#B35900"}
# Behind an incomplete month in the trend: a band, not a mark (the ring marks the month).
BAND = "#cccccc"
NOT_KNOWN = disclosure.NOT_KNOWN  # CBS: not available or not yet known
PROVISIONAL = disclosure.PROVISIONAL  # CBS: after a provisional month or quarter
# plotly.js speaks English in its tool bar: the Dutch words, registered once per page.
LOCALE_NL = {
    "moduleType": "locale",
    "name": "nl",
    "dictionary": {
        "Download plot as a PNG": "Figuur opslaan als PNG",
        "Download plot": "Figuur opslaan",
        "Autoscale": "Automatisch schalen",
        "Reset axes": "Assen terugzetten",
        "Zoom in": "Inzoomen",
        "Zoom out": "Uitzoomen",
        "Zoom": "Zoomen",
        "Pan": "Verschuiven",
        "Reset view": "Beeld terugzetten",
        "Toggle Spike Lines": "Hulplijnen aan of uit",
        "Show closest data on hover": "Dichtstbijzijnde waarde tonen",
        "Compare data on hover": "Waarden vergelijken",
        "Double-click to zoom back out": "Dubbelklik om terug te zoomen",
        "Double-click on legend to isolate one trace": "Dubbelklik op de legenda om één reeks apart te zien",
    },
    "format": {"decimal": ",", "thousands": "."},
}
# Value labels smaller than this are left out (the number is in the hover and the tables)
# rather than squeezed or turned on their side.
MIN_LABEL_SIZE = 11

# Once per page, after the figures: each figure follows the width of its card. A figure
# is drawn once the page is parsed (see _html), when every card has its place; plotly
# itself only redraws on a window resize, so a card that changes width otherwise (the
# layout settling, a font, printing) would keep a drawing of the old width, too wide for
# it or too narrow. Printing lays the page out anew at the width of the paper and reports
# the print media before it paints, so the figures are redrawn right then, and again
# afterwards for the screen.
PAGE_SCRIPT = """(function () {
  "use strict";
  Plotly.register(LOCALE);
  function fit(gd) {
    var drawn = gd._fullLayout;
    if (!drawn || !gd.isConnected || gd.clientWidth === 0) return;
    if (Math.abs(drawn.width - gd.clientWidth) < 1) return;
    Plotly.relayout(gd, { autosize: true });
  }
  function fitAll() {
    document.querySelectorAll(".js-plotly-plot").forEach(fit);
  }
  var cards = typeof ResizeObserver === "function"
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { fit(entry.target); });
      })
    : null;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (cards) cards.observe(gd);
    });
  });
  // Held by the window: a MediaQueryList no one holds may be collected with its listener.
  window.inbeeldPrint = window.matchMedia("print");
  window.inbeeldPrint.addEventListener("change", fitAll);
  window.addEventListener("beforeprint", fitAll);
  window.addEventListener("afterprint", fitAll);
})();""".replace("LOCALE", json.dumps(LOCALE_NL, ensure_ascii=False, sort_keys=True))


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass
class Figure:
    id: str
    title: str
    explanation: str
    html: str
    wide: bool = False  # the card spans the whole row of the grid
    notes: list[str] = field(default_factory=list)  # lines below the figure
    table: FigureTable | None = None  # its numbers, below it and as figuren/<id>.csv
    prefix: str = ""  # a municipality page's figures: figuren/<gemeente>-<id>.csv

    @property
    def csv(self) -> str:
        """The figure's CSV, relative to its page."""
        return f"{FOLDER}/{self.prefix}{self.id}.csv"


@dataclass(frozen=True)
class Rate:
    """A share of two cells in a figure or table: shown only as the cube allows
    (RegionCube.rate: both counts shown, the whole at least k)."""

    part: tuple
    whole: tuple


@dataclass(frozen=True)
class PerThousand:
    """A shown count per 1,000 residents aged 23-26 of the scope (RegionCube.per_1000)."""

    cell: tuple
    scope: str


@dataclass
class Tile:
    label: str
    explanation: str
    value: str
    vs_month: str
    vs_year: str
    region: str = ""  # on a municipality page: the region's value beside it


def _layout(fig: plot.Figure, height: int = 420, barmode: str | None = None) -> plot.Figure:
    """The house style. No width: a figure is as wide as its card (autosize), on every
    screen and on paper. The legend stands at the foot of the figure, in a margin of its
    own below the axis labels, so it never covers a subplot title or the plot."""
    _stub_legends(fig, barmode or "group")
    fig.update_layout(
        template="none",
        autosize=True,
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 10},
        font={"family": FONT, "size": 15, "color": "#1a1a1a"},
        colorway=list(PALETTE),
        legend={
            "orientation": "h",
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
        },
        uniformtext={"minsize": MIN_LABEL_SIZE, "mode": "hide"},
        separators=",.",
        hovermode="x unified",
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if barmode:
        fig.update_layout(barmode=barmode)
    fig.update_yaxes(gridcolor="#dddddd", rangemode="tozero", tickformat=",d", automargin=True)
    # Month and quarter labels are categories (plotly would read "2025-K1" as a date).
    fig.update_xaxes(type="category", automargin=True, tickangle=-45)
    return fig


def _stub_legends(fig: plot.Figure, barmode: str) -> None:
    """plotly draws a bar's legend entry like its first bar: where that is a stub (white),
    the entry comes from an empty bar of the real colour in the same place instead (in
    grouped bars, in the same slot of the group). A lone trace has no legend."""
    if len(fig.data) < 2:
        return
    grouped = barmode == "group"
    for rank, trace in enumerate(list(fig.data)):
        trace["legendrank"] = 1000 + rank
        if trace["type"] == "bar" and grouped:
            trace["offsetgroup"] = f"g{rank}"
        meta = trace.get("meta", []) if trace["type"] == "bar" else []
        if not (meta and meta[0] and trace.get("showlegend") is not False):
            continue
        group = trace.get("legendgroup") or f"stub-{rank}"
        trace.update(showlegend=False, legendgroup=group)
        fig.add_trace(
            plot.bar(
                name=trace.get("name"),
                x=[None],
                y=[None],
                marker_color=trace["marker"]["line"]["color"],
                legendgroup=group,
                offsetgroup=trace.get("offsetgroup"),
                legendrank=1000 + rank,
                xaxis=trace.get("xaxis"),
                yaxis=trace.get("yaxis"),
                hoverinfo="skip",
            )
        )


def _wrap(label: str, width: int = 16) -> str:
    """A long label on more lines (plotly breaks at <br>): narrower, so it fits a phone."""
    return "<br>".join(textwrap.wrap(label, width)) if len(label) > width else label


def _shown(cb: c.RegionCube, cell) -> int | str:
    """A cell as published: its count, `<k`, `x`, or `.` (not yet known; also a cell given
    as None); a Rate as '62%' or its mark; a PerThousand as '12,3' or its mark. Tables,
    CSVs and chart labels all take their value from here."""
    if cell is None:
        return NOT_KNOWN
    if isinstance(cell, Rate):
        return cb.show_rate(cell.part, cell.whole)
    if isinstance(cell, PerThousand):
        v = cb.per_1000(cell.cell, cell.scope)
        if v is not None:
            return t.number_nl(round(v, 1))
        shown = cb.show(cell.cell)
        return shown if isinstance(shown, str) else NOT_KNOWN
    return cb.show(cell)


def _number(cb: c.RegionCube, cell) -> float | None:
    """A cell's value for a chart: a count, a percentage, a rate per 1,000, or None."""
    if cell is None:
        return None
    if isinstance(cell, Rate):
        r = cb.rate(cell.part, cell.whole)
        return None if r is None else round(100 * r)
    if isinstance(cell, PerThousand):
        v = cb.per_1000(cell.cell, cell.scope)
        return None if v is None else round(v, 1)
    return cb.number(cell)


def _series(cb: c.RegionCube, cells: list) -> tuple[list[float | None], list[str]]:
    """Chart values (None where hidden or not known) and their labels (the count, its mark,
    or `.` for a cell not yet known)."""
    return ([_number(cb, x) for x in cells], [t.number_nl(_shown(cb, x)) for x in cells])


def _table(
    cb: c.RegionCube,
    caption: str,
    index: list[Column],
    keys: list[list[str]],
    csv_keys: list[list[str]],
    columns: list[Column],
    cells: list[list],
) -> FigureTable:
    """A figure's numbers: `cells[row][column]` are the cells its traces draw."""
    return FigureTable(
        caption, index, columns, keys, csv_keys, [[_shown(cb, x) for x in row] for row in cells]
    )


def _months_index(cb: c.RegionCube, months: list[date]) -> tuple[list, list, list]:
    """The key column of a figure by month: on the page 'mei 2026*', in the CSV 2026-05*."""
    return (
        [Column("maand")],
        [[_month_label(cb, m)] for m in months],
        [[month_key(m, m in cb.provisional)] for m in months],
    )


def _quarters_index(cb: c.RegionCube, quarters: list[c.Quarter]) -> tuple[list, list, list]:
    """The key column of a figure by quarter: 2026-K1, `*` when provisional (as szw.py)."""
    labels = [[szw.quarter_label(cb, q)] for q in quarters]
    return [Column("kwartaal")], labels, labels


def _categories_index(label: str, names: list[str]) -> tuple[list, list, list]:
    return [Column(label)], [[n] for n in names], [[n] for n in names]


def _column(cells: list[list], j: int) -> list:
    return [row[j] for row in cells]


def _bar(
    name: str, x: list, cb: c.RegionCube, cells: list, color: str, stub: float = 0, **kw
) -> plot.Trace:
    """Bars with their value as a label above the bar, never turned on its side: all labels
    of a figure in one size, small enough for the narrowest bar, and left out where that
    would be smaller than MIN_LABEL_SIZE (a phone). A hidden (`<5`, `x`) or unknown (`.`,
    a cell given as None) value is drawn as an outlined stub of height `stub` (default: a
    twentieth of the tallest bar) with its label, never as an empty slot."""
    y, labels = _series(cb, cells)
    name = _wrap(name, 24) if len(name) > 30 else name  # a legend entry fits a phone
    hidden = [v is None for v in y]
    height = stub or max(1.0, max((v for v in y if v is not None), default=0) / 20)
    position = kw.pop("textposition", "outside")
    return plot.bar(
        name=name,
        x=x,
        y=[height if h else v for h, v in zip(hidden, y, strict=True)],
        text=labels,
        textposition=[("outside" if h else position) for h in hidden],
        textangle=0,
        cliponaxis=False,
        marker={
            "color": ["white" if h else color for h in hidden],
            "line": {"color": color, "width": [2 if h else 0 for h in hidden]},
        },
        meta=["stub" if h else "" for h in hidden],
        hovertemplate="%{text}<extra>" + name + "</extra>",
        **kw,
    )


def _monthly_stack(cb: c.RegionCube, fig_id: str, prefix: str, parts: dict[str, str]) -> Figure:
    """The region's total split by reason, a stacked bar per month: one trace per
    `<prefix>_<code>` measure, labelled in Dutch (exclusion sources, outflow reasons); each
    part carries its count inside where it fits, all of them in the table."""
    months = cb.months
    x = [_month_label(cb, m) for m in months]
    cells = [[("rm", "TOTAAL", m, f"{prefix}_{code}") for code in parts] for m in months]
    fig = plot.Figure()
    for i, label in enumerate(parts.values()):
        fig.add_trace(_bar(label, x, cb, _column(cells, i), PALETTE[i], textposition="inside"))
    table = _table(
        cb,
        f"{t.FIGURES[fig_id][0]}, per maand",
        *_months_index(cb, months),
        [Column(label) for label in parts.values()],
        cells,
    )
    return _figure(fig_id, _layout(_stacked(fig), barmode="stack"), table)


def _stacked(fig: plot.Figure) -> plot.Figure:
    """Stacked bars: the stubs of hidden or unknown values one height across the figure, a
    twelfth of the tallest stack of its subplot, tall enough to carry their label inside."""
    tallest: dict[str, float] = {}
    for trace in fig.data:
        for x, y, meta in zip(trace["x"], trace["y"], trace["meta"], strict=True):
            key = f"{trace.get('xaxis')}|{x}"
            tallest[key] = tallest.get(key, 0) + (0 if meta else y)
    for trace in fig.data:
        axis_key = f"{trace.get('xaxis')}|"
        axis = max((v for k, v in tallest.items() if k.startswith(axis_key)), default=0)
        height = max(1.0, axis / 12)
        meta = trace["meta"]
        trace["y"] = [height if m else y for y, m in zip(trace["y"], meta, strict=True)]
        trace["textposition"] = [
            "inside" if m else p for p, m in zip(trace["textposition"], meta, strict=True)
        ]
        trace["insidetextanchor"] = "middle"
    return fig


def _month_label(cb: c.RegionCube, m: date) -> str:
    """'mei 2026', with `*` for a provisional month."""
    return t.month_short(m) + (PROVISIONAL if m in cb.provisional else "")


def _html(fig: plot.Figure, fig_id: str) -> str:
    """The figure's div and the script that draws it once the whole page is parsed: then
    every card stands where it will stay, so the first drawing has its card's width. (Drawn
    while the page is still being read, the first card of the grid is alone on its row and
    twice as wide as it will be.)"""
    data, layout, config = (
        x.replace("</", "<\\/") for x in (*fig.json(), plot.to_json(PLOTLY_CONFIG))
    )
    div, height = f"fig-{fig_id}", fig.layout["height"]
    return (
        f'<div id="{div}" class="plotly-graph-div" style="height:{height}px;'
        f' width:100%;"></div>\n<script>document.addEventListener("DOMContentLoaded",'
        f' function () {{ Plotly.newPlot("{div}", {data}, {layout}, {config}); }});</script>'
    )


def _figure(
    fig_id: str,
    fig: plot.Figure,
    table: FigureTable,
    wide: bool = False,
    notes: list[str] | None = None,
) -> Figure:
    title, explanation = t.FIGURES[fig_id]
    return Figure(fig_id, title, explanation, _html(fig, fig_id), wide, notes or [], table)


def _rows(figures: list[Figure]) -> list[Figure]:
    """No half-empty row in the two-column grid: a figure without a partner beside it (the
    last of an odd number, or one before a wide figure) gets the whole row."""
    alone: Figure | None = None
    for fig in figures:
        if fig.wide:
            if alone:
                alone.wide = True
            alone = None
        else:
            alone = None if alone else fig
    if alone:
        alone.wide = True
    return figures


def tiles(cb: c.RegionCube, scope: str = "TOTAAL") -> list[Tile]:
    """The headline counts of the latest month; on a municipality page with the region's
    value beside each."""
    latest = cb.latest
    previous = add_months(latest, -1)
    year_ago = add_months(latest, -12)
    out = []
    for measure, (label, explanation) in t.TILES.items():
        now = ("rm", scope, latest, measure)
        region = ("rm", "TOTAAL", latest, measure)
        out.append(
            Tile(
                label,
                explanation,
                t.number_nl(cb.show(now)),
                _change(cb, now, previous, measure, "vorige maand"),
                _change(cb, now, year_ago, measure, "vorig jaar"),
                f"regio: {t.number_nl(cb.show(region))}" if scope != "TOTAAL" else "",
            )
        )
    return out


def _change(cb: c.RegionCube, now: tuple, then_month: date, measure: str, label: str) -> str:
    if then_month not in cb.months:
        return f"{label}: geen gegevens"
    then = ("rm", now[1], then_month, measure)
    if not (cb.known(now) and cb.known(then)):
        return f"{label}: nog niet bekend"
    a, b = cb.number(now), cb.number(then)
    if a is None or b is None:
        return f"{label}: niet te tonen"
    d = a - b
    sign = "+" if d > 0 else ("±" if d == 0 else "−")
    return f"{sign}{t.number_nl(abs(d))} t.o.v. {label} ({t.month_short(then_month)})"


def incomplete_months(cb: c.RegionCube, scope: str = "TOTAAL") -> dict[date, str]:
    """Months of the data in which a municipality's JIB list (of the scope) is missing or
    was rejected, with what the page says about them ('mei 2026: Haarlem geen lijst')."""
    out = {}
    for m, ds in cb.missing_lists.items():
        mine = [d for d in ds if scope in ("TOTAAL", d.gemeentecode)]
        if m in cb.months and mine:
            out[m] = t.missing_list_text(m, [(d.gemeente, d.status) for d in mine])
    return out


def _deliveries_figure(cb: c.RegionCube) -> Figure:
    """A grid per file type: municipalities (rows) by month (columns), each cell coloured by
    its status and lettered G, A or O, readable without hovering; legend in Dutch."""
    by_cell = {(d.source, d.gemeentecode, d.month): d for d in cb.deliveries}
    codes = sorted({d.gemeentecode for d in cb.deliveries})
    names = {d.gemeentecode: d.gemeente for d in cb.deliveries}
    months = cb.months
    x = [_month_label(cb, m) for m in months]
    y = [names[g] for g in codes]
    level = {s: i for i, s in enumerate(dl.STATUSES)}
    n = len(dl.SOURCES)
    row_px, gap_px = 20, 34  # a row of cells; room for the next grid's title
    plot_px = n * len(codes) * row_px + (n - 1) * gap_px
    fig = plot.subplots(
        rows=n,
        cols=1,
        shared_xaxes=True,
        subplot_titles=list(dl.SOURCES),  # as named in the inbox and in leveringen.csv
        vertical_spacing=gap_px / plot_px if plot_px else 0.02,
    )
    scale = []
    for i, status in enumerate(dl.STATUSES):
        lo, hi = i / len(dl.STATUSES), (i + 1) / len(dl.STATUSES)
        scale += [[lo, DELIVERY_COLOURS[status]], [hi, DELIVERY_COLOURS[status]]]
    for row, source in enumerate(dl.SOURCES, start=1):
        cells = [[by_cell.get((source, g, m)) for m in months] for g in codes]
        fig.add_trace(
            plot.heatmap(
                x=x,
                y=y,
                z=[[level[d.status] + 0.5 if d else None for d in r] for r in cells],
                zmin=0,
                zmax=len(dl.STATUSES),
                colorscale=scale,
                showscale=False,
                xgap=2,
                ygap=2,
                text=[[t.DELIVERY_STATUSES[d.status][0] if d else "" for d in r] for r in cells],
                texttemplate="%{text}",
                textfont={"size": 11},
                hovertext=[
                    [
                        f"{names[g]}, {t.month_short(m)}, {source}: {d.status}"
                        + (f" ({d.reason})" if d and d.reason else "")
                        if d
                        else ""
                        for m, d in zip(months, r, strict=True)
                    ]
                    for g, r in zip(codes, cells, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    # The legend: one entry per status, with its colour and letter.
    for status in dl.STATUSES:
        fig.add_trace(
            plot.scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=t.DELIVERY_STATUSES[status][1],
                marker={"symbol": "square", "size": 14, "color": DELIVERY_COLOURS[status]},
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    fig = _layout(fig, height=plot_px + 190)
    fig.update_layout(hovermode="closest", margin={"t": 30})
    # Every municipality named on every grid (plotly would skip names on a phone).
    fig.update_yaxes(
        gridcolor="rgba(0,0,0,0)",
        rangemode="normal",
        tickformat="",
        type="category",
        tickmode="array",
        tickvals=y,
        ticktext=y,
        tickfont={"size": 13},
    )
    fig.update_annotations(font={"size": 14}, xanchor="left", x=0)
    rejected = [d for d in cb.deliveries if d.status == "afgekeurd"]
    notes = []
    if rejected:
        listed = "; ".join(
            f"{t.month_short(d.month)} {d.gemeente} {d.source} ({d.reason})" for d in rejected[:12]
        )
        more = f" en nog {len(rejected) - 12}" if len(rejected) > 12 else ""
        notes.append(f"Afgekeurd: {listed}{more}.")
    # The grid as a table: a row per month and municipality, a column per file type, each
    # cell the status as the grid letters it (with the reason of a rejection).
    rows = [(m, g) for m in months for g in codes]
    index = [Column("maand"), Column("gemeente")]
    table = FigureTable(
        f"{t.FIGURES['leveringen'][0]}: status per bestand",
        index,
        [Column(source) for source in dl.SOURCES],
        [[_month_label(cb, m), names[g]] for m, g in rows],
        [[month_key(m, m in cb.provisional), names[g]] for m, g in rows],
        [[_delivery_status(by_cell.get((s, g, m))) for s in dl.SOURCES] for m, g in rows],
    )
    return _figure("leveringen", fig, table, wide=True, notes=notes)


def _delivery_status(d: dl.Delivery | None) -> str:
    if d is None:
        return NOT_KNOWN
    return f"{d.status} ({d.reason})" if d.reason else d.status


def figures(cb: c.RegionCube) -> list[Figure]:
    """Every figure of the region page, each with its numbers as a table (one list of rows
    per figure: the table, the CSV and the traces are drawn from the same cells)."""
    months = cb.months
    x = [_month_label(cb, m) for m in months]
    out = [_trend_figure(cb, x), _deliveries_figure(cb)]
    out.append(_monthly_stack(cb, "uitsluiting", "excluded", t.EXCLUSION_SOURCES))
    out.append(_persistence_figure(cb))
    out.append(_funnel_figure(cb))
    out.append(_results_figure(cb))
    out.append(_channels_figure(cb))
    out.append(_placements_figure(cb))
    out.append(_monthly_stack(cb, "uitstroom", "outflow", t.OUTFLOW_REASONS))
    out.append(_ladder_figure(cb))
    out.append(_trede_figure(cb))
    out.append(_municipalities_figure(cb))
    if cb.population:
        out.append(_per_thousand_figure(cb))
    out.append(_declined_figure(cb))
    out.append(_inflow_figure(cb))
    out.append(_referrals_figure(cb))
    out.append(_roles_figure(cb))
    return _rows(out)


def municipality_figures(cb: c.RegionCube, g: str) -> list[Figure]:
    """The figures of a municipality's page: its own numbers, from the same protected cells
    as the region page (the region's rates beside its own in the tables)."""
    x = [_month_label(cb, m) for m in cb.months]
    out = [
        _trend_figure(cb, x, g),
        _funnel_figure(cb, g),
        _results_figure(cb, g),
        _channels_figure(cb, g),
        _declined_figure(cb, g),
    ]
    for fig in out:
        fig.prefix = f"{slug(cb.names.get(g, g))}-"
    return _rows(out)


def _place(cb: c.RegionCube, scope: str) -> str:
    return "de regio" if scope == "TOTAAL" else cb.names.get(scope, scope)


TREND_MEASURES = ("on_list", "in_view", "persistent", "priority_a")


def _trend_figure(cb: c.RegionCube, x: list[str], scope: str = "TOTAAL") -> Figure:
    """A line per measure over all months, as wide as the page; each line's latest value
    stands at its end."""
    months = cb.months
    cells = [[("rm", scope, m, measure) for measure in TREND_MEASURES] for m in months]
    incomplete = incomplete_months(cb, scope)
    fig = plot.Figure()
    for i, measure in enumerate(TREND_MEASURES):
        y, labels = _series(cb, _column(cells, i))
        fig.add_trace(
            plot.scatter(
                name=t.MEASURES[measure],
                x=x,
                y=y,
                text=labels,
                # The value at the line's end, on the chart (and so on paper).
                texttemplate=[""] * (len(x) - 1) + ["%{text}"],
                textposition="top left",
                textfont={"size": 13},  # in the ink: text needs 4.5:1
                mode="lines+markers+text",
                line={
                    "width": 3,
                    "color": PALETTE[i],
                    "dash": ("solid", "dash", "dot", "dashdot")[i],
                },
                hovertemplate="%{text}<extra>" + t.MEASURES[measure] + "</extra>",
            )
        )
    # Incomplete months: a grey band behind the month, an open ring on the region's total,
    # and the month named below the figure ('mei 2026: Haarlem geen lijst').
    on_list = [cb.number(("rm", scope, m, "on_list")) for m in months]
    for i, m in enumerate(months):
        if m in incomplete:
            fig.add_vrect(
                x0=i - 0.5, x1=i + 0.5, fillcolor=BAND, opacity=0.35, line_width=0, layer="below"
            )
    if incomplete:
        fig.add_trace(
            plot.scatter(
                name=_wrap("onvolledige maand (een lijst ontbreekt)", 24),
                x=[x[months.index(m)] for m in incomplete],
                y=[on_list[months.index(m)] for m in incomplete],
                mode="markers",
                marker={
                    "symbol": "circle-open",
                    "size": 18,
                    "color": VERMILLION,
                    "line": {"width": 3},
                },
                hovertext=list(incomplete.values()),
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    notes = []
    if incomplete:
        notes.append(
            "Onvolledige maanden (grijs; de cijfers van die maand zijn te laag, en in de "
            "maanden erna kan persistent te laag zijn): " + "; ".join(incomplete.values()) + "."
        )
    unknown = [m for m in months if not cb.known(("rm", scope, m, "persistent"))]
    if unknown:
        notes.append(
            "Persistent en prioriteit A zijn . (nog niet bekend) in "
            + " en ".join(t.month_short(m) for m in unknown)
            + ": de eerste maanden van de gegevens, waarin nog niemand"
            f" {t.PERSISTENT_MONTHS} maanden op de lijst kan staan; de lijn begint erna."
        )
    if cb.provisional:
        notes.append(
            "* voorlopig: "
            + " en ".join(t.month_short(m) for m in cb.provisional)
            + f"; registraties komen tot {t.STALE_MONTHS} maanden later binnen."
        )
    table = _table(
        cb,
        f"{t.FIGURES['trend'][0]}: aantal jongeren in {_place(cb, scope)}",
        *_months_index(cb, months),
        [Column(t.MEASURES[m]) for m in TREND_MEASURES],
        cells,
    )
    return _figure("trend", _layout(fig), table, wide=True, notes=notes)


def _single_bars(
    cb: c.RegionCube,
    fig_id: str,
    index: str,
    names: list[str],
    columns: list[tuple[str, str]],
    cells: list[list],
    height: int = 420,
    notes: list[str] | None = None,
) -> Figure:
    """Bars by category of the latest month (one trace per column, grouped), every bar
    with its value above it; the same cells as a table."""
    fig = plot.Figure()
    for j, (label, colour) in enumerate(columns):
        fig.add_trace(_bar(label, names, cb, _column(cells, j), colour))
    fig = _layout(fig, height=height, barmode="group")
    fig.update_layout(hovermode="closest")
    table = _table(
        cb,
        f"{t.FIGURES[fig_id][0]}, {t.month_short(cb.latest)}",
        *_categories_index(index, names),
        [Column(label) for label, _ in columns],
        cells,
    )
    return _figure(fig_id, fig, table, notes=notes)


def _persistence_figure(cb: c.RegionCube) -> Figure:
    return _single_bars(
        cb,
        "persistentie",
        "aaneengesloten op de lijst",
        list(t.PERSISTENCE_BUCKETS.values()),
        [("jongeren", BLUE)],
        [[("persistence", cb.latest, b)] for b in t.PERSISTENCE_BUCKETS],
    )


def _funnel_figure(cb: c.RegionCube, scope: str = "TOTAAL") -> Figure:
    """The funnel's "at least this step" counts, each step with its conversion from the
    step before it (a share, shown only as RegionCube.rate allows)."""
    cum = [("funnel", scope, cb.latest, "cum", s) for s in c.FUNNEL_STEPS]
    conversion = [None, *(Rate(cum[i], cum[i - 1]) for i in range(1, len(cum)))]
    cells = [[cum[i], conversion[i]] for i in range(len(cum))]
    y, labels = _series(cb, _column(cells, 0))
    steps = [
        name if rate is None else f"{name} ({t.CONVERSION.format(pct=_shown(cb, rate))})"
        for name, rate in zip(t.FUNNEL_STEPS.values(), conversion, strict=True)
    ]
    fig = plot.Figure(
        plot.funnel(
            y=[_wrap(x, 20) for x in steps],
            x=y,
            text=labels,
            textinfo="text",
            marker={"color": BLUE},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig = _layout(fig)
    fig.update_layout(hovermode="closest")  # the steps' labels make their own margin
    fig.update_xaxes(type="linear", tickangle=0)
    table = _table(
        cb,
        f"{t.FIGURES['trechter'][0]} in {_place(cb, scope)}: 12 maanden tot en met "
        f"{t.month_short(cb.latest)}",
        *_categories_index("stap", list(t.FUNNEL_STEPS.values())),
        [Column("jongeren"), Column("van vorige stap", "pct_van_vorige_stap")],
        cells,
    )
    return _figure("trechter", fig, table)


def _periods(cb: c.RegionCube) -> list[tuple[str, str, str]]:
    """The periods of the outcome rates: (cell label, page label, CSV label) of every whole
    quarter, and of the latest four together when there are four."""
    out = [(q.label, szw.quarter_label(cb, q), szw.quarter_label(cb, q)) for q in cb.quarters]
    out = [p for p, q in zip(out, cb.quarters, strict=True) if q.complete]
    if cb.year_quarters:
        span = f"{cb.year_quarters[0].label} t/m {cb.year_quarters[-1].label}"
        out.append((c.YEAR, f"{t.YEAR_LABEL} ({span})", f"{c.YEAR}"))
    return out


def _results_figure(cb: c.RegionCube, scope: str = "TOTAAL") -> Figure:
    """Of the trajectories started, the share to work and to school per period, against
    the practice's reference (a dotted line, named as such); on a municipality page the
    region's shares beside as markers."""
    periods = _periods(cb)
    px = [_wrap(label, 14) for _, label, _ in periods]

    def cell(g: str, period: str, m: str) -> tuple:
        return ("traject", g, period, m)

    def rates(g: str, period: str) -> list:
        return [
            Rate(cell(g, period, "werk"), cell(g, period, "gestart")),
            Rate(cell(g, period, "opleiding"), cell(g, period, "gestart")),
            Rate(cell(g, period, "duurzaam"), cell(g, period, "gevolgd")),
        ]

    cells = []
    for period, _, _ in periods:
        werk, opleiding, duurzaam = rates(scope, period)
        row = [cell(scope, period, "gestart"), cell(scope, period, "werk"), werk]
        row += [cell(scope, period, "opleiding"), opleiding]
        row += [cell(scope, period, "gevolgd"), cell(scope, period, "duurzaam"), duurzaam]
        if scope != "TOTAAL":
            row += rates("TOTAAL", period)
        cells.append(row)
    fig = plot.Figure()
    for j, (kind, colour) in ((2, ("werk", GREEN)), (4, ("opleiding", ORANGE))):
        fig.add_trace(_bar(t.TRAJECT_COLUMNS[f"{kind}%"], px, cb, _column(cells, j), colour))
        fig.add_hline(
            y=t.PRACTICE_REFERENCE[kind],
            line={"dash": "dot", "color": colour, "width": 2},
            annotation_text=f"{t.PRACTICE_NAME}: {t.PRACTICE_REFERENCE[kind]}% {kind}",
            annotation_position="top right",
            annotation_font={"size": 12, "color": "#1a1a1a"},
        )
    if scope != "TOTAAL":
        for j, (kind, colour) in ((8, ("werk", GREEN)), (9, ("opleiding", ORANGE))):
            y, labels = _series(cb, _column(cells, j))
            fig.add_trace(
                plot.scatter(
                    name=f"regio: {t.TRAJECT_COLUMNS[f'{kind}%']}",
                    x=px,
                    y=y,
                    text=labels,
                    mode="markers",
                    marker={
                        "symbol": "diamond-open",
                        "size": 14,
                        "color": colour,
                        "line": {"width": 3},
                    },
                    hovertemplate="%{text}<extra>regio</extra>",
                )
            )
    fig = _layout(fig, barmode="group")
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    columns = [
        Column(t.TRAJECT_COLUMNS[k], f"{k.replace('%', '')}{'_pct' if '%' in k else ''}")
        for k in t.TRAJECT_COLUMNS
    ]
    if scope != "TOTAAL":
        columns += [
            Column(f"regio: {t.TRAJECT_COLUMNS[k]}", f"regio_{k.replace('%', '')}_pct")
            for k in ("werk%", "opleiding%", "duurzaam%")
        ]
    table = _table(
        cb,
        f"{t.FIGURES['resultaat'][0]} in {_place(cb, scope)}: trajecten per kwartaal",
        [Column("periode")],
        [[label] for _, label, _ in periods],
        [[key] for _, _, key in periods],
        columns,
        cells,
    )
    notes = [
        f"Een percentage staat er alleen als de twee aantallen getoond worden en er ten "
        f"minste {cb.k} trajecten (of plaatsingen) onder liggen; anders . of x."
    ]
    return _figure("resultaat", fig, table, wide=True, notes=notes)


def _channels_figure(cb: c.RegionCube, scope: str = "TOTAAL") -> Figure:
    """Per whole quarter the share of the youths approached by each channel that was
    reached within REACH_MONTHS; a line per channel, the counts in the table."""
    quarters = [q for q in cb.quarters if q.complete]
    qx = [szw.quarter_label(cb, q) for q in quarters]
    cells = []
    for q in quarters:
        row = []
        for ch in c.CHANNELS:
            approached = ("channel", scope, q.label, ch, "benaderd")
            reached = ("channel", scope, q.label, ch, "bereikt")
            row += [approached, reached, Rate(reached, approached)]
        cells.append(row)
    fig = plot.Figure()
    for i, label in enumerate(t.CHANNELS.values()):
        y, labels = _series(cb, _column(cells, 3 * i + 2))
        last_known = max((k for k, v in enumerate(y) if v is not None), default=-1)
        fig.add_trace(
            plot.scatter(
                name=label,
                x=qx,
                y=y,
                text=labels,
                # The latest known share at the line's end, on the chart (and on paper).
                texttemplate=["%{text}" if k == last_known else "" for k in range(len(y))],
                textposition="middle right",
                mode="lines+markers+text",
                line={
                    "width": 3,
                    "color": PALETTE[i],
                    "dash": ("solid", "dash", "dot", "dashdot", "longdash")[i % 5],
                },
                hovertemplate="%{text}<extra>" + label + "</extra>",
            )
        )
    fig = _layout(fig)
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    columns = []
    for ch, label in t.CHANNELS.items():
        columns += [
            Column(f"{label}: benaderd", f"{ch}_benaderd"),
            Column(f"{label}: bereikt", f"{ch}_bereikt"),
            Column(f"{label}: % bereikt", f"{ch}_bereikt_pct"),
        ]
    table = _table(
        cb,
        f"{t.FIGURES['kanalen'][0]} in {_place(cb, scope)}: jongeren per kanaal en kwartaal",
        *_quarters_index(cb, quarters),
        columns,
        cells,
    )
    notes = [
        f"Bereikt is . (nog niet bekend) zolang er na het kwartaal nog geen "
        f"{c.REACH_MONTHS} maanden voorbij zijn."
    ]
    return _figure("kanalen", fig, table, wide=True, notes=notes)


def _declined_figure(cb: c.RegionCube, scope: str = "TOTAAL") -> Figure:
    months = cb.months
    x = [_month_label(cb, m) for m in months]
    cells = [[("declined", scope, m, kind) for kind in c.DECLINED] for m in months]
    fig = plot.Figure()
    for j, (_kind, label) in enumerate(t.DECLINED.items()):
        fig.add_trace(_bar(label, x, cb, _column(cells, j), (PURPLE, GREY)[j]))
    table = _table(
        cb,
        f"{t.FIGURES['weigering'][0]} in {_place(cb, scope)}, per maand",
        *_months_index(cb, months),
        [Column(label, kind) for kind, label in t.DECLINED.items()],
        cells,
    )
    return _figure("weigering", _layout(fig, barmode="group"), table, wide=True)


def _inflow_figure(cb: c.RegionCube) -> Figure:
    latest = cb.latest
    # An organisation missing from the sociale kaart only as a row when there is one.
    types = [
        x
        for x in c.REFERRAL_TYPES
        if x != "onbekend" or cb.protected.values.get(("inflow", latest, x), 0) > 0
    ]
    via = ("inflow", latest, "via_organisatie")
    total = ("inflow", latest, "totaal")
    fig = plot.Figure(
        _bar(
            "jongeren",
            [_wrap(t.INFLOW_TYPES[x]) for x in types],
            cb,
            [("inflow", latest, x) for x in types],
            BLUE,
        )
    )
    fig = _layout(fig)
    fig.update_layout(hovermode="closest")
    keys = [*types, "geen", "via_organisatie", "totaal"]
    labels = {**t.INFLOW_TYPES, "via_organisatie": "via een organisatie", "totaal": "totaal"}
    table = _table(
        cb,
        f"{t.FIGURES['instroom'][0]}: 12 maanden tot en met {t.month_short(latest)}",
        *_categories_index("binnengekomen via", [labels[k] for k in keys]),
        [Column("jongeren"), Column("% van totaal", "pct_van_totaal")],
        [[("inflow", latest, k), Rate(("inflow", latest, k), total)] for k in keys],
    )
    notes = [
        f"Via een organisatie: {t.number_nl(_shown(cb, via))} van de "
        f"{t.number_nl(_shown(cb, total))} jongeren die voor het eerst bereikt werden "
        f"({_shown(cb, Rate(via, total))})."
    ]
    return _figure("instroom", fig, table, notes=notes)


def _per_thousand_figure(cb: c.RegionCube) -> Figure:
    no_list = _no_list_now(cb)
    names = [
        cb.names.get(g, g) + (f" ({no_list[g]})" if g in no_list else "") for g in cb.gemeenten
    ]
    scopes = [*cb.gemeenten, "TOTAAL"]
    cells = [
        [
            PerThousand(("rm", g, cb.latest, "in_view"), g),
            PerThousand(("rm", g, cb.latest, "persistent"), g),
        ]
        for g in scopes
    ]
    fig = plot.Figure()
    for j, measure in enumerate(("in_view", "persistent")):
        fig.add_trace(
            _bar(
                f"{t.MEASURES[measure]} per 1.000",
                [n.replace(" (", "<br>(") for n in names],
                cb,
                _column(cells, j)[:-1],
                PALETTE[j],
            )
        )
    fig = _layout(fig, height=460, barmode="group")
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(tickformat=",.1f")
    populations = [
        cb.population.get(g) if g != "TOTAAL" else sum(cb.population.values()) for g in scopes
    ]
    table = FigureTable(
        f"{t.FIGURES['perduizend'][0]}, {t.month_short(cb.latest)}",
        [Column("gemeente")],
        [
            Column("inwoners 23 t/m 26 jaar", "inwoners_23_26"),
            Column(f"{t.MEASURES['in_view']} per 1.000", "in_beeld_per_1000"),
            Column(f"{t.MEASURES['persistent']} per 1.000", "persistent_per_1000"),
        ],
        [[n] for n in [*names, "regio"]],
        [[n] for n in [*names, "regio"]],
        [
            [NOT_KNOWN if pop is None else pop, *(_shown(cb, x) for x in row)]
            for pop, row in zip(populations, cells, strict=True)
        ],
    )
    year = cb.latest.year
    notes = [
        f"Inwoners: bevolking.csv van de regio (CBS StatLine), {year} of het laatste jaar ervoor."
    ]
    return _figure("perduizend", fig, table, notes=notes)


PLACEMENT_COLOURS = {"duurzaam": GREEN, "niet_duurzaam": VERMILLION, "nog_onbekend": GREY}


def _placements_figure(cb: c.RegionCube) -> Figure:
    # Whole quarters only (a partial quarter would look like a full, low bar); the cube
    # gives 'duurzaam' and 'niet duurzaam' as `.` where the quarter's placements could not
    # yet be followed for 6 months: an outlined stub labelled `.`, never 0.
    quarters = [q for q in cb.quarters if q.complete]
    qx = [szw.quarter_label(cb, q) for q in quarters]
    kinds, statuses = list(c.PLACEMENT_KINDS), list(t.PLACEMENT_STATUSES)
    cells = [
        [("placement", q.label, kind, status) for kind in kinds for status in statuses]
        for q in quarters
    ]
    fig = plot.subplots(
        rows=1, cols=2, subplot_titles=list(t.PLACEMENT_KINDS.values()), shared_yaxes=False
    )
    for col in range(1, len(kinds) + 1):
        for i, (status, label) in enumerate(t.PLACEMENT_STATUSES.items()):
            fig.add_trace(
                _bar(
                    label,
                    qx,
                    cb,
                    _column(cells, (col - 1) * len(statuses) + i),
                    PLACEMENT_COLOURS[status],
                    showlegend=col == 1,
                    legendgroup=status,
                    textposition="inside",
                ),
                row=1,
                col=col,
            )
    fig = _layout(_stacked(fig), barmode="stack")
    fig.update_layout(margin={"t": 40})  # room for the subplot titles above the plots
    table = _table(
        cb,
        f"{t.FIGURES['uitkomsten'][0]}: plaatsingen per kwartaal",
        *_quarters_index(cb, quarters),
        [
            Column(f"{t.PLACEMENT_KINDS[kind]}: {label}", f"{kind}_{status}")
            for kind in kinds
            for status, label in t.PLACEMENT_STATUSES.items()
        ],
        cells,
    )
    return _figure("uitkomsten", fig, table)


LADDER_COLOURS = {"omhoog": GREEN, "gelijk": GREY, "omlaag": VERMILLION, "eerste": BLUE}


def _ladder_figure(cb: c.RegionCube) -> Figure:
    """Moves per whole quarter, stacked; a partial quarter (not yet known, `.`) is left out
    and named below the figure."""
    quarters = [q for q in cb.quarters if q.complete]
    partial = [q.label for q in cb.quarters if not q.complete]
    qx = [szw.quarter_label(cb, q) for q in quarters]
    directions = list(t.LADDER_DIRECTIONS)
    cells = [[("ladder", q.label, d) for d in directions] for q in quarters]
    fig = plot.Figure()
    for j, (direction, label) in enumerate(t.LADDER_DIRECTIONS.items()):
        fig.add_trace(
            _bar(label, qx, cb, _column(cells, j), LADDER_COLOURS[direction], textposition="inside")
        )
    notes = [
        t.LADDER_PARTIAL_NOTE.format(quarters=" en ".join(partial))
        if partial
        else t.LADDER_COMPLETE_NOTE
    ]
    table = _table(
        cb,
        f"{t.FIGURES['ladder'][0]}: jongeren per richting",
        *_quarters_index(cb, quarters),
        [Column(label, d) for d, label in t.LADDER_DIRECTIONS.items()],
        cells,
    )
    return _figure("ladder", _layout(_stacked(fig), barmode="stack"), table, notes=notes)


def _trede_figure(cb: c.RegionCube) -> Figure:
    """Rungs 1 to 6 as bars; youths without a rung (most of the list) as a number below the
    figure and as the table's last row, not as a bar that would flatten the others."""
    rungs = [r for r in t.TREDES if r != "geen"]
    none = ("trede", cb.latest, "geen")
    fig = plot.Figure(
        _bar(
            "jongeren",
            [t.TREDES[r] for r in rungs],
            cb,
            [("trede", cb.latest, r) for r in rungs],
            BLUE,
        )
    )
    fig = _layout(fig)
    fig.update_layout(hovermode="closest")
    table = _table(
        cb,
        f"{t.FIGURES['trede'][0]}, {t.month_short(cb.latest)}",
        *_categories_index("trede", [t.TREDES[r] for r in t.TREDES]),
        [Column("jongeren")],
        [[("trede", cb.latest, r)] for r in t.TREDES],
    )
    notes = [t.TREDE_NONE_NOTE.format(n=t.number_nl(_shown(cb, none)))]
    return _figure("trede", fig, table, notes=notes)


def _municipalities_figure(cb: c.RegionCube) -> Figure:
    no_list = _no_list_now(cb)
    names = [
        cb.names.get(g, g) + (f" ({no_list[g]})" if g in no_list else "") for g in cb.gemeenten
    ]
    measures = ("in_view", "persistent")
    cells = [[("rm", g, cb.latest, m) for m in measures] for g in cb.gemeenten]
    fig = plot.Figure()
    for j, measure in enumerate(measures):
        fig.add_trace(
            _bar(
                t.MEASURES[measure],
                [n.replace(" (", "<br>(") for n in names],
                cb,
                _column(cells, j),
                PALETTE[j],
            )
        )
    fig = _layout(fig, height=460, barmode="group")
    fig.update_layout(hovermode="closest")
    table = _table(
        cb,
        f"{t.FIGURES['gemeenten'][0]}, {t.month_short(cb.latest)}",
        *_categories_index("gemeente", names),
        [Column(t.MEASURES[m]) for m in measures],
        cells,
    )
    return _figure("gemeenten", fig, table)


def _referrals_figure(cb: c.RegionCube) -> Figure:
    # Per type the referred youths; what became of them is in the table below the
    # figures (a stacked split would mostly show suppression gaps at this size).
    types = [
        x for x in t.REFERRAL_TYPES if ("referral", cb.latest, x, "totaal") in cb.protected.values
    ]
    return _single_bars(
        cb,
        "verwijzingen",
        "type organisatie",
        [t.REFERRAL_TYPES[x] for x in types],
        [("verwezen jongeren", BLUE)],
        [[("referral", cb.latest, x, "totaal")] for x in types],
        height=460,
    )


def _roles_figure(cb: c.RegionCube) -> Figure:
    return _single_bars(
        cb,
        "rollen",
        "rol van de organisatie",
        list(t.ROLES.values()),
        [("verwezen", BLUE), ("daarna aan werk of opleiding", GREEN)],
        [
            [("role", cb.latest, r, "youths"), ("role", cb.latest, r, "uitgestroomd")]
            for r in t.ROLES
        ],
    )


# Which file type a municipality column rests on: where that type was never delivered,
# the table says so instead of showing a low count as performance.
CASE_MEASURES = ("approached", "reached", "in_trajectory")
REGISTRATION_MEASURES = {"excluded": c.EXCLUSION_SOURCES, "priority_a": ("vso_pro",)}


def _municipal_cell(cb: c.RegionCube, g: str, measure: str, never: set[str]) -> str:
    shown = t.number_nl(cb.show(("rm", g, cb.latest, measure)))
    if measure in CASE_MEASURES and "begeleiding" in never:
        return t.NEVER_DELIVERED["begeleiding"]
    missing = [t.NEVER_DELIVERED[s] for s in REGISTRATION_MEASURES.get(measure, ()) if s in never]
    return f"{shown} ({', '.join(missing)})" if missing else shown


def _no_list_now(cb: c.RegionCube) -> dict[str, str]:
    """Municipalities whose JIB list of the latest month is missing or was rejected, with
    what to say instead of their (empty) counts."""
    return {
        d.gemeentecode: "lijst afgekeurd" if d.status == "afgekeurd" else "geen lijst"
        for d in cb.deliveries
        if d.month == cb.latest and d.source == "jib" and d.status != "geleverd"
    }


def municipality_page(cb: c.RegionCube, g: str) -> str:
    """The file name of a municipality's page beside the region's index.html."""
    return f"{slug(cb.names.get(g, g))}.html"


def municipal_table(cb: c.RegionCube) -> tuple[list[str], list[list[str]]]:
    header = ["Gemeente", *(t.MEASURES[m] for m in c.MUNICIPAL_MEASURES)]
    never = dl.never_delivered(cb.deliveries)
    no_list = _no_list_now(cb)
    rows = [
        [
            f"{cb.names.get(g, g)} ({g})",
            *(
                no_list[g] if g in no_list else _municipal_cell(cb, g, m, never.get(g, set()))
                for m in c.MUNICIPAL_MEASURES
            ),
        ]
        for g in cb.gemeenten
    ]
    rows.append(
        [
            "Regio totaal",
            *(t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, m))) for m in c.MUNICIPAL_MEASURES),
        ]
    )
    if cb.population:
        # Per 1,000 residents aged 23-26 (bevolking.csv), so municipalities compare.
        header += [f"{t.MEASURES[m]} per 1.000 inwoners 23-26" for m in PER_1000]
        for g, row in zip([*cb.gemeenten, "TOTAAL"], rows, strict=True):
            row += [str(_shown(cb, PerThousand(("rm", g, cb.latest, m), g))) for m in PER_1000]
    return header, rows


PER_1000 = ("in_view", "persistent")


def referral_table(cb: c.RegionCube) -> tuple[list[str], list[list[str]]]:
    latest = cb.latest
    types = [
        x for x in t.REFERRAL_TYPES if ("referral", latest, x, "totaal") in cb.protected.values
    ]
    header = ["Type organisatie", *t.REFERRAL_OUTCOMES.values(), "totaal"]
    rows = [
        [
            t.REFERRAL_TYPES.get(x, "totaal"),
            *(
                t.number_nl(cb.show(("referral", latest, x, o)))
                for o in [*t.REFERRAL_OUTCOMES, "totaal"]
            ),
        ]
        for x in [*types, "totaal"]
    ]
    return header, rows


@functools.cache
def _environment() -> Environment:
    """One per process: its templates are compiled once, not per region."""
    env = Environment(
        loader=PackageLoader("dashboards", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    env.filters["month_long"] = t.month_long
    env.filters["nl"] = t.number_nl
    return env


# plotly.js once per site, beside index.html: every page loads it by a relative path, so the
# site still works from a folder or a file share without network. (Inlined in each of the
# country's 377 pages it was 1.8 GB of the same 4.6 MB and most of the publish time.)
PLOTLY_FILE = "plotly.min.js"
PLOTLY_SRC = f"../{PLOTLY_FILE}"  # from publish/<regio>/*.html


def write_site(cubes: list[c.RegionCube], out: Path) -> list[Path]:
    """Write publish/index.html, publish/<regio>/index.html and a page per municipality,
    publish/<regio>/<gemeente>.html, and publish/plotly.min.js; return the pages written
    (the index first, each region's page before its municipalities')."""
    write_plotly(out)
    pages: list[Path] = []
    summaries = []
    for cb in cubes:
        written, summary = write_region(cb, out)
        pages += written
        summaries.append(summary)
    latest = max((cb.latest for cb in cubes), default=None)
    k = cubes[0].k if cubes else 0
    return [write_index(summaries, latest, k, out), *pages]


def write_plotly(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / PLOTLY_FILE).write_text(get_plotlyjs(), encoding="utf-8")


def write_region(cb: c.RegionCube, out: Path) -> tuple[list[Path], dict]:
    """publish/<regio>/: the region's page, leveringen.csv, the figures' tables and a page
    per municipality. Returns the pages (the region's first) and the region's line on the
    index. Regions share nothing, so they can be written in parallel."""
    page = out / slug(cb.region) / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    (page.parent / dl.FILE_NAME).write_text(dl.csv_text(cb.deliveries), encoding="utf-8")
    drawn = figures(cb)
    (page.parent / FOLDER).mkdir(exist_ok=True)
    for fig in drawn:
        if fig.table:
            (page.parent / fig.csv).write_text(fig.table.csv_text(), encoding="utf-8")
    counted = cb.suppression_summary()
    html = (
        _environment()
        .get_template("region.html.j2")
        .render(
            cube=cb,
            region=cb.region,
            tiles=tiles(cb),
            figures=drawn,
            suppression_count=t.suppression_count(
                counted.published, counted.primary, counted.secondary, cb.k
            ),
            municipal=municipal_table(cb),
            municipal_pages={
                f"{cb.names.get(g, g)} ({g})": municipality_page(cb, g) for g in cb.gemeenten
            },
            population_note="" if cb.population else t.NO_POPULATION_NOTE,
            referrals=referral_table(cb),
            first_month=cb.months[0],
            latest=cb.latest,
            definitions=t.DEFINITIONS,
            suppression=t.suppression_rule(cb.k),
            symbols=t.SYMBOLS,
            table_summary=t.TABLE_SUMMARY,
            table_csv=t.TABLE_CSV,
            provisional=[t.month_short(m) for m in cb.provisional],
            incomplete=incomplete_months(cb),
            source=t.SOURCE,
            plotly_src=PLOTLY_SRC,
            page_script=PAGE_SCRIPT,
        )
    )
    page.write_text(html, encoding="utf-8")
    pages = [page, *(_write_municipality(cb, g, page.parent) for g in cb.gemeenten)]
    summary = {
        "region": cb.region,
        "href": f"{slug(cb.region)}/index.html",
        "latest": cb.latest,
        "on_list": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "on_list"))),
        "in_view": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "in_view"))),
        "persistent": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "persistent"))),
        "gemeenten": len(cb.gemeenten),
    }
    return pages, summary


def write_index(summaries: list[dict], latest: date | None, k: int, out: Path) -> Path:
    """publish/index.html: a line per region (write_region's summaries, in region order);
    latest: the newest month of any region; k: the disclosure threshold."""
    index = out / "index.html"
    index.write_text(
        _environment()
        .get_template("index.html.j2")
        .render(
            regions=summaries,
            latest=latest,
            suppression=t.suppression_rule(k) if summaries else "",
            symbols=t.SYMBOLS,
            source=t.SOURCE,
        ),
        encoding="utf-8",
    )
    return index


def _write_municipality(cb: c.RegionCube, g: str, folder: Path) -> Path:
    """publish/<regio>/<gemeente>.html: the municipality's own tiles and figures beside
    the region's numbers, all from the region's one protected cell set."""
    drawn = municipality_figures(cb, g)
    for fig in drawn:
        if fig.table:
            (folder / fig.csv).write_text(fig.table.csv_text(), encoding="utf-8")
    name = cb.names.get(g, g)
    per_1000 = [
        (t.MEASURES[m], _shown(cb, PerThousand(("rm", g, cb.latest, m), g)))
        for m in ("in_view", "persistent")
    ]
    page = folder / municipality_page(cb, g)
    page.write_text(
        _environment()
        .get_template("municipality.html.j2")
        .render(
            cube=cb,
            region=cb.region,
            gemeente=name,
            gemeentecode=g,
            tiles=tiles(cb, g),
            figures=drawn,
            per_1000=per_1000 if cb.population else [],
            population_note="" if cb.population else t.NO_POPULATION_NOTE,
            latest=cb.latest,
            first_month=cb.months[0],
            suppression=t.suppression_rule(cb.k),
            symbols=t.SYMBOLS,
            table_summary=t.TABLE_SUMMARY,
            table_csv=t.TABLE_CSV,
            provisional=[t.month_short(m) for m in cb.provisional],
            incomplete=incomplete_months(cb, g),
            source=t.SOURCE,
            plotly_src=PLOTLY_SRC,
            page_script=PAGE_SCRIPT,
        ),
        encoding="utf-8",
    )
    return page
