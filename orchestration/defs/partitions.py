"""The month partitions of the ingest, and what runs and checks share about them.

Only the ingest is partitioned: it really reads a month's files. Everything downstream
(dbt, publication, the commit) is rebuilt whole by every run and is not partitioned, so
the UI never claims a run rebuilt only its months.
"""

import dagster as dg

from orchestration import settings
from orchestration.ingest.inbox import first_partition_month

# Partitions start at INBEELD_FIRST_MONTH, else at the inbox's first month folder, else at
# 2020-01 (read when the code location loads; the CLI names its --inbox before that). JIB
# lists for month M arrive early in M, so the current month is a partition too.
FIRST_MONTH = first_partition_month(settings.inbox_path(), settings.today())
monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH.isoformat(), end_offset=1
)

# A backlog of many months is one run (ENGINEERING.md).
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
