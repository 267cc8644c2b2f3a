"""Freshness: every municipality's jib.csv of the last closed month is due by day 10 of
the month after. A check names the municipalities whose list is missing, so the data
team can call them; a schedule evaluates it on day 10 itself, without waiting for data.
"""

import datetime as dt

import dagster as dg

from orchestration import settings
from orchestration.core.dates import add_months
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.registry import load_registry
from orchestration.resources import WarehouseResource
from orchestration.sql import statements

DUE_DAY = 10
AMSTERDAM = "Europe/Amsterdam"

SQL = statements("audit")


def month_due(today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest month whose list is due by `today`, and its due date (day 10 after it)."""
    month = add_months(today, -1 if today.day >= DUE_DAY else -2)
    return month, add_months(month, 1).replace(day=DUE_DAY)


def late_municipalities(con, today: dt.date) -> tuple[dt.date, dt.date, list[dict], list[dict]]:
    """(month, due date, late ones, the ones that came after the due date)."""
    month, due = month_due(today)
    registry = load_registry()
    region_of = {r["gemeentecode"]: r["arbeidsmarktregio"] for r in registry}
    present = {gm for (gm,) in con.execute(SQL["municipalities_in_data"]).fetchall()}
    regions = {region_of[gm] for gm in present if gm in region_of}
    expected = sorted(
        (r for r in registry if r["arbeidsmarktregio"] in regions), key=lambda r: r["gemeentecode"]
    )
    loaded = dict(con.execute(SQL["loaded_lists"], [month]).fetchall())
    late = [r for r in expected if r["gemeentecode"] not in loaded]
    after_due = [
        {**r, "first_loaded": loaded[r["gemeentecode"]]}
        for r in expected
        if r["gemeentecode"] in loaded and loaded[r["gemeentecode"]].date() > due
    ]
    return month, due, late, after_due


@dg.asset_check(
    pool=WAREHOUSE_POOL,  # opens the warehouse: one run at a time
    asset=dg.AssetKey(["raw", "jib"]),
    name="jib_lijst_op_tijd",
    blocking=False,
    description=(
        "Of elke gemeente van de arbeidsmarktregio's in de data de JIB-lijst van de laatste "
        "afgesloten maand heeft aangeleverd: uiterlijk de 10e van de maand erna. Faalt met de "
        "namen van de gemeenten die ontbreken; wordt ook zonder nieuwe data op de 10e om 12:00 "
        "uitgevoerd."
    ),
)
def jib_list_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    today = settings.today()
    with warehouse.connect(read_only=True) as con:
        month, due, late, after_due = late_municipalities(con, today)
    names = ", ".join(f"{r['gemeentenaam']} ({r['gemeentecode']})" for r in late)
    return dg.AssetCheckResult(
        passed=not late,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"Te laat: de JIB-lijst van {month:%Y-%m} ontbreekt na {due:%d-%m-%Y} bij {names}"
            if late
            else f"Alle JIB-lijsten van {month:%Y-%m} zijn binnen"
        ),
        metadata={
            "maand": f"{month:%Y-%m}",
            "uiterlijk": due.isoformat(),
            "te_laat": len(late),
            "gemeenten_te_laat": dg.MetadataValue.md(
                "\n".join(
                    f"- {r['gemeentenaam']} ({r['gemeentecode']}), {r['arbeidsmarktregio']}"
                    for r in late
                )
                or "geen"
            ),
            "na_de_10e_ontvangen": dg.MetadataValue.md(
                "\n".join(
                    f"- {r['gemeentenaam']} ({r['gemeentecode']}): {r['first_loaded']:%d-%m-%Y}"
                    for r in after_due
                )
                or "geen"
            ),
        },
    )


freshness_job = dg.define_asset_job(
    name="inbeeld_versheid",
    selection=dg.AssetSelection.checks(jib_list_on_time),
    description="Controleert of alle gemeenten hun JIB-lijst op tijd hebben aangeleverd.",
    executor_def=dg.in_process_executor,  # the run's transaction lives in one process
)

freshness_schedule = dg.ScheduleDefinition(
    name="inbeeld_versheid_dag_10",
    job=freshness_job,
    cron_schedule=f"0 12 {DUE_DAY} * *",
    execution_timezone=AMSTERDAM,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="De 10e om 12:00: ontbreekt er een JIB-lijst van de afgelopen maand?",
)
