"""Every number inbeeld publishes for a region, as one set of cells protected together.

The dashboards and the SZW table share cells (the SZW quarter-end stock is the region's
TOTAAL of that month; the SZW quarterly outflow is the sum of three published months),
so disclosure control runs once over all of them with every additive relation between
them: a value hidden on one page can't be recovered by subtraction from another.

Cells are tuples whose first item names the family:
- ("rm", gemeentecode|"TOTAAL", month, measure)    marts.region_month (every month)
- ("persistence", month, bucket|"totaal")          reports.persistence_distribution
- ("trede", month, rung|"geen")                    reports.trede_distribution
- ("ladder", quarter, direction)                   reports.ladder_quarters
- ("funnel", gemeentecode|"TOTAAL", month, "step"|"cum", step)  reports.outreach_funnel_municipal
- ("referral", month, type|"totaal", outcome|"totaal")  reports.referrals_by_type
- ("role", month, role, "youths"|"uitgestroomd")   reports.referrals_by_role
- ("placement", quarter, kind, status|"totaal")    reports.placement_outcomes
- ("szw", quarter, measure)                        reports.szw_quarter_counts
- ("traject", gemeentecode|"TOTAAL", quarter|"jaar", measure)  reports.trajectory_outcomes
- ("channel", gemeentecode|"TOTAAL", quarter, kanaal, measure)  reports.channel_reach
- ("declined", gemeentecode|"TOTAAL", month, "geweigerd"|"bezwaar")  reports.declined_month
- ("inflow", month, organisation type|"geen"|"via_organisatie"|"totaal")  reports.referral_inflow

Rates (share to work, reach of a channel, a funnel step's conversion) are no cells of
their own: `rate` divides two published cells and shows the share only when both are
shown as numbers and the denominator is at least k. A rate is then a function of two
numbers already on the page, so no hidden count can be recovered from it. Per 1,000
residents (`per_1000`) divides a shown count by a public population figure.

Some cells are not yet known and published as `.` (CBS), never as a count: persistence
and what depends on it in the first months of the data, "duurzaam" before every placement
of a quarter could be followed, and anything of a quarter only partly inside the data.

Beside the cells, each cube carries the region's delivery status (reports.delivery_status,
publish/deliveries.py): files, not persons, so no part of the protected set.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import duckdb

from orchestration import settings, vocabulary
from orchestration.core.dates import add_months
from orchestration.publish import deliveries as dl
from orchestration.publish.disclosure import (
    NOT_KNOWN,
    SECONDARY_MARK,
    Protected,
    Relation,
    protect,
    table_relations,
)

EXCLUSION_SOURCES = vocabulary.exclusion_sources()
OUTFLOW_REASONS = vocabulary.outflow_reasons()
PERSISTENCE_BUCKETS = ("1", "2", "3-5", "6-11", "12+")
TREDES = ("1", "2", "3", "4", "5", "6", "geen")
LADDER_DIRECTIONS = ("omhoog", "gelijk", "omlaag", "eerste")
FUNNEL_STEPS = (0, 1, 2, 3, 4, 5)
REFERRAL_TYPES = (
    "commercieel",
    "sociale_onderneming",
    "interesse_hobby",
    "leef_probleemgebied",
    "cultuur_religie",
    "onbekend",
)
REFERRAL_OUTCOMES = ("werk", "opleiding", "traject", "in_contact", "anders")
ROLES = ("bereiken", "activeren", "plaatsen", "behouden")
PLACEMENT_KINDS = ("werk", "opleiding")
PLACEMENT_STATUSES = ("duurzaam", "niet_duurzaam", "nog_onbekend")
CHANNELS = vocabulary.channels()
INFLOW_TYPES = (*REFERRAL_TYPES, "geen")
# Trajectories per period: started, and what followed; "-rest" cells are the hidden
# differences of nested counts (started without placement; followed and not sustained).
TRAJECT_MEASURES = ("gestart", "werk", "opleiding", "gevolgd", "duurzaam")
TRAJECT_NESTED = (("gestart", ("werk", "opleiding")), ("gevolgd", ("duurzaam",)))
CHANNEL_MEASURES = ("benaderd", "bereikt")
DECLINED = ("geweigerd", "bezwaar")
YEAR = "jaar"  # the period of the latest four complete quarters
# A channel reached a youth when contact followed within this many months (dbt var).
REACH_MONTHS = int(settings.dbt_var("reach_months"))
# Municipality table of the latest month (and the TOTAAL row they add up to).
MUNICIPAL_MEASURES = (
    "on_list",
    "excluded",
    "in_view",
    "persistent",
    "priority_a",
    "priority_b",
    "not_persistent",
    "approached",
    "reached",
    "in_trajectory",
)
# Counts within counts, as total -> the parts shown inside it (the rest is hidden).
# Priority C is not published: in view - persistent - C counts the few non-persistent
# youths already reached (0 or 1 per municipality), so C could only be shown by hiding
# it. The merged category not_persistent (in view - persistent, mostly C) survives.
NESTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("persistent", ("priority_a", "priority_b")),
    ("approached", ("reached",)),
    ("reached", ("in_trajectory",)),
)
# Measures that need the youths' earlier months: not known in the data's first months.
PERSISTENCE_MEASURES = frozenset(
    {"persistent", "priority_a", "priority_b", "not_persistent", "persistent-rest"}
)
# Region TOTAAL series published for every month.
REGION_MEASURES = (
    *MUNICIPAL_MEASURES,
    *(f"excluded_{s}" for s in EXCLUSION_SOURCES),
    *(f"outflow_{r}" for r in OUTFLOW_REASONS),
)
SZW_STOCKS = {
    # SZW column -> region_month measure of the quarter's last month
    "op_de_lijst": "on_list",
    "uitgesloten": "excluded",
    **{f"uitgesloten_{s}": f"excluded_{s}" for s in EXCLUSION_SOURCES},
    "in_beeld_te_brengen": "in_view",
    "persistent": "persistent",
    "in_traject": "in_trajectory",
}
SZW_FLOWS = (
    "benaderd",
    "bereikt",
    "gestart_werk",
    "gestart_opleiding",
    "duurzaam",
    *(f"uitstroom_{r}" for r in OUTFLOW_REASONS),
    "uitstroom_totaal",
)


@dataclass(frozen=True)
class SuppressionSummary:
    """How many published cells the page shows as a count, `<k` or `x`."""

    published: int
    primary: int
    secondary: int


# Registrations arrive up to two months late (dbt var registration_stale_months): the
# latest this many months of the data are provisional (marked `*`).
PROVISIONAL_MONTHS = int(settings.dbt_var("registration_stale_months"))


# The names cells are built from (the families and the code lists above).
VOCABULARY: frozenset[str] = frozenset(
    {"rm", "szw", "persistence", "trede", "ladder", "funnel", "step", "cum", "referral"}
    | {"role", "placement", "totaal", "youths", "uitgestroomd", "traject", "channel"}
    | {"declined", "inflow", "via_organisatie", YEAR, *TRAJECT_MEASURES, *CHANNEL_MEASURES}
    | {*DECLINED, *CHANNELS, *INFLOW_TYPES}
    | {f"{total}-rest" for total, _ in (*TRAJECT_NESTED, ("benaderd", ()))}
    | {*EXCLUSION_SOURCES, *OUTFLOW_REASONS, *PERSISTENCE_BUCKETS, *TREDES}
    | {*LADDER_DIRECTIONS, *REFERRAL_TYPES, *REFERRAL_OUTCOMES, *ROLES, *PLACEMENT_KINDS}
    | {*PLACEMENT_STATUSES, *REGION_MEASURES, *SZW_STOCKS, *SZW_STOCKS.values(), *SZW_FLOWS}
)


@dataclass(frozen=True)
class Quarter:
    label: str  # 2026-K3
    start: date
    end_month: date
    complete: bool  # all three months inside the window


@dataclass
class RegionCube:
    region: str
    months: list[date]
    gemeenten: list[str]  # municipalities with a row in the latest month
    quarters: list[Quarter]
    szw_quarters: list[Quarter]
    protected: Protected
    k: int
    names: dict[str, str] = field(default_factory=dict)  # gemeentecode -> gemeentenaam
    region_code: str = ""  # CBS code of the arbeidsmarktregio, AM01 .. AM35
    deliveries: list[dl.Delivery] = field(default_factory=list)
    sustained_months: int = 6  # dbt var sustained_months: follow-up of a placement
    persistent_months: int = 3  # dbt var persistent_months: consecutive months to persist
    # Residents aged 23-26 per municipality in the latest month's year (bevolking.csv);
    # empty when the region never delivered the file.
    population: dict[str, int] = field(default_factory=dict)
    year_quarters: list[Quarter] = field(default_factory=list)  # the quarters of "jaar"

    @property
    def latest(self) -> date:
        return self.months[-1]

    @property
    def provisional(self) -> list[date]:
        """The latest months, whose figures may still change (late registrations)."""
        return self.months[-PROVISIONAL_MONTHS:]

    def sustained_known(self, quarter: Quarter) -> bool:
        """Whether every placement of the quarter could be followed for its whole
        follow-up period within the data: else 'duurzaam' is not yet known."""
        followed_until = add_months(quarter.end_month, self.sustained_months)
        return quarter.complete and followed_until <= self.latest

    @cached_property
    def _fixed_labels(self) -> frozenset[str]:
        """The names of `_labels` that need no look at the cells: nearly every name asked."""
        quarters = {q.label for q in (*self.quarters, *self.szw_quarters)}
        return frozenset(VOCABULARY | set(self.gemeenten) | quarters | {"TOTAAL"})

    @cached_property
    def _labels(self) -> frozenset[str]:
        """Every name a cell of this cube can carry: the families, measures and categories."""
        names = {p for cell in self.protected.values for p in _parts(cell) if isinstance(p, str)}
        return self._fixed_labels | names

    def _exists(self, cell: Hashable) -> bool:
        """Whether the cell was counted. A known combination that is absent (no rows, e.g.
        no placements in a quarter) counts 0; a name the cube does not know (a misspelt
        measure) is an error, never a silently published 0."""
        if cell in self.protected.values:
            return True
        # `_labels` (every name in the cells) only for a name not among the fixed ones.
        fixed = self._fixed_labels
        unknown = [
            p
            for p in _parts(cell)
            if isinstance(p, str) and p not in fixed and p not in self._labels
        ]
        if unknown:
            raise KeyError(f"geen cel {cell!r} in de kubus van {self.region}: onbekend {unknown}")
        return False

    @cached_property
    def _known_cells(self) -> dict[Hashable, bool]:
        return {}

    def known(self, cell: Hashable) -> bool:
        """False for a cell whose count the data cannot tell yet (published as `.`).

        Remembered per cell: the pages and the SZW table ask it ~2 million times for the
        country, and the answer depends only on the cube, which is not changed once built
        (build_cubes completes it with dataclasses.replace)."""
        memo = self._known_cells
        answer = memo.get(cell)
        if answer is None:
            answer = memo[cell] = self._known(cell)
        return answer

    def _known(self, cell: Hashable) -> bool:
        parts = _parts(cell)
        family = parts[0]
        if family == "rm":
            _, _, month, measure = parts
            first_known = self.months[min(self.persistent_months - 1, len(self.months) - 1)]
            return measure not in PERSISTENCE_MEASURES or month >= first_known
        if family == "persistence":
            # The 12+ bucket needs a year of data; before that long runs land too low.
            return len(self.months) >= 12
        if family == "traject":
            return parts[2] == YEAR or self._complete(parts[2])
        if family == "channel":
            quarter = self._quarter(parts[2])
            if quarter is None or not quarter.complete:
                return False
            # Reached (and its rest) needs REACH_MONTHS after the quarter's last month.
            return (
                parts[4] == "benaderd" or add_months(quarter.end_month, REACH_MONTHS) <= self.latest
            )
        if family in ("ladder", "placement", "szw"):
            quarter = self._quarter(parts[1])
            if quarter is None or not quarter.complete:
                return False
            if family == "placement" and parts[3] in ("duurzaam", "niet_duurzaam", "totaal"):
                return parts[3] == "totaal" or self.sustained_known(quarter)
            if family == "szw" and parts[2] == "duurzaam":
                return self.sustained_known(quarter)
        return True

    @cached_property
    def _quarters_by_label(self) -> dict[str, Quarter]:
        by_label: dict[str, Quarter] = {}
        for q in self.quarters:
            by_label.setdefault(q.label, q)
        return by_label

    def _quarter(self, label: str) -> Quarter | None:
        return self._quarters_by_label.get(label)

    def _complete(self, label: str) -> bool:
        quarter = self._quarter(label)
        return quarter is not None and quarter.complete

    def rate(self, part: Hashable, whole: Hashable) -> float | None:
        """part / whole, or None when it must not be shown: either count hidden or not yet
        known, or the whole below k (a share of 3 youths says too much about each)."""
        n, d = self.number(part), self.number(whole)
        if n is None or d is None or d < self.k:
            return None
        return n / d

    def show_rate(self, part: Hashable, whole: Hashable) -> str:
        """The published share ('62%'), or the mark of why not: `.` when a count is not
        yet known or the whole is below k, `x` when a count is hidden."""
        r = self.rate(part, whole)
        if r is not None:
            return f"{round(100 * r)}%"
        if not (self.known(part) and self.known(whole)):
            return NOT_KNOWN
        if self.number(part) is None or self.number(whole) is None:
            return SECONDARY_MARK
        return NOT_KNOWN

    def per_1000(self, cell: Hashable, scope: str) -> float | None:
        """A shown count per 1,000 residents aged 23-26 of the municipality (or of the
        region: TOTAAL, when every municipality has a population), else None."""
        n = self.number(cell)
        if scope == "TOTAAL":
            pops = [self.population.get(g) for g in self.gemeenten]
            pop = sum(p for p in pops if p) if pops and all(pops) else None
        else:
            pop = self.population.get(scope)
        if n is None or not pop:
            return None
        return 1000 * n / pop

    @cached_property
    def _published(self) -> dict[Hashable, tuple[int | str, int | None]]:
        return {}

    def _shown_and_number(self, cell: Hashable) -> tuple[int | str, int | None]:
        """`show` and `number` of a cell, remembered as `known` is (a page asks both for
        most cells, and the region's cells again on every municipality page)."""
        memo = self._published
        answer = memo.get(cell)
        if answer is None:
            if not self._exists(cell):  # raises for a name the cube does not know
                answer = (0, 0)
            elif not self.known(cell):
                answer = (NOT_KNOWN, None)
            else:
                answer = (self.protected.show(cell), self.protected.number(cell))
            memo[cell] = answer
        return answer

    def show(self, cell: Hashable) -> int | str:
        """The published value: the count, `<k`, `x`, or `.` (not yet known)."""
        return self._shown_and_number(cell)[0]

    def number(self, cell: Hashable) -> int | None:
        """The count, or None when it is hidden or not yet known (for charts)."""
        return self._shown_and_number(cell)[1]

    @cached_property
    def missing_lists(self) -> dict[date, list[dl.Delivery]]:
        """deliveries.missing_lists of the region: every page of the region asks it."""
        return dl.missing_lists(self.deliveries)

    @cached_property
    def _summary(self) -> SuppressionSummary:
        primary, secondary = self.protected.primary, self.protected.secondary
        published = n_primary = n_secondary = 0
        for cell in self.protected.values:
            if _unpublished(cell) or not self.known(cell):
                continue
            published += 1
            n_primary += cell in primary
            n_secondary += cell in secondary
        return SuppressionSummary(published, n_primary, n_secondary)

    def suppression_summary(self) -> SuppressionSummary:
        """Counts over the cells that reach a page or file: not the hidden differences of
        nested counts (`-rest`), not the cells published as `.`. Counted once per cube."""
        return self._summary


def _unpublished(cell: Hashable) -> bool:
    """The hidden difference of a count and the parts shown inside it ("-rest")."""
    # A loop, not any() over a generator (twice as slow): asked for every cell of the cube.
    for p in _parts(cell):  # noqa: SIM110
        if isinstance(p, str) and p.endswith("-rest"):
            return True
    return False


def _parts(cell: Hashable) -> tuple:
    return cell if isinstance(cell, tuple) else (cell,)


@dataclass
class _Builder:
    values: dict[Hashable, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def put(self, cell: Hashable, value: int) -> None:
        self.values[cell] = int(value)

    def ensure(self, *cells: Hashable) -> None:
        for c in cells:
            self.values.setdefault(c, 0)

    def relate(self, total: Hashable, parts: list[Hashable]) -> None:
        self.ensure(total, *parts)
        self.relations.append(Relation(total, tuple(parts)))


def _measure(row: dict, measure: str) -> int:
    """A measure of a marts.region_month row, or one the cube derives from it."""
    if measure == "not_persistent":
        return row["in_view"] - row["persistent"]
    return row[measure]


@dataclass(frozen=True)
class Rows:
    """A relation's rows as the warehouse gave them: column names once, a tuple per row.
    What read_inputs() sends to a worker process: tuples pickle about twice as fast and
    ~40% smaller than dicts that repeat their keys (the country's regions at the real
    size: 0.23 -> 0.11 s, 12 -> 7 MB); the worker makes the dicts (dicts())."""

    names: tuple[str, ...]
    rows: list[tuple]

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self) -> list[dict]:
        return [dict(zip(self.names, r, strict=True)) for r in self.rows]


def _fetch(con: duckdb.DuckDBPyConnection, relation: str, where: str = "") -> Rows:
    # In a fixed order: a table dbt rebuilt holds its rows in any order, and the order of
    # the relations decides which cells disclosure control hides (see _scoped).
    cur = con.execute(f"select * from {relation} as t {where} order by all")  # constants
    return Rows(tuple(d[0] for d in cur.description), cur.fetchall())


def _rows(con: duckdb.DuckDBPyConnection, relation: str, where: str = "") -> list[dict]:
    return _fetch(con, relation, where).dicts()


def _quarter_of(month: date) -> date:
    return date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def _quarter_label(start: date) -> str:
    return f"{start.year}-K{(start.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class RegionInputs:
    """What one region's cube is built from: its rows of every published aggregate (of
    LATEST_MONTH_ONLY those of its latest month) and the registry, deliveries and
    population it needs. Plain data, so a region can be built in another process
    (orchestration/publish/regions.py)."""

    region: str
    tables: dict[str, Rows]
    names: dict[str, str]
    region_code: str
    deliveries: list[dl.Delivery]
    population: dict[str, dict[int, int]]
    sustained_months: int
    persistent_months: int


PUBLISHED_RELATIONS = (
    ("marts", "region_month"),
    ("reports", "persistence_distribution"),
    ("reports", "trede_distribution"),
    ("reports", "ladder_quarters"),
    ("reports", "outreach_funnel_municipal"),
    ("reports", "trajectory_outcomes"),
    ("reports", "channel_reach"),
    ("reports", "declined_month"),
    ("reports", "referral_inflow"),
    ("reports", "referrals_by_type"),
    ("reports", "referrals_by_role"),
    ("reports", "placement_outcomes"),
    ("reports", "szw_quarter_counts"),
)


# The relations of which a cube publishes the region's latest month only (_build_region
# keeps the rows of `latest`): their other months are not read. The funnel's are most of
# the rows of every relation together.
LATEST_MONTH_ONLY = frozenset(
    {
        "persistence_distribution",
        "trede_distribution",
        "outreach_funnel_municipal",
        "referral_inflow",
        "referrals_by_type",
        "referrals_by_role",
    }
)
_LATEST_MONTH = (
    "where t.month = (select max(m.month) from marts.region_month as m "
    "where m.arbeidsmarktregio = t.arbeidsmarktregio)"
)


def read_inputs(con: duckdb.DuckDBPyConnection) -> list[RegionInputs]:
    """Every published aggregate from the warehouse, split per region (sorted by name);
    only regions with a row in marts.region_month have something to publish. Of the
    relations in LATEST_MONTH_ONLY only the rows of the region's latest month."""
    by_region: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    columns: dict[str, tuple[str, ...]] = {}
    for schema, name in PUBLISHED_RELATIONS:
        where = _LATEST_MONTH if name in LATEST_MONTH_ONLY else ""
        fetched = _fetch(con, f"{schema}.{name}", where)
        columns[name] = fetched.names
        at = fetched.names.index("arbeidsmarktregio")
        for r in fetched.rows:
            if r[at]:
                by_region[r[at]][name].append(r)
    registry = _rows(con, "staging.stg_gemeenten")
    names = {r["gemeentecode"]: r["gemeentenaam"] for r in registry}
    codes = {r["arbeidsmarktregio"]: f"AM{int(r['arbeidsmarktregio_nr']):02d}" for r in registry}
    delivered = dl.read(con)
    population = _population(con)
    sustained = int(settings.dbt_var("sustained_months"))
    persistent_months = int(settings.dbt_var("persistent_months"))
    return [
        RegionInputs(
            region=region,
            tables={n: Rows(columns[n], by_region[region][n]) for _, n in PUBLISHED_RELATIONS},
            names=names,
            region_code=codes.get(region, ""),
            deliveries=delivered.get(region, []),
            population=population,
            sustained_months=sustained,
            persistent_months=persistent_months,
        )
        for region in sorted(by_region)
        if by_region[region]["region_month"]
    ]


def build_region(inputs: RegionInputs, k: int) -> RegionCube:
    """One region's protected cube."""
    tables = {name: rows.dicts() for name, rows in inputs.tables.items()}
    cube = _build_region(inputs.region, tables, k, inputs.names)
    year = cube.latest.year
    # A new instance, not assignments: RegionCube remembers answers per cell.
    return dataclasses.replace(
        cube,
        region_code=inputs.region_code,
        deliveries=inputs.deliveries,
        sustained_months=inputs.sustained_months,
        persistent_months=inputs.persistent_months,
        population={
            g: pop[year] if year in pop else pop[max(pop)]
            for g in cube.gemeenten
            if (pop := {y: n for y, n in inputs.population.get(g, {}).items() if y <= year})
        },
    )


def build_cubes(con: duckdb.DuckDBPyConnection, k: int) -> list[RegionCube]:
    """Read every published aggregate from the warehouse and protect it, per region."""
    return [build_region(inputs, k) for inputs in read_inputs(con)]


def _population(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int, int]]:
    """Residents aged 23-26 per municipality and year (bevolking.csv; may be empty)."""
    out: dict[str, dict[int, int]] = defaultdict(dict)
    try:
        rows = _rows(con, "staging.stg_bevolking")
    except duckdb.CatalogException:  # a warehouse built before bevolking.csv was read
        return out
    for r in rows:
        out[r["gemeentecode"]][int(r["jaar"])] = int(r["inwoners_23_26"])
    return out


