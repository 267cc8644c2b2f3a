"""The month partitions every ingest and dbt asset shares."""

import dagster as dg

# JIB lists for month M arrive early in M, so the current month is a partition too.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2015-01-01", end_offset=1)

# A backfill of many months is one run and one dbt invocation (ENGINEERING.md).
single_run = dg.BackfillPolicy.single_run()

# DuckDB allows one writer per file: every warehouse writer takes this pool (limit 1).
WAREHOUSE_POOL = "warehouse"


def run_month_range(context: dg.AssetCheckExecutionContext) -> tuple[str, str]:
    """First and last month (YYYY-MM-01) of the run that executes a check.

    Checks are not partitioned themselves: they read the run's partition (range) tags.
    """
    tags = context.run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    return start or "1900-01-01", end or "2999-12-01"


def run_months(context: dg.AssetCheckExecutionContext) -> list[str]:
    start, end = run_month_range(context)
    if start.startswith("1900"):
        return []
    return monthly_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(start, end))
