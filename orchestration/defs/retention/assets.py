"""Retention (SPEC §2) as a Dagster job: freeze the published months, purge person-level
data whose time is up, rebuild the marts and republish — one run, logged in audit."""

import datetime as dt
import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import settings
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.defs.transform.dbt import dbt_project
from orchestration.publish import dashboards, szw
from orchestration.publish.cube import build_cubes
from orchestration.publish.work_lists import write_work_lists
from orchestration.resources import WarehouseResource
from orchestration.retention import FROZEN_MODELS, apply_retention

AMSTERDAM = "Europe/Amsterdam"


class RetentionConfig(dg.Config):
    as_of: str | None = None  # YYYY-MM; default the current month in Europe/Amsterdam


def _as_of(config: RetentionConfig) -> dt.date:
    if config.as_of:
        return dt.date.fromisoformat(f"{config.as_of}-01")
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(AMSTERDAM)).date().replace(day=1)


@dg.asset(
    key=dg.AssetKey(["audit", "retention"]),
    deps=[dg.AssetKey([schema, name]) for schema, name, _ in FROZEN_MODELS],
    group_name="operate",
    kinds={"duckdb", "python"},
    owners=["team:regionaal-datateam"],
    pool=WAREHOUSE_POOL,
    description=(
        "Bewaartermijn (SPEC §2): verwijdert alle persoonsgegevens van een jongere (ruwe rijen, "
        "quarantaine; daarna marts en werklijsten door de herbouw) 24 maanden na de laatste "
        "vermelding, gebeurtenis of registratie, en registraties van nooit vermelde jongeren na "
        "3 maanden. Bevriest eerst de gepubliceerde aggregaten van maanden ouder dan een jaar "
        "(frozen.*), zodat die nooit meer veranderen. Elke run staat in audit.retention_runs."
    ),
)
def retention(
    context: dg.AssetExecutionContext,
    config: RetentionConfig,
    warehouse: WarehouseResource,
    dbt: DbtCliResource,
):
    as_of = _as_of(config)
    months = settings.retention_months()
    with warehouse.connect() as con:
        report = apply_retention(con, as_of, retention_months=months)
    context.log.info(
        f"Bewaartermijn per {as_of:%Y-%m}: {report.youths_purged} jongeren verwijderd, "
        f"rijen {report.deleted}, registraties van nooit vermelde jongeren "
        f"{report.never_listed_registration_rows}, bevroren t/m {report.frozen_through}"
    )
    # Rebuild everything derived from the raw rows, so no mart keeps a purged youth.
    os.environ["INBEELD_WAREHOUSE"] = str(warehouse.writable_file())
    dbt.cli(["build"], manifest=dbt_project.manifest_path, raise_on_error=True).wait()
    k = settings.disclosure_k()
    with warehouse.connect() as con:
        cubes = build_cubes(con, k)
        szw.store(con, cubes)
        write_work_lists(con, warehouse.exports_dir())
    dashboards.write_site(cubes, warehouse.publish_dir())
    szw.write(cubes, warehouse.publish_dir() / "szw", k)
    warehouse.commit()  # the purge, the rebuild and the republished files, all at once
    return dg.MaterializeResult(
        metadata={
            "peilmaand": dg.MetadataValue.text(f"{as_of:%Y-%m}"),
            "jongeren verwijderd": dg.MetadataValue.int(report.youths_purged),
            **{f"rijen {t}": dg.MetadataValue.int(n) for t, n in report.deleted.items()},
            "registraties nooit vermeld": dg.MetadataValue.int(
                report.never_listed_registration_rows
            ),
            "bevroren t/m": dg.MetadataValue.text(str(report.frozen_through)),
        }
    )


retention_job = dg.define_asset_job(
    name="inbeeld_retentie",
    selection=dg.AssetSelection.assets(retention),
    description="Bewaartermijn toepassen: bevriezen, verwijderen, herbouwen en opnieuw publiceren.",
    executor_def=dg.in_process_executor,  # the run's transaction lives in one process
)

# The day after the monthly cycle (day 5), so the month's lists are in before it runs.
retention_schedule = dg.ScheduleDefinition(
    name="inbeeld_retentie_maandelijks",
    job=retention_job,
    cron_schedule="0 7 6 * *",
    execution_timezone=AMSTERDAM,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Past elke maand op de 6e om 07:00 de bewaartermijn toe.",
)