def _build_region(
    region: str, t: dict[str, list[dict]], k: int, names: dict[str, str]
) -> RegionCube:
    b = _Builder()
    months = sorted({r["month"] for r in t["region_month"]})
    latest = months[-1]
    quarters = [
        Quarter(
            _quarter_label(q),
            q,
            max(m for m in months if _quarter_of(m) == q),
            sum(1 for m in months if _quarter_of(m) == q) == 3,
        )
        for q in sorted({_quarter_of(m) for m in months})
    ]

    # Region TOTAAL and every municipality, every month (the municipality pages draw their
    # own trend).
    present: dict[date, list[str]] = defaultdict(list)  # municipalities per month
    for r in t["region_month"]:
        g, m = r["gemeentecode"], r["month"]
        if g != "TOTAAL":
            present[m].append(g)
        for measure in REGION_MEASURES if g == "TOTAAL" else MUNICIPAL_MEASURES:
            b.put(("rm", g, m, measure), _measure(r, measure))
    gemeenten = sorted(present[latest])
    # Nested counts (persistent within in view, reached within approached, ...) are
    # totals of their difference too: a small difference of two shown counts would give
    # a few youths away, so it is a hidden cell with the relation that protects it.
    scope_months = [("TOTAAL", m) for m in months]
    scope_months += [(g, m) for m in months for g in present[m]]
    for g, m in scope_months:
        for total, parts in NESTED:
            rest = ("rm", g, m, f"{total}-rest")
            b.put(
                rest, b.values[("rm", g, m, total)] - sum(b.values[("rm", g, m, x)] for x in parts)
            )
            b.relate(("rm", g, m, total), [("rm", g, m, x) for x in parts] + [rest])
        b.relate(
            ("rm", g, m, "in_view"), [("rm", g, m, "persistent"), ("rm", g, m, "not_persistent")]
        )
    for m in months:
        b.relate(
            ("rm", "TOTAAL", m, "on_list"),
            [("rm", "TOTAAL", m, "excluded"), ("rm", "TOTAAL", m, "in_view")],
        )
        b.relate(
            ("rm", "TOTAAL", m, "outflow_totaal"),
            [("rm", "TOTAAL", m, f"outflow_{r}") for r in OUTFLOW_REASONS],
        )
        b.values[("rm", "TOTAAL", m, "outflow_totaal")] = sum(
            b.values[("rm", "TOTAAL", m, f"outflow_{r}")] for r in OUTFLOW_REASONS
        )
    for m in months:
        for measure in MUNICIPAL_MEASURES:
            b.relate(("rm", "TOTAAL", m, measure), [("rm", g, m, measure) for g in present[m]])
        for g in present[m]:
            b.relate(("rm", g, m, "on_list"), [("rm", g, m, "excluded"), ("rm", g, m, "in_view")])

    # Distributions of the latest month, adding up to a region total.
    for r in t["persistence_distribution"]:
        if r["month"] == latest:
            b.put(("persistence", latest, r["bucket"]), r["youths"])
    b.relate(
        ("rm", "TOTAAL", latest, "in_view"),
        [("persistence", latest, x) for x in PERSISTENCE_BUCKETS],
    )
    for r in t["trede_distribution"]:
        if r["month"] == latest:
            b.put(("trede", latest, r["trede"]), r["youths"])
    b.relate(("rm", "TOTAAL", latest, "on_list"), [("trede", latest, x) for x in TREDES])

    # Ladder moves per quarter (a partial quarter is not known). Their total is not
    # published: the moves add up to nothing shown, so a `<k` direction needs no
    # second cell hidden beside it.
    for r in t["ladder_quarters"]:
        b.put(("ladder", _quarter_label(r["quarter_start"]), r["direction"]), r["youths"])
    b.ensure(*(("ladder", q.label, d) for q in quarters for d in LADDER_DIRECTIONS))

    # Funnel of the latest month per municipality and for the region (their sum):
    # exclusive steps and the published "at least" counts.
    for r in t["outreach_funnel_municipal"]:
        if r["month"] == latest:
            b.put(("funnel", r["gemeentecode"], latest, "step", r["step"]), r["youths"])
    funnel_scopes = sorted({c[1] for c in b.values if c[0] == "funnel"} | set(gemeenten))
    for kind in ("step", "cum"):
        for s in FUNNEL_STEPS:
            b.ensure(*(("funnel", g, latest, kind, s) for g in funnel_scopes))
            if kind == "step":
                b.put(
                    ("funnel", "TOTAAL", latest, "step", s),
                    sum(b.values[("funnel", g, latest, "step", s)] for g in funnel_scopes),
                )
    for g in [*funnel_scopes, "TOTAAL"]:
        for s in reversed(FUNNEL_STEPS):
            cum = ("funnel", g, latest, "cum", s)
            step = ("funnel", g, latest, "step", s)
            if s == FUNNEL_STEPS[-1]:
                b.put(cum, b.values[step])
                b.relate(cum, [step])
            else:
                nxt = ("funnel", g, latest, "cum", s + 1)
                b.put(cum, b.values[step] + b.values[nxt])
                b.relate(cum, [step, nxt])
    for kind in ("step", "cum"):
        for s in FUNNEL_STEPS:
            b.relate(
                ("funnel", "TOTAAL", latest, kind, s),
                [("funnel", g, latest, kind, s) for g in funnel_scopes],
            )

    # Referrals of the latest rolling year: type x outcome with totals both ways.
    for r in t["referrals_by_type"]:
        if r["month"] == latest:
            b.put(("referral", latest, r["organisatie_type"], r["uitkomst"]), r["youths"])
    types = [
        x
        for x in REFERRAL_TYPES
        if x != "onbekend" or any(c[2] == "onbekend" for c in b.values if c[0] == "referral")
    ]
    rows, cols = [*types, "totaal"], [*REFERRAL_OUTCOMES, "totaal"]
    body = [(x, o) for x in types for o in REFERRAL_OUTCOMES]
    b.ensure(*(("referral", latest, x, o) for x, o in body))
    for x in types:
        b.put(
            ("referral", latest, x, "totaal"),
            sum(b.values[("referral", latest, x, o)] for o in REFERRAL_OUTCOMES),
        )
    for o in cols:
        b.put(
            ("referral", latest, "totaal", o),
            sum(b.values[("referral", latest, x, o)] for x in types),
        )
    for rel in table_relations(rows, cols, row_total="totaal", column_total="totaal"):
        b.relate(("referral", latest, *rel.total), [("referral", latest, *p) for p in rel.parts])
    for r in t["referrals_by_role"]:
        if r["month"] == latest:
            b.put(("role", latest, r["rol"], "youths"), r["youths"])
            b.put(("role", latest, r["rol"], "uitgestroomd"), r["youths_uitgestroomd"])
    b.ensure(*(("role", latest, x, y) for x in ROLES for y in ("youths", "uitgestroomd")))

    # Placements per quarter by kind and whether they lasted.
    for r in t["placement_outcomes"]:
        cell = ("placement", _quarter_label(_quarter_of(r["month"])), r["kind"], r["status"])
        b.put(cell, b.values.get(cell, 0) + r["placements"])
    for q in quarters:
        for kind in PLACEMENT_KINDS:
            parts = [("placement", q.label, kind, s) for s in PLACEMENT_STATUSES]
            b.ensure(*parts)
            b.put(("placement", q.label, kind, "totaal"), sum(b.values[p] for p in parts))
            b.relate(("placement", q.label, kind, "totaal"), parts)

    # The SZW table: stocks are the region's TOTAAL cells; flows are their own, and the
    # quarter's outflow per reason is the sum of its three published months.
    szw_quarters = []
    for r in sorted(t["szw_quarter_counts"], key=lambda r: r["quarter_start"]):
        q = next(q for q in quarters if q.start == r["quarter_start"])
        szw_quarters.append(q)
        for col in SZW_FLOWS:
            b.put(("szw", q.label, col), r[col])
        q_months = [m for m in months if _quarter_of(m) == q.start]
        for reason in OUTFLOW_REASONS:
            b.relate(
                ("szw", q.label, f"uitstroom_{reason}"),
                [("rm", "TOTAAL", m, f"outflow_{reason}") for m in q_months],
            )
        b.relate(
            ("szw", q.label, "uitstroom_totaal"),
            [("szw", q.label, f"uitstroom_{x}") for x in OUTFLOW_REASONS],
        )
        b.relate(
            ("szw", q.label, "uitstroom_totaal"),
            [("rm", "TOTAAL", m, "outflow_totaal") for m in q_months],
        )

    year_quarters = [q for q in quarters if q.complete][-4:]
    _outreach(b, t, latest, months, present, quarters, year_quarters)

    return RegionCube(
        region=region,
        year_quarters=year_quarters if len(year_quarters) == 4 else [],
        months=months,
        gemeenten=gemeenten,
        quarters=quarters,
        szw_quarters=szw_quarters,
        protected=protect(b.values, b.relations, k=k, unpublished=_unpublished),
        k=k,
        names={g: names.get(g, g) for g in gemeenten},
    )


