"""The regional dashboards: one static, self-contained HTML page per arbeidsmarktregio
plus an index, drawn with plotly from the protected cells only (publish/cube.py).

Hidden cells reach a chart as gaps (None) with their mark (`<5`, `x`) as the label, so
no suppressed count is in the page, not even in the figure data. Output is
deterministic: fixed div ids, no timestamps, sorted inputs.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from dashboards import texts as t
from orchestration.publish import cube as c

# Okabe-Ito: distinguishable with every common form of colour blindness, and in grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "locale": "nl",
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
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
})();"""


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


@dataclass
class Tile:
    label: str
    explanation: str
    value: str
    vs_month: str
    vs_year: str


def _layout(fig: go.Figure, height: int = 420, barmode: str | None = None) -> go.Figure:
    """The house style. No width: a figure is as wide as its card (autosize), on every
    screen and on paper. The legend stands at the foot of the figure, in a margin of its
    own below the axis labels, so it never covers a subplot title or the plot."""
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


def _wrap(label: str, width: int = 16) -> str:
    """A long label on more lines (plotly breaks at <br>): narrower, so it fits a phone."""
    return "<br>".join(textwrap.wrap(label, width)) if len(label) > width else label


def _series(cb: c.RegionCube, cells: list) -> tuple[list[int | None], list[str]]:
    """Chart values (None where hidden) and their labels (the count or its mark)."""
    return [cb.number(x) for x in cells], [t.number_nl(cb.show(x)) for x in cells]


def _bar(name: str, x: list, cb: c.RegionCube, cells: list, color: str, **kw) -> go.Bar:
    """Bars with their value as a label above the bar, never turned on its side: all labels
    of a figure in one size, small enough for the narrowest bar, and left out where that
    would be smaller than MIN_LABEL_SIZE (a phone)."""
    y, labels = _series(cb, cells)
    name = _wrap(name, 24) if len(name) > 30 else name  # a legend entry fits a phone
    return go.Bar(
        name=name,
        x=x,
        y=y,
        text=labels,
        textposition=kw.pop("textposition", "outside"),
        textangle=0,
        cliponaxis=False,
        marker_color=color,
        hovertemplate="%{text}<extra>" + name + "</extra>",
        **kw,
    )


def _html(fig: go.Figure, fig_id: str) -> str:
    """The figure's div and the script that draws it once the whole page is parsed: then
    every card stands where it will stay, so the first drawing has its card's width. (Drawn
    while the page is still being read, the first card of the grid is alone on its row and
    twice as wide as it will be.)"""
    spec = fig.to_plotly_json()
    data, layout, config = (
        to_json_plotly(x).replace("</", "<\\/")
        for x in (spec.get("data", []), spec.get("layout", {}), PLOTLY_CONFIG)
    )
    div = f"fig-{fig_id}"
    return (
        f'<div id="{div}" class="plotly-graph-div" style="height:{fig.layout.height}px;'
        f' width:100%;"></div>\n<script>document.addEventListener("DOMContentLoaded",'
        f' function () {{ Plotly.newPlot("{div}", {data}, {layout}, {config}); }});</script>'
    )


def _figure(fig_id: str, fig: go.Figure, wide: bool = False) -> Figure:
    title, explanation = t.FIGURES[fig_id]
    return Figure(fig_id, title, explanation, _html(fig, fig_id), wide)


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


def tiles(cb: c.RegionCube) -> list[Tile]:
    latest = cb.latest
    previous = _shift(latest, -1)
    year_ago = _shift(latest, -12)
    out = []
    for measure, (label, explanation) in t.TILES.items():
        now = ("rm", "TOTAAL", latest, measure)
        out.append(
            Tile(
                label,
                explanation,
                t.number_nl(cb.show(now)),
                _change(cb, now, previous, measure, "vorige maand"),
                _change(cb, now, year_ago, measure, "vorig jaar"),
            )
        )
    return out


