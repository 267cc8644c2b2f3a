"""Warnings about what the ingest refused, visible as checks in the Dagster UI."""

import dagster as dg

from orchestration.defs.partitions import run_month_range
from orchestration.ingest.warehouse import JIB_LISTS_SQL, OPEN_REJECTIONS_SQL
from orchestration.resources import WarehouseResource

_HEADER_ONLY_AFTER_FULL = f"""
    select path, gemeentecode, month from ({JIB_LISTS_SQL})
    where rows_in = 0 and previous_rows_in > 0 and month between ?::date and ?::date
    order by month, gemeentecode
"""


@dg.asset_check(
    asset=dg.AssetKey(["audit", "loads"]),
    name="geen_afgekeurde_bestanden",
    description=(
        "Warns when files of the run's months were rejected; the metadata lists each file "
        "with its reason code and Dutch message."
    ),
)
def no_rejected_files(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(OPEN_REJECTIONS_SQL, list(run_month_range(context))).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(rows)} afgekeurde bestanden" if rows else "Alle bestanden ingelezen",
        metadata={
            "afgekeurd": len(rows),
            "bestanden": dg.MetadataValue.md(
                "\n".join(f"- `{p}` — **{r}**: {m}" for p, r, m in rows) or "geen"
            ),
        },
    )


@dg.asset_check(
    asset=dg.AssetKey(["raw", "jib"]),
    name="lege_lijst_na_volle_lijst",
    description=(
        "Warns when a municipality delivered a header-only jib.csv after a list with rows: "
        "almost always an export fault, so it counts as not delivered (SPEC §1). Ask the "
        "municipality to deliver the list again."
    ),
)
def header_only_after_full(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(_HEADER_ONLY_AFTER_FULL, list(run_month_range(context))).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "lege_lijsten": len(rows),
            "bestanden": dg.MetadataValue.md(
                "\n".join(
                    f"- `{p}` ({gm}, {m:%Y-%m}): vraag om opnieuw aanleveren" for p, gm, m in rows
                )
                or "geen"
            ),
        },
    )
