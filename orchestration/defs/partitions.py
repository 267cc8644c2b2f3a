"""The month partitions every ingest and dbt asset shares."""

import dagster as dg

# JIB lists for month M arrive early in M, so the current month is a partition too.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2015-01-01", end_offset=1)

# A backfill of many months is one run and one dbt invocation (ENGINEERING.md).
single_run = dg.BackfillPolicy.single_run()

# DuckDB allows one writer per file: every warehouse writer takes this pool (limit 1).
WAREHOUSE_POOL = "warehouse"


def partition_months(context: dg.AssetExecutionContext) -> list[str]:
    """The YYYY-MM-01 keys of the run's partitions (one, or a range for a backfill)."""
    return list(context.partition_keys)