def _shift(m: date, months: int) -> date:
    i = m.year * 12 + m.month - 1 + months
    return date(i // 12, i % 12 + 1, 1)


def _change(cb: c.RegionCube, now: tuple, then_month: date, measure: str, label: str) -> str:
    if then_month not in cb.months:
        return f"{label}: geen gegevens"
    a, b = cb.number(now), cb.number(("rm", "TOTAAL", then_month, measure))
    if a is None or b is None:
        return f"{label}: niet te tonen"
    d = a - b
    sign = "+" if d > 0 else ("±" if d == 0 else "−")
    return f"{sign}{t.number_nl(abs(d))} t.o.v. {label} ({t.month_short(then_month)})"


def figures(cb: c.RegionCube) -> list[Figure]:
    months = cb.months
    x = [t.month_short(m) for m in months]
    latest = cb.latest
    out: list[Figure] = []

    fig = go.Figure()
    for i, measure in enumerate(("on_list", "in_view", "persistent", "priority_a")):
        y, labels = _series(cb, [("rm", "TOTAAL", m, measure) for m in months])
        fig.add_trace(
            go.Scatter(
                name=t.MEASURES[measure],
                x=x,
                y=y,
                text=labels,
                mode="lines+markers",
                line={
                    "width": 3,
                    "color": PALETTE[i],
                    "dash": ("solid", "dash", "dot", "dashdot")[i],
                },
                hovertemplate="%{text}<extra>" + t.MEASURES[measure] + "</extra>",
            )
        )
    # The main chart: a line per measure over all months, as wide as the page.
    out.append(_figure("trend", _layout(fig), wide=True))

    fig = go.Figure()
    for i, (source, label) in enumerate(t.EXCLUSION_SOURCES.items()):
        fig.add_trace(
            _bar(
                label,
                x,
                cb,
                [("rm", "TOTAAL", m, f"excluded_{source}") for m in months],
                PALETTE[i],
                textposition="none",
            )
        )
    out.append(_figure("uitsluiting", _layout(fig, barmode="stack")))

    buckets = list(t.PERSISTENCE_BUCKETS)
    fig = go.Figure(
        _bar(
            "jongeren",
            list(t.PERSISTENCE_BUCKETS.values()),
            cb,
            [("persistence", latest, b) for b in buckets],
            PALETTE[0],
        )
    )
    out.append(_figure("persistentie", _layout(fig)))

    y, labels = _series(cb, [("funnel", latest, "cum", s) for s in c.FUNNEL_STEPS])
    fig = go.Figure(
        go.Funnel(
            y=[_wrap(x) for x in t.FUNNEL_STEPS.values()],
            x=y,
            text=labels,
            textinfo="text",
            marker={
                "color": [PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[1], PALETTE[3], PALETTE[5]]
            },
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig = _layout(fig)
    fig.update_layout(hovermode="closest")  # the steps' labels make their own margin
    fig.update_xaxes(type="linear", tickangle=0)
    out.append(_figure("trechter", fig))

    fig = make_subplots(
        rows=1, cols=2, subplot_titles=list(t.PLACEMENT_KINDS.values()), shared_yaxes=False
    )
    qx = [q.label for q in cb.quarters]
    for col, kind in enumerate(c.PLACEMENT_KINDS, start=1):
        for i, (status, label) in enumerate(t.PLACEMENT_STATUSES.items()):
            fig.add_trace(
                _bar(
                    label,
                    qx,
                    cb,
                    [("placement", q, kind, status) for q in qx],
                    (PALETTE[2], PALETTE[5], "#999999")[i],
                    showlegend=col == 1,
                    legendgroup=status,
                    textposition="none",
                ),
                row=1,
                col=col,
            )
    fig = _layout(fig, barmode="stack")
    fig.update_layout(margin={"t": 40})  # room for the subplot titles above the plots
    out.append(_figure("uitkomsten", fig))

    fig = go.Figure()
    for i, (reason, label) in enumerate(t.OUTFLOW_REASONS.items()):
        fig.add_trace(
            _bar(
                label,
                x,
                cb,
                [("rm", "TOTAAL", m, f"outflow_{reason}") for m in months],
                PALETTE[i],
                textposition="none",
            )
        )
    out.append(_figure("uitstroom", _layout(fig, barmode="stack")))

    fig = go.Figure()
    for i, (direction, label) in enumerate(t.LADDER_DIRECTIONS.items()):
        color = (PALETTE[2], "#999999", PALETTE[5], PALETTE[4])[i]
        fig.add_trace(
            _bar(
                label, x, cb, [("ladder", m, direction) for m in months], color, textposition="none"
            )
        )
    out.append(_figure("ladder", _layout(fig, barmode="stack")))

    fig = go.Figure(
        _bar(
            "jongeren",
            list(t.TREDES.values()),
            cb,
            [("trede", latest, r) for r in t.TREDES],
            PALETTE[0],
        )
    )
    out.append(_figure("trede", _layout(fig)))

    names = [f"{cb.names.get(g, g)}" for g in cb.gemeenten]
    fig = go.Figure()
    for i, measure in enumerate(("in_view", "persistent")):
        fig.add_trace(
            _bar(
                t.MEASURES[measure],
                names,
                cb,
                [("rm", g, latest, measure) for g in cb.gemeenten],
                PALETTE[i],
            )
        )
    fig = _layout(fig, height=460, barmode="group")
    fig.update_layout(hovermode="closest")
    out.append(_figure("gemeenten", fig))

    # Per type the referred youths; what became of them is in the table below the
    # figures (a stacked split would mostly show suppression gaps at this size).
    types = [
        x for x in t.REFERRAL_TYPES if ("referral", latest, x, "totaal") in cb.protected.values
    ]
    fig = go.Figure(
        _bar(
            "verwezen jongeren",
            [t.REFERRAL_TYPES[x] for x in types],
            cb,
            [("referral", latest, x, "totaal") for x in types],
            PALETTE[0],
        )
    )
    fig = _layout(fig, height=460)
    fig.update_layout(hovermode="closest")
    out.append(_figure("verwijzingen", fig))

    fig = go.Figure()
    roles = list(t.ROLES)
    fig.add_trace(
        _bar(
            "verwezen",
            list(t.ROLES.values()),
            cb,
            [("role", latest, r, "youths") for r in roles],
            PALETTE[0],
        )
    )
    fig.add_trace(
        _bar(
            "daarna aan werk of opleiding",
            list(t.ROLES.values()),
            cb,
            [("role", latest, r, "uitgestroomd") for r in roles],
            PALETTE[2],
        )
    )
    fig = _layout(fig, barmode="group")
    fig.update_layout(hovermode="closest")
    out.append(_figure("rollen", fig))
    return _rows(out)


def municipal_table(cb: c.RegionCube) -> tuple[list[str], list[list[str]]]:
    header = ["Gemeente", *(t.MEASURES[m] for m in c.MUNICIPAL_MEASURES)]
    rows = [
        [
            f"{cb.names.get(g, g)} ({g})",
            *(t.number_nl(cb.show(("rm", g, cb.latest, m))) for m in c.MUNICIPAL_MEASURES),
        ]
        for g in cb.gemeenten
    ]
    rows.append(
        [
            "Regio totaal",
            *(t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, m))) for m in c.MUNICIPAL_MEASURES),
        ]
    )
    return header, rows


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


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dashboards", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    env.filters["month_long"] = t.month_long
    env.filters["nl"] = t.number_nl
    return env


