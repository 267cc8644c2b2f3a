"""Ingest: read the inbox's files of the run's months into raw.*, audit.loads and audit.quarantine."""

import datetime as dt

import dagster as dg

from orchestration import settings
from orchestration.defs.partitions import WAREHOUSE_POOL, monthly_partitions, single_run
from orchestration.ingest import limits
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import IngestReport, ingest
from orchestration.quality import process as gx_process
from orchestration.registry import known_gemeenten
from orchestration.resources import InboxResource, PseudonymKeyResource, WarehouseResource
from orchestration.sql import statements

RAW_SPECS = {
    ("raw", "jib"): "Valid rows of every loaded jib.csv version: the monthly JIB lists.",
    ("raw", "registration"): (
        "Valid rows of the registration snapshots (kvk, rmc, jongerenloket, buitenland, "
        "detentie, vso_pro)."
    ),
    ("raw", "begeleiding"): "Valid case events of every loaded begeleiding.csv version.",
    ("raw", "sociale_kaart"): "The region's informal organisations (sociale_kaart.csv).",
    ("raw", "bevolking"): (
        "Residents aged 23-26 per municipality and year (the optional bevolking.csv, CBS "
        "StatLine): the denominator of the per-1,000 figures."
    ),
    ("audit", "loads"): (
        "One row per file version (path, sha256) seen: loaded or rejected, rows in, "
        "loaded and quarantined, the reason and a Dutch message."
    ),
    ("audit", "quarantine"): "One row per refused row: file, line, reason and message.",
    ("audit", "versions_in_effect"): (
        "The version in effect per delivery slot (month, gemeentecode, file type): a view "
        "over audit.loads that dbt's staging and the GX suites both read."
    ),
}

# A tuple, not a list: dg.load_defs collects module-level lists of specs as assets.
INGEST_SPECS = tuple(
    dg.AssetSpec(
        key=dg.AssetKey(list(key)),
        description=text,
        group_name="ingest",
        kinds={"duckdb", "python"},
        owners=["team:regionaal-datateam"],
    )
    for key, text in RAW_SPECS.items()
)


def _rejections_table(report: IngestReport) -> dg.TableMetadataValue:
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord({"bestand": r.path, "reden": r.reason, "melding": r.message})
            for r in report.rejections
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("bestand", "string"),
                dg.TableColumn("reden", "string"),
                dg.TableColumn("melding", "string"),
            ]
        ),
    )


_NOT_REGISTRATION = {"jib", "begeleiding", "sociale_kaart", "bevolking"}
# Each log line is an event in Dagster's event log (~10 ms each): 50,000 files held back
# (an inbox copied in anew) took a run of nothing 10 minutes. Beyond this many, one line
# says how many more and where the whole list is (this asset's metadata).
LOGGED_PER_KIND = 100


def _log_capped(log, lines: list[str], more: str) -> None:
    for line in lines[:LOGGED_PER_KIND]:
        log.warning(line)
    if len(lines) > LOGGED_PER_KIND:
        log.warning(more.format(n=len(lines) - LOGGED_PER_KIND))


def _per_month_table(rows: list[tuple]) -> dg.TableMetadataValue:
    columns = ("maand", "bron", "gemeenten", "rijen", "in quarantaine")
    return dg.MetadataValue.table(
        records=[dg.TableRecord(dict(zip(columns, r, strict=True))) for r in rows],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("maand", "string"),
                dg.TableColumn("bron", "string"),
                dg.TableColumn("gemeenten", "int"),
                dg.TableColumn("rijen", "int"),
                dg.TableColumn("in quarantaine", "int"),
            ]
        ),
    )


