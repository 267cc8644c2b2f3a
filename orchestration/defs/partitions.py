"""The month partitions every ingest and dbt asset shares."""

import dagster as dg

# JIB lists for month M arrive early in M, so the current month is a partition too.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2015-01-01", end_offset=1)

# A backfill of many months is one run and one dbt invocation (ENGINEERING.md).
single_run = dg.BackfillPolicy.single_run()

# DuckDB allows one writer per file: every warehouse writer takes this pool (limit 1).
WAREHOUSE_POOL = "warehouse"


def run_month_range(context: dg.AssetCheckExecutionContext) -> tuple[str, str] | None:
    """First and last month (YYYY-MM-01) of the run that executes a check, or None.

    Checks are not partitioned themselves (a backfill is one run over a range, which
    partitioned checks cannot take): they read the run's partition (range) tags. None
    means the run has no partition at all (the Checks tab's "Execute all", a check run
    on its own): the caller then checks every month in the warehouse, never nothing.
    """
    tags = context.run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start or not end:
        return None
    return start, end


def run_months(context: dg.AssetCheckExecutionContext) -> list[str] | None:
    """The months (YYYY-MM-01) of the run that executes a check; None without a partition."""
    window = run_month_range(context)
    if window is None:
        return None
    return monthly_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(*window))
