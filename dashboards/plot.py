"""Figures as plotly.js specs: plain dicts of traces and layout, with the few figure
operations the dashboards use (update_layout, update_xaxes/yaxes, add_hline, add_vrect,
subplots) and the JSON plotly.js draws.

Why not plotly's `graph_objects`: they validate every property on every assignment and
merge by parsing property paths; at the country's 373 pages of ~6 figures that was 0.4 s a
page, nearly all of the publish step (bench/README.md). plotly.js takes the same spec as
plain JSON, and the JSON is still written by plotly (`to_json_plotly`). Subplot grids come
from plotly's own `make_subplots` (once per shape), so their domains and titles are
plotly's. The house style and every figure stay in site.py.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from plotly.io.json import to_json_plotly

Trace = dict[str, Any]
# `template="none"` as plotly writes it: the whole (tiny) template, not its name.
TEMPLATES = {"none": {"data": {"scatter": [{"type": "scatter"}]}}}
_AXIS = re.compile(r"^([xy])axis(\d*)$")
# plotly's property names with an underscore of their own (not a path).
UNDERSCORED = {"paper_bgcolor", "plot_bgcolor", "error_x", "error_y", "error_z"}


def _copy(value: Any) -> Any:
    """copy.deepcopy for the plain JSON data of a figure (dicts, lists, strings, numbers),
    without its memo and dispatch: figures copy ~500,000 values per country run. Anything
    else still goes through copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if kind is list:
        return [_copy(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _merge(into: dict, update: dict) -> dict:
    """plotly's update: nested dicts merge, anything else (lists too) replaces."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = _copy(value) if isinstance(value, dict) else value
    return into


def props(**kw: Any) -> dict:
    """Keyword properties as plotly reads them: `marker_color=c` is {"marker": {"color": c}};
    None means "not set" (as in graph_objects)."""
    out: dict = {}
    for key, value in kw.items():
        if value is None:
            continue
        *path, last = [key] if key in UNDERSCORED else key.split("_")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            _merge(node[last], value)
        else:
            node[last] = _copy(value) if isinstance(value, dict) else value
    return out


def trace(kind: str, **kw: Any) -> Trace:
    return {"type": kind, **props(**kw)}


def bar(**kw: Any) -> Trace:
    return trace("bar", **kw)


def scatter(**kw: Any) -> Trace:
    return trace("scatter", **kw)


def heatmap(**kw: Any) -> Trace:
    return trace("heatmap", **kw)


def funnel(**kw: Any) -> Trace:
    return trace("funnel", **kw)


class Figure:
    """A figure's traces and layout as plotly.js reads them."""

    def __init__(self, data: Trace | list[Trace] | None = None, layout: dict | None = None):
        self.data: list[Trace] = [data] if isinstance(data, dict) else list(data or [])
        self.layout: dict = layout or {}
        # (row, col) -> the trace's axes, for a grid of subplots
        self.grid: dict[tuple[int, int], dict[str, str]] = {}

    def add_trace(self, tr: Trace, row: int | None = None, col: int | None = None) -> Figure:
        if row is not None and col is not None:
            tr = {**tr, **self.grid[(row, col)]}
        self.data.append(tr)
        return self

    def update_layout(self, **kw: Any) -> Figure:
        update = props(**kw)
        if isinstance(update.get("template"), str):
            # A template by name replaces the one before it (make_subplots' default).
            self.layout["template"] = _copy(TEMPLATES[update.pop("template")])
        _merge(self.layout, update)
        return self

    def _axes(self, letter: str, row: int | None, col: int | None) -> list[str]:
        if row is not None and col is not None:
            ref = self.grid[(row, col)][f"{letter}axis"]
            return [f"{letter}axis{ref[1:]}"]
        names = [k for k in self.layout if (m := _AXIS.match(k)) and m.group(1) == letter]
        return names or [f"{letter}axis"]

    def update_xaxes(self, row: int | None = None, col: int | None = None, **kw: Any) -> Figure:
        for name in self._axes("x", row, col):
            _merge(self.layout.setdefault(name, {}), props(**kw))
        return self

    def update_yaxes(self, row: int | None = None, col: int | None = None, **kw: Any) -> Figure:
        for name in self._axes("y", row, col):
            _merge(self.layout.setdefault(name, {}), props(**kw))
        return self

    def update_annotations(self, **kw: Any) -> Figure:
        for annotation in self.layout.get("annotations", []):
            _merge(annotation, props(**kw))
        return self

    def add_hline(
        self,
        y: float,
        line: dict,
        annotation_text: str,
        annotation_position: str = "top right",
        annotation_font: dict | None = None,
    ) -> Figure:
        """A line across the plot at `y`, its label above its right end (plotly's add_hline
        with annotation_position "top right", the one the dashboards use)."""
        if annotation_position != "top right":
            raise ValueError(f"add_hline: annotation_position {annotation_position!r}")
        shape = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y"}
        self.layout.setdefault("shapes", []).append({**shape, "y0": y, "y1": y, "line": line})
        annotation = {"showarrow": False, "text": annotation_text, "x": 1, "xanchor": "right"}
        annotation |= {"xref": "x domain", "y": y, "yanchor": "bottom", "yref": "y"}
        if annotation_font:
            annotation["font"] = annotation_font
        self.layout.setdefault("annotations", []).append(annotation)
        return self

    def add_vrect(self, x0: float, x1: float, **kw: Any) -> Figure:
        """A band behind the plot from x0 to x1, over its whole height."""
        shape = {"type": "rect", "xref": "x", "x0": x0, "x1": x1, "yref": "y domain"}
        self.layout.setdefault("shapes", []).append({**shape, "y0": 0, "y1": 1, **props(**kw)})
        return self

    def json(self) -> tuple[str, str]:
        """The data and layout as JSON for a page's script (plotly's encoder, which also
        escapes `<`, so a label can't close the script)."""
        return to_json(self.data), to_json(self.layout)


def to_json(value: Any) -> str:
    return to_json_plotly(value)


@lru_cache(maxsize=64)
def _grid(rows: int, cols: int, options: tuple) -> tuple[dict, dict]:
    # plotly's own subplot layout, built once per shape.
    from plotly.subplots import make_subplots

    kw = {k: list(v) if isinstance(v, tuple) else v for k, v in options}
    fig = make_subplots(rows=rows, cols=cols, **kw)
    axes = {
        (r + 1, c + 1): dict(fig._grid_ref[r][c][0].trace_kwargs)
        for r in range(rows)
        for c in range(cols)
    }
    return fig.to_plotly_json()["layout"], axes


def subplots(rows: int, cols: int, **options: Any) -> Figure:
    """A grid of subplots as plotly's make_subplots lays it out."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    layout, axes = _grid(rows, cols, frozen)
    fig = Figure(layout=_copy(layout))
    fig.grid = dict(axes)
    return fig