@dg.multi_asset(
    specs=INGEST_SPECS,
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
    pool=WAREHOUSE_POOL,
    name="inbox_ingest",
    description=(
        "Reads the inbox files of the run's months (and the region-wide sociale_kaart.csv "
        "and bevolking.csv), "
        "applies the reading and row rules of SPEC §1, pseudonymises every BSN and writes "
        "the result in one transaction. Rejected files never block other municipalities."
    ),
)
def inbox_ingest(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inbox: InboxResource,
    pseudonym_key: PseudonymKeyResource,
):
    # The GX checks follow: their process imports GX on the other core meanwhile.
    gx_process.start()
    pseudonymise = pseudonym_key.pseudonymiser()
    root = inbox.root
    if not root.is_dir():
        raise dg.Failure(
            description=f"Inbox {root} bestaat niet. Zet INBEELD_INBOX of gebruik --inbox."
        )
    months = {dt.date.fromisoformat(k) for k in context.partition_keys}
    files = scan_inbox(root, known_gemeenten(), months=months)
    with warehouse.connect() as con:
        pseudonym_key.verify(con)
        report = ingest(
            con,
            files,
            months,
            pseudonymise,
            settle_seconds=limits.settle_seconds(),
            workers=settings.ingest_workers(),
        )

    _log_capped(
        context.log,
        [f"Afgekeurd: {r.path} ({r.reason}): {r.message}" for r in report.rejections],
        "Afgekeurd: en nog {n} bestanden; de hele lijst staat in de metadata van audit/loads "
        "(rejected_files) en in audit.loads.",
    )
    _log_capped(
        context.log,
        [
            f"Wacht: {p} wordt nog geschreven; de volgende run leest het in."
            for p in report.held_back
        ],
        "Wacht: en nog {n} bestanden die nog geschreven worden; de hele lijst staat in de "
        "metadata van audit/loads (held_back_files).",
    )
    for short in report.short_lists:
        context.log.warning(
            f"Korte lijst: {short.path} heeft {short.rows} regels, de vorige lijst van deze "
            f"gemeente {short.previous_rows}. Controleer of de export volledig is."
        )
    context.log.info(
        f"{report.files_seen} files seen, {report.files_loaded} newly loaded, "
        f"{report.files_unchanged} unchanged, {report.files_rejected} rejected; "
        f"rows in {report.rows_in}, loaded {report.rows_loaded}, "
        f"quarantined {report.rows_quarantined}"
    )
    common = {
        "files_seen": report.files_seen,
        "files_new_loaded": report.files_loaded,
        "files_unchanged": report.files_unchanged,
        "files_rejected": report.files_rejected,
        "files_held_back": len(report.held_back),
    }
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["audit", "loads"]),
        metadata={
            **common,
            "rejected_files": _rejections_table(report),
            "held_back_files": dg.MetadataValue.json(report.held_back),
        },
    )
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["audit", "quarantine"]),
        metadata={
            "rows_quarantined": report.rows_quarantined,
            "by_gemeente_and_reason": dg.MetadataValue.json(
                {f"{gm} {reason}": n for (gm, reason), n in report.quarantine_by_gemeente.items()}
            ),
        },
    )
    with warehouse.connect(read_only=True) as con:
        in_effect = con.execute("select count(*) from audit.versions_in_effect").fetchone()[0]
        totals = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 (constant names)
            for t in (
                "raw.jib",
                "raw.registration",
                "raw.begeleiding",
                "raw.sociale_kaart",
                "raw.bevolking",
            )
        }
        per_month = con.execute(statements("audit")["rows_per_month"]).fetchall()
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["audit", "versions_in_effect"]),
        metadata={"versies_van_kracht": in_effect},
    )
    for key in (
        ("raw", "jib"),
        ("raw", "registration"),
        ("raw", "begeleiding"),
        ("raw", "sociale_kaart"),
        ("raw", "bevolking"),
    ):
        table = ".".join(key)
        source_rows = [
            r
            for r in per_month
            if r[1] == key[1] or (key[1] == "registration" and r[1] not in _NOT_REGISTRATION)
        ]
        # Numeric metadata is plotted over the materialisations in the UI; the table
        # shows the months side by side.
        metadata: dict[str, dg.MetadataValue | int] = {
            "rows_added": report.rows_by_table.get(table, 0),
            "rows_total": totals[table],
        }
        if source_rows:
            metadata["rows_per_month"] = _per_month_table(source_rows)
        yield dg.MaterializeResult(asset_key=dg.AssetKey(list(key)), metadata=metadata)