def _scoped(
    b: _Builder, family: str, rows: list[tuple[str, tuple, int]], scopes: list[str]
) -> list[str]:
    """Counts per municipality, and TOTAAL as their sum with the relation between them:
    `rows` are (gemeentecode, key, count); cells are (family, gemeentecode|TOTAAL, *key)."""
    keys: set[tuple] = set()
    for g, key, n in rows:
        cell = (family, g, *key)
        b.put(cell, b.values.get(cell, 0) + n)
        keys.add(key)
    found = sorted({g for g, _, _ in rows} | set(scopes))
    # Sorted, not in the set's order (which differs per process with Python's string hash
    # seed): the same numbers must get the same hidden cells in every run, or two
    # publications of one month side by side would show what each of them hides.
    for key in sorted(keys, key=repr):
        b.put((family, "TOTAAL", *key), sum(b.values.get((family, g, *key), 0) for g in found))
        b.relate((family, "TOTAAL", *key), [(family, g, *key) for g in found])
    return found


def _nest(b: _Builder, total: Hashable, parts: list[Hashable], rest: Hashable) -> None:
    """A count within a count: the hidden difference as a cell, with its relation."""
    b.ensure(total, *parts)
    b.put(rest, b.values[total] - sum(b.values[p] for p in parts))
    b.relate(total, [*parts, rest])


