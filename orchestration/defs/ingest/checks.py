"""Warnings about what the ingest refused, visible as checks in the Dagster UI.

Both checks look at the whole warehouse, whatever months the run that executes them
covers: an open rejection or a header-only list stays something to chase until it is
fixed, so a later month that passes must not hide it (a check is not partitioned: its
latest result is the one the UI shows). The run's months only decide which findings are
listed first. A check that found nothing to look at (no file ever ingested) never
passes: it warns "niets gecontroleerd".
"""

import dagster as dg
import duckdb

from orchestration.defs.partitions import WAREHOUSE_POOL, run_month_range
from orchestration.ingest.warehouse import OPEN_REJECTIONS_SQL
from orchestration.resources import WarehouseResource
from orchestration.sql import statements

_ALL_MONTHS = ("1900-01-01", "2999-12-01")

SQL = statements("audit")


def _run_months(context: dg.AssetCheckExecutionContext) -> str:
    window = run_month_range(context)
    if window is None:
        return "geen (run zonder partitie)"
    return f"{window[0][:7]} t/m {window[1][:7]}"


def nothing_checked(what: str, run_months: str) -> dg.AssetCheckResult:
    """The result of a check that had nothing to look at: a warning, never a pass."""
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"Niets gecontroleerd: {what}.",
        metadata={"niets_gecontroleerd": True, "maanden_van_de_run": run_months},
    )


def _read(warehouse: WarehouseResource, seen_sql: str, sql: str) -> tuple[int, list[tuple]]:
    """How many versions there were to look at, and the findings over all months."""
    if not warehouse.file.exists():
        return 0, []
    with warehouse.connect(read_only=True) as con:
        try:
            seen = int(con.execute(seen_sql).fetchone()[0])
        except duckdb.CatalogException:  # no ingest ever ran on this warehouse
            return 0, []
        return seen, con.execute(sql, list(_ALL_MONTHS)).fetchall() if seen else []


@dg.asset_check(
    pool=WAREHOUSE_POOL,  # opens the warehouse: one run at a time
    asset=dg.AssetKey(["audit", "loads"]),
    name="geen_afgekeurde_bestanden",
    description=(
        "Waarschuwt zolang een afgekeurd bestand open staat, in welke maand ook: de "
        "metadata noemt elk bestand met de reden en de Nederlandse melding. Een afkeuring "
        "is gesloten zodra een gecorrigeerde versie (zelfde pad, of een vervanger voor "
        "dezelfde maand, gemeente en bestandssoort) is ingelezen. Zolang een eerder "
        "ingelezen versie van kracht blijft, zegt de melding dat. Wat te doen: vraag de "
        "gemeente het bestand gecorrigeerd opnieuw aan te leveren."
    ),
)
def no_rejected_files(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    months = _run_months(context)
    seen, rows = _read(warehouse, SQL["files_seen"], OPEN_REJECTIONS_SQL)
    if not seen:
        return nothing_checked("er is nog geen enkel bestand ingelezen", months)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(rows)} afgekeurde bestanden staan open"
            if rows
            else f"Geen open afkeuringen ({seen} bestandsversies gecontroleerd)"
        ),
        metadata={
            "afgekeurd": len(rows),
            "bestandsversies_gecontroleerd": seen,
            "maanden_van_de_run": months,
            "gecontroleerd": "alle maanden in het warehouse",
            "bestanden": dg.MetadataValue.md(
                "\n".join(f"- `{p}` — **{r}**: {m}" for p, r, m in rows) or "geen"
            ),
        },
    )


@dg.asset_check(
    pool=WAREHOUSE_POOL,  # opens the warehouse: one run at a time
    asset=dg.AssetKey(["raw", "jib"]),
    name="lege_lijst_na_volle_lijst",
    description=(
        "Waarschuwt wanneer een gemeente een jib.csv met alleen een kopregel aanleverde na "
        "een lijst met rijen: bijna altijd een exportfout, dus telt die maand als niet "
        "aangeleverd (SPEC §1). Kijkt naar alle maanden in het warehouse. Wat te doen: "
        "vraag de gemeente de lijst opnieuw aan te leveren."
    ),
)
def header_only_after_full(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    months = _run_months(context)
    lists, rows = _read(warehouse, SQL["jib_lists_seen"], SQL["header_only_after_full"])
    if not lists:
        return nothing_checked("er is nog geen jib.csv ingelezen", months)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(rows)} lege lijsten na een volle lijst"
            if rows
            else f"Geen lege lijst na een volle lijst ({lists} jib-lijsten gecontroleerd)"
        ),
        metadata={
            "lege_lijsten": len(rows),
            "lijsten_gecontroleerd": lists,
            "maanden_van_de_run": months,
            "gecontroleerd": "alle maanden in het warehouse",
            "bestanden": dg.MetadataValue.md(
                "\n".join(
                    f"- `{p}` ({gm}, {m:%Y-%m}): vraag om opnieuw aanleveren" for p, gm, m in rows
                )
                or "geen"
            ),
        },
    )
