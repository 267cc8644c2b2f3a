"""Disclosure control for every published number (SPEC §2), in one place.

- Primary: a count 1..k-1 is suppressed and shown as `<k`.
- Secondary: wherever cells add up to a published total (a row of components and its
  total, a column of municipalities and the region's TOTAAL), no suppressed cell may be
  derivable by subtraction. Relations are revisited until none has exactly one hidden
  cell; each time the smallest visible other cell of that relation is hidden too, its
  size weighed by how many further relations hiding it would open. A cell that is never
  published (the difference of a count and the parts shown inside it) is hidden first:
  it costs the reader nothing.
- Rates built on a suppressed count are suppressed.

Secondary suppressions are shown as `x` (they may be large: `<k` would mislead).
Written here rather than taken from a library: the one maintained Python package for
statistical disclosure control (sdcMicro has no Python port) targets microdata, not
these small additive tables.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Cell = Hashable
SECONDARY_MARK = "x"
NOT_KNOWN = "."  # CBS: not available or not yet known
PROVISIONAL = "*"  # CBS: after a provisional month or quarter


def primary_mark(k: int) -> str:
    return f"<{k}"


@dataclass(frozen=True)
class Relation:
    """total = sum(parts) in the published table."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass
class Protected:
    values: dict[Cell, int]
    primary: set[Cell]
    secondary: set[Cell]
    k: int

    def hidden(self, cell: Cell) -> bool:
        return cell in self.primary or cell in self.secondary

    def show(self, cell: Cell) -> int | str:
        """The published value: the count, `<k`, or `x`."""
        if cell in self.primary:
            return primary_mark(self.k)
        if cell in self.secondary:
            return SECONDARY_MARK
        return self.values[cell]

    def number(self, cell: Cell) -> int | None:
        """The count, or None when it must not be shown (for charts)."""
        return None if self.hidden(cell) else self.values[cell]


def protect(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    k: int = 5,
    unpublished: Callable[[Cell], bool] = lambda c: False,
) -> Protected:
    """`unpublished` cells (the hidden difference of nested counts) never reach a page:
    hiding one costs nothing, so it is the first choice beside a hidden cell of its own
    relation (each lies in that one relation only, so hiding it opens nothing else)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    vals = dict(values)
    rels = list(relations)
    primary = {c for c, v in vals.items() if 0 < v < k}
    secondary: set[Cell] = set()
    hidden = set(primary)  # primary | secondary

    # Per relation the number of its hidden cells (a cell twice in it counts twice), kept
    # up to date as cells are hidden, so no pass has to count them again; and per cell the
    # relations it is in (once per place it has in one).
    cells_of = [rel.cells for rel in rels]
    n_hidden = [0] * len(rels)
    relations_of: dict[Cell, list[int]] = {}
    for i, cells in enumerate(cells_of):
        for c in cells:
            relations_of.setdefault(c, []).append(i)
            if c in hidden:
                n_hidden[i] += 1

    def cost(c: Cell, rel: Relation) -> tuple:
        # A hidden cell beside visible others is derivable: hide another, preferring
        # non-zero cells over zeros (hiding a 0 beside a `<k` cell of 1 would still give
        # the 1 away: their hidden sum would be 1), parts over the total (the total is
        # usually the headline), and then the smallest, weighed by how many of its other
        # relations it would open (each then needs a cell hidden of its own): a cascade
        # of secondary suppressions would otherwise reach large counts. The last key,
        # repr(c), decides ties only (see `choose`).
        value = vals[c]
        if value == 0 or unpublished(c):
            weight = 0
        else:
            opened = sum(1 for j in relations_of[c] if n_hidden[j] == 0 and rels[j] is not rel)
            weight = value * (1 + opened)
        return (value == 0, c == rel.total, weight)

    def choose(candidates: list[Cell], rel: Relation) -> Cell:
        # The first candidate of least (cost, repr): repr only among the ties of cost.
        keys = [cost(c, rel) for c in candidates]
        least = min(keys)
        tied = [c for c, key in zip(candidates, keys, strict=True) if key == least]
        return tied[0] if len(tied) == 1 else min(tied, key=repr)

    # Passes over the relations in their order until none has exactly one hidden cell (the
    # order decides which cell is chosen, so it is kept). A pass visits only the relations
    # with one hidden cell, in order: those at its start, and those that get their first
    # hidden cell during the pass, further on than the one being handled (one before it
    # waits for the next pass, as it would in a pass over all of them). The same cells are
    # hidden as by passes that count every relation's hidden cells, in ~40% of the time
    # (the country's 35 regions).
    changed = True
    while changed:
        changed = False
        queue = [i for i, n in enumerate(n_hidden) if n == 1]  # sorted: a valid heap
        while queue:
            i = heapq.heappop(queue)
            if n_hidden[i] != 1:  # a second cell was hidden since it was queued
                continue
            rel = rels[i]
            candidates = [c for c in cells_of[i] if c not in hidden]
            if not candidates:
                continue
            chosen = choose(candidates, rel)
            secondary.add(chosen)
            hidden.add(chosen)
            changed = True
            for j in relations_of[chosen]:
                n_hidden[j] += 1
                if n_hidden[j] == 1 and j > i:
                    heapq.heappush(queue, j)
    return Protected(values=vals, primary=primary, secondary=secondary, k=k)


def table_relations(
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    row_total: Hashable | None = None,
    column_total: Hashable | None = None,
) -> list[Relation]:
    """Relations of a rows x columns table of (row, column) cells with optional totals.

    `row_total` is the column that holds each row's total; `column_total` is the row that
    holds each column's total (e.g. TOTAAL).
    """
    rels: list[Relation] = []
    body_cols = [c for c in columns if c != row_total]
    body_rows = [r for r in rows if r != column_total]
    if row_total is not None:
        for r in rows:
            rels.append(Relation((r, row_total), tuple((r, c) for c in body_cols)))
    if column_total is not None:
        for c in columns:
            rels.append(Relation((column_total, c), tuple((r, c) for r in body_rows)))
    return rels
