"""The dbt project as Dagster assets: one dbt build per run over the run's month window."""

import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.partitions import WAREHOUSE_POOL, monthly_partitions, single_run
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class InbeeldDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (staging/intermediate/marts/reports), all in group transform."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transform"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:regionaal-datateam"]


def month_window_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """min_month/max_month, half-open, from the run's partition (range)."""
    window = context.partition_time_window
    return {
        "min_month": window.start.date().isoformat(),
        "max_month": window.end.date().isoformat(),
    }


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
    dagster_dbt_translator=InbeeldDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def inbeeld_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # dbt runs as a subprocess and reads the warehouse path from its profile's env var.
    os.environ["INBEELD_WAREHOUSE"] = str(warehouse.writable_file())
    yield from dbt.cli(
        ["build", "--vars", json.dumps(month_window_vars(context))], context=context
    ).stream()
