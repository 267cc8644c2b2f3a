"""Disclosure control: primary and secondary suppression, rates, and an attacker who
subtracts over every published total (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.publish.disclosure import Relation, protect, table_relations


def test_primary_suppression_and_marker():
    p = protect({"a": 0, "b": 3, "c": 5, "d": 4}, [], k=5)
    assert [p.show(c) for c in "abcd"] == [0, "<5", 5, "<5"]
    assert protect({"a": 3}, [], k=3).show("a") == 3


def test_one_hidden_component_hides_the_next_smallest():
    # total 20 = 2 + 7 + 11: hiding only 2 would give it away as 20 - 7 - 11.
    p = protect({"t": 20, "a": 2, "b": 7, "c": 11}, [Relation("t", ("a", "b", "c"))])
    assert p.show("a") == "<5" and p.show("b") == "x" and p.show("c") == 11 and p.show("t") == 20


def _derivable(values, relations, p):
    """Cells an attacker can compute exactly by subtraction (iterated to a fixpoint)."""
    known = {c: v for c, v in values.items() if not p.hidden(c)}
    progress = True
    while progress:
        progress = False
        for rel in relations:
            unknown = [c for c in rel.cells if c not in known]
            if len(unknown) == 1:
                (c,) = unknown
                if c == rel.total:
                    known[c] = sum(known[x] for x in rel.parts)
                else:
                    known[c] = known[rel.total] - sum(known[x] for x in rel.parts if x != c)
                progress = True
    return {c for c in values if p.hidden(c) and c in known}


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=6).flatmap(
        lambda n_cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 200)), min_size=n_cols, max_size=n_cols
            ),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(body=tables, k=st.integers(min_value=2, max_value=10))
def test_no_hidden_count_can_be_recovered_by_subtraction(body, k):
    n_rows, n_cols = len(body), len(body[0])
    rows = [*range(n_rows), "TOTAAL"]
    cols = [*range(n_cols), "totaal"]
    values = {}
    for r in range(n_rows):
        for c in range(n_cols):
            values[(r, c)] = body[r][c]
        values[(r, "totaal")] = sum(body[r])
    for c in cols:
        values[("TOTAAL", c)] = sum(values[(r, c)] for r in range(n_rows))
    relations = table_relations(rows, cols, row_total="totaal", column_total="TOTAAL")
    p = protect(values, relations, k=k)
    for cell, v in values.items():
        if 0 < v < k:
            assert p.show(cell) == f"<{k}"
        if v == 0 or v >= k:
            assert p.show(cell) in (v, "x")
    assert _derivable(values, relations, p) == set()


def test_a_cube_refuses_a_cell_name_it_does_not_know():
    """A misspelt measure must fail the publication, never publish 0; a known combination
    without rows (no placements this quarter) is a real 0."""
    import datetime as dt

    import pytest

    from orchestration.publish.cube import Quarter, RegionCube

    month = dt.date(2026, 5, 1)
    cells = {("rm", "TOTAAL", month, "in_view"): 12, ("rm", "GM0392", month, "in_view"): 12}
    cube = RegionCube(
        region="ZK",
        months=[month],
        gemeenten=["GM0392"],
        quarters=[Quarter("2026-K2", dt.date(2026, 4, 1), month, complete=False)],
        szw_quarters=[],
        protected=protect(cells, [Relation(("rm", "TOTAAL", month, "in_view"), ())]),
        k=5,
    )
    assert cube.show(("rm", "TOTAAL", month, "in_view")) == 12
    assert cube.show(("placement", "2026-K2", "werk", "duurzaam")) == 0
    with pytest.raises(KeyError, match="in_veiw"):
        cube.show(("rm", "TOTAAL", month, "in_veiw"))
    with pytest.raises(KeyError, match="GM9999"):
        cube.number(("rm", "GM9999", month, "in_view"))


def _cube(months, cells, relations=(), quarters=()):
    from orchestration.publish.cube import RegionCube

    return RegionCube(
        region="ZK",
        months=months,
        gemeenten=["GM0392"],
        quarters=list(quarters),
        szw_quarters=[],
        protected=protect(cells, list(relations)),
        k=5,
    )


def test_what_the_data_cannot_tell_yet_is_published_as_a_dot_never_as_0():
    """Persistence needs the youths' earlier months: in the data's first two months it is
    `.`, also where it counts 0; so are a partial quarter and 'duurzaam' of placements that
    could not yet be followed for six months. Other cells of those months are counts."""
    import datetime as dt

    from orchestration.publish.cube import Quarter

    months = [dt.date(2025, m, 1) for m in range(11, 13)] + [
        dt.date(2026, m, 1) for m in range(1, 10)
    ]
    first, second, third = months[:3]
    cells = {("rm", "TOTAAL", m, x): 0 for m in months for x in ("in_view", "persistent")}
    cells |= {("rm", "TOTAAL", first, "in_view"): 40, ("rm", "TOTAAL", third, "persistent"): 9}
    k4 = Quarter("2025-K4", dt.date(2025, 10, 1), dt.date(2025, 12, 1), complete=False)
    k1 = Quarter("2026-K1", dt.date(2026, 1, 1), dt.date(2026, 3, 1), complete=True)
    k3 = Quarter("2026-K3", dt.date(2026, 7, 1), dt.date(2026, 9, 1), complete=True)
    for q in (k4, k1, k3):
        cells |= {("ladder", q.label, "omhoog"): 30, ("placement", q.label, "werk", "duurzaam"): 20}
    cube = _cube(months, cells, quarters=[k4, k1, k3])

    for m in (first, second):
        assert cube.show(("rm", "TOTAAL", m, "persistent")) == "."
        assert cube.number(("rm", "TOTAAL", m, "persistent")) is None
    assert cube.show(("rm", "TOTAAL", first, "in_view")) == 40
    assert cube.show(("rm", "TOTAAL", third, "persistent")) == 9
    assert cube.show(("ladder", "2025-K4", "omhoog")) == "."
    assert cube.show(("ladder", "2026-K1", "omhoog")) == 30
    assert cube.show(("placement", "2025-K4", "werk", "duurzaam")) == "."
    assert cube.show(("placement", "2026-K1", "werk", "duurzaam")) == 20  # Mar + 6 <= Sep
    assert cube.show(("placement", "2026-K3", "werk", "duurzaam")) == "."
    assert cube.number(("placement", "2026-K3", "werk", "duurzaam")) is None
    # The colophon's counts leave out what is published as `.`.
    summary = cube.suppression_summary()
    assert summary.published == len(cells) - 2 - 2 - 1  # 2 persistence, 2 of K4, 1 of K3
    assert (summary.primary, summary.secondary) == (0, 0)


def test_a_small_cell_is_hidden_rather_than_a_large_one_that_would_open_a_cascade():
    """Two tables share a cell: hiding the smallest other part (10) of the first would
    open the second and hide more there; hiding 12, which opens nothing, hides less."""
    values = {"t": 25, "a": 3, "b": 10, "c": 12, "u": 40, "v": 30}
    relations = [Relation("t", ("a", "b", "c")), Relation("u", ("b", "v"))]
    p = protect(values, relations)
    assert p.show("a") == "<5" and p.show("c") == "x"
    assert [p.show(x) for x in ("b", "t", "u", "v")] == [10, 25, 40, 30]
    assert _derivable(values, relations, p) == set()


def test_a_rate_is_shown_only_over_two_shown_counts_with_a_whole_of_at_least_k():
    """Shares divide two published cells: shown when both are numbers and the whole is at
    least k; `x` when a count is hidden; `.` when one is not yet known or the whole is
    below k (0 trajectories: no share)."""
    import datetime as dt

    from orchestration.publish.cube import Quarter

    month = dt.date(2026, 3, 1)
    k1 = Quarter("2026-K1", dt.date(2026, 1, 1), month, complete=True)
    k2 = Quarter("2026-K2", dt.date(2026, 4, 1), dt.date(2026, 4, 1), complete=False)
    g = "GM0392"
    cells = {
        ("traject", g, "2026-K1", "gestart"): 40,
        ("traject", g, "2026-K1", "werk"): 26,
        ("traject", g, "2026-K1", "opleiding"): 3,  # primary: <5
        ("traject", g, "2026-K1", "gevolgd"): 0,
        ("traject", g, "2026-K1", "duurzaam"): 0,
        ("traject", g, "2026-K2", "gestart"): 12,
        ("traject", g, "2026-K2", "werk"): 8,
    }
    cube = _cube([month], cells, quarters=[k1, k2])

    def rate(part: str, whole: str, q: str = "2026-K1") -> str:
        return cube.show_rate(("traject", g, q, part), ("traject", g, q, whole))

    assert rate("werk", "gestart") == "65%"
    assert (
        cube.rate(("traject", g, "2026-K1", "werk"), ("traject", g, "2026-K1", "gestart"))
        == 26 / 40
    )
    assert rate("opleiding", "gestart") == "x"  # its count is hidden
    assert rate("duurzaam", "gevolgd") == "."  # nothing followed yet: no share
    assert rate("werk", "gestart", "2026-K2") == "."  # a partial quarter is not known
