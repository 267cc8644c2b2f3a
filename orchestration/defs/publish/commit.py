"""The last step of the monthly run: the warehouse, publish/ and exports/ change together."""

import dagster as dg

from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.resources import WarehouseResource


@dg.asset(
    key=dg.AssetKey(["publish", "commit"]),
    deps=[
        dg.AssetKey(["publish", "dashboards"]),
        dg.AssetKey(["reports", "szw_quarterly"]),
        dg.AssetKey(["exports", "werklijsten"]),
    ],
    group_name="publish",
    kinds={"duckdb", "python"},
    owners=["team:regionaal-datateam"],
    pool=WAREHOUSE_POOL,
    description=(
        "Legt de run vast: de werkkopie van het warehouse vervangt het warehouse en daarna "
        "vervangen de nieuwe publish/ en exports/ de oude, zodat lezers overal dezelfde maand "
        "zien. Een run die eerder mislukt, komt hier niet en verandert niets."
    ),
)
def run_commit(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    warehouse.commit()
    context.log.info(
        f"Vastgelegd: {warehouse.committed_file}, {warehouse.published_dir}, "
        f"{warehouse.exports_target}"
    )
    return dg.MaterializeResult(
        metadata={
            "warehouse": dg.MetadataValue.path(str(warehouse.committed_file)),
            "publish": dg.MetadataValue.path(str(warehouse.published_dir)),
            "exports": dg.MetadataValue.path(str(warehouse.exports_target)),
        }
    )
