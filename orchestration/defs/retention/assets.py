"""Retention (SPEC §2) as its own visible job: freeze the published months and purge the
person-level data whose time is up — nothing else. The monthly job then rebuilds the
marts and republishes as a normal run (started by a sensor when retention succeeded),
so its dbt tests and publications show in the UI like any other month's.

Retention is an op job, not an asset: "Materialize all" in the UI can never purge as a
side effect. What it deletes is recorded as materialisations of the tables it acts on
(raw.*, audit.quarantine), so lineage shows it where it acts.
"""

import datetime as dt

import dagster as dg

from orchestration import settings
from orchestration.defs.jobs import monthly_pipeline
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.ingest.inbox import delivery_months
from orchestration.resources import InboxResource, WarehouseResource
from orchestration.retention import apply_retention, frozen_models

AMSTERDAM = "Europe/Amsterdam"
# The tables a purge deletes rows from, as the ingest's asset keys.
PURGED = {
    "raw.jib": dg.AssetKey(["raw", "jib"]),
    "raw.registration": dg.AssetKey(["raw", "registration"]),
    "raw.begeleiding": dg.AssetKey(["raw", "begeleiding"]),
    "audit.quarantine": dg.AssetKey(["audit", "quarantine"]),
}


# The frozen copies (dbt's `frozen` source): written only by retention, read by the
# aggregates' with_frozen macro. A list: dg.load_defs registers each spec.
FROZEN_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["frozen", name]),
        group_name="retention",
        kinds={"duckdb"},
        owners=["team:regionaal-datateam"],
        description=(
            f"De bevroren maanden van {schema}.{name}: zoals gepubliceerd toen de bewaartermijn "
            "ze vastlegde; het model leest ze hier en rekent ze nooit opnieuw uit."
        ),
    )
    for schema, name, _ in frozen_models()
] + [
    dg.AssetSpec(
        key=dg.AssetKey(["frozen", "horizon"]),
        group_name="retention",
        kinds={"duckdb"},
        owners=["team:regionaal-datateam"],
        description="Tot en met welke maand de gepubliceerde aggregaten bevroren zijn.",
    )
]


class RetentionConfig(dg.Config):
    as_of: str | None = None  # YYYY-MM; default the current month (INBEELD_TODAY pins it)


def as_of_month(config: RetentionConfig) -> dt.date:
    if config.as_of:
        return dt.date.fromisoformat(f"{config.as_of}-01")
    return settings.today().replace(day=1)


@dg.op(
    name="bewaartermijn_toepassen",
    pool=WAREHOUSE_POOL,
    description=(
        "Bewaartermijn (SPEC §2): bevriest eerst de gepubliceerde aggregaten van maanden ouder "
        "dan een jaar (frozen.*), zodat die nooit meer veranderen, en verwijdert dan alle "
        "persoonsgegevens van een jongere (ruwe rijen, quarantaine) 24 maanden na de laatste "
        "vermelding, gebeurtenis of registratie, en registraties van nooit vermelde jongeren "
        "na 3 maanden. Elke run staat in audit.retention_runs; daarna herbouwt de maandjob "
        "de marts en publiceert opnieuw."
    ),
)
def apply_retention_op(
    context: dg.OpExecutionContext, config: RetentionConfig, warehouse: WarehouseResource
):
    as_of = as_of_month(config)
    with warehouse.connect() as con:
        report = apply_retention(
            con,
            as_of,
            retention_months=settings.retention_months(),
            # A registration matches lists up to registration_stale_months later: after
            # one month more it can match nothing (SPEC: 3 months, with the default 2).
            never_listed_months=int(settings.dbt_var("registration_stale_months")) + 1,
        )
    warehouse.commit()
    context.log.info(
        f"Bewaartermijn per {as_of:%Y-%m}: {report.youths_purged} jongeren verwijderd, "
        f"rijen {report.deleted}, registraties van nooit vermelde jongeren "
        f"{report.never_listed_registration_rows}, bevroren t/m {report.frozen_through} "
        f"(nieuw bevroren rijen: {report.newly_frozen or 'geen'})"
    )
    for table, key in PURGED.items():
        deleted = report.deleted.get(table, 0)
        if table == "raw.registration":
            deleted += report.never_listed_registration_rows
        yield dg.AssetMaterialization(
            asset_key=key,
            description=f"Bewaartermijn per {as_of:%Y-%m}: rijen verwijderd.",
            metadata={
                "peilmaand": dg.MetadataValue.text(f"{as_of:%Y-%m}"),
                "rijen verwijderd": dg.MetadataValue.int(deleted),
                "jongeren verwijderd": dg.MetadataValue.int(report.youths_purged),
                "bevroren t/m": dg.MetadataValue.text(str(report.frozen_through)),
                "nieuw bevroren rijen": dg.MetadataValue.json(report.newly_frozen),
            },
        )
    # The frozen copies are dbt sources (frozen/*): the lineage shows what retention froze.
    for name, n in report.newly_frozen.items():
        yield dg.AssetMaterialization(
            asset_key=dg.AssetKey(["frozen", name]),
            description=f"Bewaartermijn per {as_of:%Y-%m}: gepubliceerde maanden bevroren.",
            metadata={
                "rijen bevroren": dg.MetadataValue.int(n),
                "bevroren t/m": dg.MetadataValue.text(str(report.frozen_through)),
            },
        )
    yield dg.Output(None)


@dg.job(
    name="inbeeld_retentie",
    description=(
        "Bewaartermijn toepassen: bevriezen en verwijderen. De maandjob herbouwt en publiceert "
        "daarna (sensor inbeeld_na_retentie)."
    ),
    executor_def=dg.in_process_executor,  # the run's transaction lives in one process
)
def retention_job():
    apply_retention_op()


# The day after the monthly cycle (day 5), so the month's lists are in before it runs.
retention_schedule = dg.ScheduleDefinition(
    name="inbeeld_retentie_dag_6",
    job=retention_job,
    cron_schedule="0 7 6 * *",
    execution_timezone=AMSTERDAM,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Past elke maand op de 6e om 07:00 de bewaartermijn toe.",
)


def rebuild_request(inbox: InboxResource, run_key: str) -> dg.RunRequest | dg.SkipReason:
    """The monthly job over every month in the inbox: rebuild the marts, republish."""
    root = inbox.root
    months = delivery_months(root, settings.today()) if root.is_dir() else []
    if not months:
        return dg.SkipReason(f"Niets te herbouwen: geen maandmappen in {root}.")
    return dg.RunRequest(
        run_key=run_key,
        tags={
            "dagster/asset_partition_range_start": months[0].isoformat(),
            "dagster/asset_partition_range_end": months[-1].isoformat(),
            "inbeeld/na_retentie": "1",
        },
    )


@dg.run_status_sensor(
    name="inbeeld_na_retentie",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[retention_job],
    request_job=monthly_pipeline,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Na een geslaagde bewaartermijn-run: de maandjob over alle maanden, zodat geen mart, "
        "werklijst of pagina nog een spoor van een verwijderde jongere heeft."
    ),
)
def rebuild_after_retention(context: dg.RunStatusSensorContext, inbox: InboxResource):
    return rebuild_request(inbox, f"na-retentie-{context.dagster_run.run_id}")
