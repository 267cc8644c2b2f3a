"""The one Dagster code location of inbeeld: assets, checks, jobs and resources by domain."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.automation.alerts import (
    check_failure_alert_sensor,
    run_failure_alert_sensor,
)
from orchestration.defs.automation.triggers import inbox_sensor, monthly_schedule
from orchestration.defs.ingest.assets import inbox_ingest
from orchestration.defs.ingest.checks import header_only_after_full, no_rejected_files
from orchestration.defs.ingest.freshness import freshness_job, freshness_schedule, jib_list_on_time
from orchestration.defs.jobs import monthly_pipeline
from orchestration.defs.publish.commit import run_commit
from orchestration.defs.publish.publication import regional_dashboards, szw_quarterly
from orchestration.defs.publish.work_lists import work_lists
from orchestration.defs.quality.checks import gx_checks
from orchestration.defs.retention.assets import (
    rebuild_after_retention,
    retention_job,
    retention_schedule,
)
from orchestration.defs.transform.dbt import dbt_project, inbeeld_dbt_models
from orchestration.notify import AlertResource
from orchestration.progress import progress_logger
from orchestration.resources import InboxResource, PseudonymKeyResource, WarehouseResource
from orchestration.settings import REPO_ROOT


def _dbt_executable() -> str:
    # DbtCliResource runs `dbt` from PATH unless told; use the venv's so an
    # unactivated venv works too.
    venv_dbt = REPO_ROOT / ".venv" / "bin" / "dbt"
    return str(venv_dbt) if venv_dbt.exists() else "dbt"


defs = dg.Definitions(
    assets=[
        inbox_ingest,
        inbeeld_dbt_models,
        work_lists,
        szw_quarterly,
        regional_dashboards,
        run_commit,
    ],
    asset_checks=[no_rejected_files, header_only_after_full, jib_list_on_time, *gx_checks],
    jobs=[monthly_pipeline, retention_job, freshness_job],
    sensors=[
        inbox_sensor,
        rebuild_after_retention,
        run_failure_alert_sensor,
        check_failure_alert_sensor,
    ],
    schedules=[monthly_schedule, retention_schedule, freshness_schedule],
    # One process per run: the warehouse resource (lock, work copy, commit) lives exactly
    # as long as the run, whichever way it was launched.
    executor=dg.in_process_executor,
    loggers={"console": dg.colored_console_logger, "inbeeld_progress": progress_logger},
    resources={
        "warehouse": WarehouseResource(),
        "inbox": InboxResource(),
        "pseudonym_key": PseudonymKeyResource(),
        # Alerts (run failures, failed checks): SMTP and webhooks from INBEELD_* at send time.
        "alerts": AlertResource(),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=_dbt_executable(),
        ),
    },
)