def _outreach(
    b: _Builder,
    t: dict[str, list[dict]],
    latest: date,
    months: list[date],
    present: dict[date, list[str]],
    quarters: list[Quarter],
    year_quarters: list[Quarter],
) -> None:
    """The outreach story (#13): trajectories and their outcomes, reach per channel,
    declining respected, and the youths informal organisations brought in."""
    scopes = sorted({g for m in months for g in present[m]})

    # Trajectories per quarter, by outcome; the year is the sum of its four quarters.
    rows = []
    for r in t["trajectory_outcomes"]:
        q, n, g = _quarter_label(r["quarter_start"]), r["trajectories"], r["gemeentecode"]
        rows.append((g, (q, "gestart"), n))
        if r["uitkomst"] in ("werk", "opleiding"):
            rows.append((g, (q, r["uitkomst"]), n))
        if r["duurzaamheid"] in ("duurzaam", "niet_duurzaam"):
            rows.append((g, (q, "gevolgd"), n))
        if r["duurzaamheid"] == "duurzaam":
            rows.append((g, (q, "duurzaam"), n))
    rows += [(g, (q.label, m), 0) for g in scopes for q in quarters for m in TRAJECT_MEASURES]
    found = _scoped(b, "traject", rows, scopes)
    labels = [q.label for q in quarters]
    if len(year_quarters) == 4:
        for g in [*found, "TOTAAL"]:
            for m in TRAJECT_MEASURES:
                parts = [("traject", g, q.label, m) for q in year_quarters]
                b.put(("traject", g, YEAR, m), sum(b.values[p] for p in parts))
                b.relate(("traject", g, YEAR, m), parts)
        for m in TRAJECT_MEASURES:  # the year adds up over municipalities too
            b.relate(("traject", "TOTAAL", YEAR, m), [("traject", g, YEAR, m) for g in found])
        labels.append(YEAR)
    for g in [*found, "TOTAAL"]:
        for period in labels:
            for total, parts in TRAJECT_NESTED:
                _nest(
                    b,
                    ("traject", g, period, total),
                    [("traject", g, period, p) for p in parts],
                    ("traject", g, period, f"{total}-rest"),
                )

    # Reach per channel and quarter (channels overlap: no relation between them).
    rows = []
    for r in t["channel_reach"]:
        key = (_quarter_label(r["quarter_start"]), r["kanaal"])
        rows.append((r["gemeentecode"], (*key, "benaderd"), r["approached"]))
        rows.append((r["gemeentecode"], (*key, "bereikt"), r["reached"]))
    rows += [
        (g, (q.label, ch, m), 0)
        for g in scopes
        for q in quarters
        for ch in CHANNELS
        for m in CHANNEL_MEASURES
    ]
    found = _scoped(b, "channel", rows, scopes)
    for g in [*found, "TOTAAL"]:
        for q in quarters:
            for ch in CHANNELS:
                _nest(
                    b,
                    ("channel", g, q.label, ch, "benaderd"),
                    [("channel", g, q.label, ch, "bereikt")],
                    ("channel", g, q.label, ch, "benaderd-rest"),
                )

    # Declining respected: geweigerd (quiet period) and bezwaar, every month.
    rows = [
        (r["gemeentecode"], (r["month"], kind), r[kind])
        for r in t["declined_month"]
        for kind in DECLINED
    ]
    rows += [(g, (m, kind), 0) for m in months for g in present[m] for kind in DECLINED]
    _scoped(b, "declined", rows, scopes)

    # How the youths first reached in the year came in: through an organisation (by its
    # type) or not; region only.
    for r in t["referral_inflow"]:
        if r["month"] == latest:
            b.put(("inflow", latest, r["organisatie_type"]), r["youths"])
    b.ensure(*(("inflow", latest, x) for x in INFLOW_TYPES))
    via = [("inflow", latest, x) for x in REFERRAL_TYPES]
    b.put(("inflow", latest, "via_organisatie"), sum(b.values[c] for c in via))
    b.relate(("inflow", latest, "via_organisatie"), via)
    b.put(
        ("inflow", latest, "totaal"),
        b.values[("inflow", latest, "via_organisatie")] + b.values[("inflow", latest, "geen")],
    )
    b.relate(
        ("inflow", latest, "totaal"),
        [("inflow", latest, "via_organisatie"), ("inflow", latest, "geen")],
    )
