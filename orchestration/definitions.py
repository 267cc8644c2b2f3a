"""The one Dagster code location of inbeeld: assets, checks, jobs and resources by domain."""

from __future__ import annotations

import dagster as dg

import orchestration.defs as defs_root
from orchestration.dbt_parse import dbt_executable
from orchestration.defs.transform.dbt import InbeeldDbtCliResource, dbt_project
from orchestration.notify import AlertResource
from orchestration.progress import progress_logger
from orchestration.resources import (
    DisclosureResource,
    InboxResource,
    PseudonymKeyResource,
    WarehouseResource,
)

# Every asset, check, job, schedule and sensor under orchestration/defs/ (by domain:
# ingest, quality, transform, publish, retention, automation), found by Dagster itself;
# here only what they share: the executor, the loggers and the resources.
defs = dg.Definitions.merge(
    dg.load_defs(defs_root),
    dg.Definitions(
        # One process per run: the warehouse resource (lock, work copy, commit) lives exactly
        # as long as the run, whichever way it was launched.
        executor=dg.in_process_executor,
        loggers={"console": dg.colored_console_logger, "inbeeld_progress": progress_logger},
        resources={
            "warehouse": WarehouseResource(),
            "inbox": InboxResource(),
            "pseudonym_key": PseudonymKeyResource(),
            # k of SPEC §2 for the dashboards and the SZW table (INBEELD_DISCLOSURE_K, else 5).
            "disclosure": DisclosureResource(),
            # Alerts (run failures, failed checks): SMTP and webhooks from INBEELD_* at send time.
            "alerts": AlertResource(),
            "dbt": InbeeldDbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(dbt_project.profiles_dir),
                dbt_executable=dbt_executable(),
            ),
        },
    ),
)
