"""dashboards/plot.py builds plotly.js specs as plain dicts; plotly's graph_objects are the
reference. Every operation the dashboards use, done both ways, must give the same spec."""

import json

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards import plot


def _spec(fig: go.Figure | plot.Figure) -> dict:
    if isinstance(fig, go.Figure):
        out = fig.to_plotly_json()
        return json.loads(json.dumps({"data": out["data"], "layout": out["layout"]}))
    data, layout = fig.json()
    return {"data": json.loads(data), "layout": json.loads(layout)}


def _style(fig):
    fig.update_layout(
        template="none",
        height=420,
        margin={"l": 60, "t": 20},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 0},
    )
    fig.update_layout(margin={"t": 30}, legend_x=0)  # merges into what is there
    fig.update_yaxes(gridcolor="#dddddd", rangemode="tozero", tickformat=",d")
    fig.update_xaxes(type="category", tickangle=-45)
    return fig


def test_bars_lines_bands_and_reference_lines_equal_graph_objects():
    x = ["jan", "feb", "mrt"]
    bar = {
        "name": "werk",
        "x": x,
        "y": [3, None, 5],
        "text": ["3", "<5", "5"],
        "marker": {"color": ["#009E73", "white", "#009E73"], "line": {"width": [0, 2, 0]}},
        "marker_line_color": "#009E73",
        "meta": ["", "stub", ""],
        "offsetgroup": None,  # not set, in both
        "hovertemplate": "%{text}<extra>werk</extra>",
    }
    line = {"name": "op de lijst", "x": x, "y": [1.5, 2, None], "mode": "lines+markers"}
    figs = []
    for lib in (go, plot):
        fig = plot.Figure() if lib is plot else go.Figure()
        fig.add_trace(plot.bar(**bar) if lib is plot else go.Bar(**bar))
        fig.add_trace(plot.scatter(**line) if lib is plot else go.Scatter(**line))
        fig.add_vrect(
            x0=0.5, x1=1.5, fillcolor="#cccccc", opacity=0.35, line_width=0, layer="below"
        )
        fig.add_hline(
            y=40,
            line={"dash": "dot", "color": "#009E73", "width": 2},
            annotation_text="praktijk: 40% werk",
            annotation_position="top right",
            annotation_font={"size": 12, "color": "#1a1a1a"},
        )
        figs.append(_spec(_style(fig)))
    assert figs[0] == figs[1]


def test_subplot_grids_equal_make_subplots():
    titles = ["jib", "begeleiding", "kvk"]
    options = {"shared_xaxes": True, "subplot_titles": titles, "vertical_spacing": 0.07}
    heat = {"x": ["jan", "feb"], "y": ["Aalten", "Winterswijk"], "z": [[0.5, None], [1.5, 2.5]]}
    figs = []
    for lib in (go, plot):
        if lib is plot:
            fig = plot.subplots(rows=3, cols=1, **options)
        else:
            fig = make_subplots(rows=3, cols=1, **options)
        for row in (1, 2, 3):
            fig.add_trace(plot.heatmap(**heat) if lib is plot else go.Heatmap(**heat), row, 1)
            fig.update_yaxes(autorange="reversed", row=row, col=1)
        _style(fig)
        fig.update_yaxes(tickmode="array", tickvals=heat["y"], tickfont={"size": 13})
        fig.update_annotations(font={"size": 14}, xanchor="left", x=0)
        figs.append(_spec(fig))
    assert figs[0] == figs[1]
    # A second grid of the same shape starts afresh: the cached grid was not changed.
    again = _spec(plot.subplots(rows=3, cols=1, **options))
    assert again == _spec(make_subplots(rows=3, cols=1, **options))


def test_figure_json_cannot_close_the_page_script():
    fig = plot.Figure(plot.bar(name="</script><b>", x=["a"], y=[1]))
    data, _ = fig.json()
    assert "</script>" not in data and "<b>" not in data
