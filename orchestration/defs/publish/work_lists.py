"""Publish: the outreach work lists per municipality (person-level, under exports/)."""

import dagster as dg

from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.publish.work_lists import write_work_lists
from orchestration.resources import WarehouseResource


@dg.asset(
    key=dg.AssetKey(["exports", "werklijsten"]),
    deps=[dg.AssetKey(["marts", "werklijst"])],
    group_name="publish",
    kinds={"csv", "python"},
    owners=["team:regionaal-datateam"],
    pool=WAREHOUSE_POOL,
    description=(
        "`exports/<gemeentecode>/werklijst.csv` with a Dutch explanation beside it: every youth "
        "on the list in the latest month, sorted by priority. Person-level and owner-only "
        "(0700 folders, 0600 files); never under publish/."
    ),
)
def work_lists(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    exports = warehouse.exports_target
    staged = warehouse.exports_dir()
    with warehouse.connect(read_only=True) as con:
        counts = write_work_lists(con, staged)
    context.log.info(f"{len(counts)} werklijsten geschreven naar {exports} (bij het vastleggen)")
    return dg.MaterializeResult(
        metadata={
            "map": dg.MetadataValue.path(str(exports)),
            "gemeenten": len(counts),
            "jongeren": sum(counts.values()),
        }
    )