def write_site(cubes: list[c.RegionCube], out: Path) -> list[Path]:
    """Write publish/index.html and publish/<regio>/index.html; return the pages written."""
    env = _environment()
    plotly_js = get_plotlyjs()
    out.mkdir(parents=True, exist_ok=True)
    pages: list[Path] = []
    summaries = []
    for cb in cubes:
        page = out / slug(cb.region) / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template("region.html.j2").render(
            cube=cb,
            region=cb.region,
            tiles=tiles(cb),
            figures=figures(cb),
            municipal=municipal_table(cb),
            referrals=referral_table(cb),
            first_month=cb.months[0],
            latest=cb.latest,
            definitions=t.DEFINITIONS,
            suppression=t.suppression_rule(cb.k),
            source=t.SOURCE,
            plotly_js=plotly_js,
            page_script=PAGE_SCRIPT,
        )
        page.write_text(html, encoding="utf-8")
        pages.append(page)
        summaries.append(
            {
                "region": cb.region,
                "href": f"{slug(cb.region)}/index.html",
                "latest": cb.latest,
                "on_list": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "on_list"))),
                "in_view": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "in_view"))),
                "persistent": t.number_nl(cb.show(("rm", "TOTAAL", cb.latest, "persistent"))),
                "gemeenten": len(cb.gemeenten),
            }
        )
    index = out / "index.html"
    index.write_text(
        env.get_template("index.html.j2").render(
            regions=summaries,
            latest=max((cb.latest for cb in cubes), default=None),
            suppression=t.suppression_rule(cubes[0].k) if cubes else "",
            source=t.SOURCE,
        ),
        encoding="utf-8",
    )
    return [index, *pages]
