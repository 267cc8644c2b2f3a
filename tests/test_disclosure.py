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
