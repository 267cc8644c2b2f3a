"""Great Expectations suites as Dagster asset checks on the ingest's raw tables.

Per file type, one multi-check runs each suite once over the run's months (all
municipalities together, the month a column; chunked by whole months when very large)
and reports two results: `gx_fouten` (blocking: the ingest's own promises) and
`gx_plausibiliteit` (a warning: deliveries that look odd).

Which months, and why a result is never a false green:

- A check is not partitioned (a backfill is one run over a month range, which partitioned
  checks cannot take), so the UI shows its latest result for every month at once.
- A run with months (a partition or a range) validates those months and carries the
  findings of every other loaded month over from the check's previous result (metadata
  `bevindingen_per_maand`): a February failure stays visible after a March run passes,
  until a run of February validates it again. A carried error warns but does not block
  (it blocked the run of its own month); an error in the run's own months blocks.
- A run without a partition (the Checks tab's "Execute all", a check run on its own)
  validates every month with a loaded version of the file type in the warehouse.
- A check that validated no row at all (nothing loaded, no file of the type in the run's
  months, no warehouse) never passes: it warns "Niets gecontroleerd".
"""

import dataclasses
from typing import Any

import dagster as dg
import duckdb

from orchestration.defs.partitions import WAREHOUSE_POOL, run_months
from orchestration.ingest.inbox import REGISTRATION_SOURCES
from orchestration.quality import process as gx_process
from orchestration.quality.frames import loaded_months
from orchestration.quality.suites import Finding, SuiteOutcome, findings_markdown
from orchestration.resources import WarehouseResource

SUITES_BY_ASSET: dict[str, tuple[str, ...]] = {
    "jib": ("jib", "jib_deliveries"),
    "registration": ("registration",),
    "begeleiding": ("begeleiding",),
    "sociale_kaart": ("sociale_kaart",),
    "bevolking": ("bevolking",),
}

# The file types (audit.loads.source) whose rows land in each raw table.
SOURCES_BY_ASSET: dict[str, tuple[str, ...]] = {
    "jib": ("jib",),
    "registration": REGISTRATION_SOURCES,
    "begeleiding": ("begeleiding",),
    "sociale_kaart": ("sociale_kaart",),
    "bevolking": ("bevolking",),
}

# sociale_kaart.csv and bevolking.csv are region-wide, without a month: validated whole
# on every run.
WHOLE_FILE = "alle"
WHOLE_FILE_TABLES = ("sociale_kaart", "bevolking")

PER_MONTH_KEY = "bevindingen_per_maand"

_SEVERITIES = (
    ("gx_fouten", "error", dg.AssetCheckSeverity.ERROR),
    ("gx_plausibiliteit", "warning", dg.AssetCheckSeverity.WARN),
)


@dataclasses.dataclass
class MonthResult:
    """What one month's validation found, for one severity (kept in the check's metadata)."""

    rows: int
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {"rijen": self.rows, "bevindingen": [dataclasses.asdict(f) for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "MonthResult":
        return cls(int(data["rijen"]), [Finding(**f) for f in data["bevindingen"]])


def _previous(
    context: dg.AssetCheckExecutionContext, key: dg.AssetCheckKey
) -> dict[str, MonthResult]:
    """Per month, what the check's latest result of an earlier run found ({} if none)."""
    try:
        history = context.instance.event_log_storage.get_asset_check_execution_history(
            key, limit=20
        )
        for record in history:
            if record.run_id == context.run.run_id or record.event is None:
                continue
            event = record.event.dagster_event
            data = event.event_specific_data if event is not None else None
            if not isinstance(data, dg.AssetCheckEvaluation):
                continue
            value = data.metadata.get(PER_MONTH_KEY)
            if isinstance(value, dg.JsonMetadataValue) and isinstance(value.value, dict):
                return {m: MonthResult.from_json(r) for m, r in value.value.items()}
            return {}
    except Exception as exc:  # an unreadable history must not stop the check
        context.log.warning(f"Eerdere resultaten van {key.name} niet te lezen: {exc}")
    return {}


def _months_text(months: list[str]) -> str:
    if not months:
        return "geen"
    if len(months) == 1:
        return months[0]
    return f"{months[0]} t/m {months[-1]} ({len(months)} maanden)"


def _gx_check(table: str, suites: tuple[str, ...]) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(["raw", table])
    names = ", ".join(suites)

    @dg.multi_asset_check(
        pool=WAREHOUSE_POOL,  # opens the warehouse: one run at a time
        name=f"gx_{table}",
        specs=[
            dg.AssetCheckSpec(
                "gx_fouten",
                asset=asset,
                blocking=True,
                description=(
                    f"Great Expectations ({names}): wat de ingest voor elke rij belooft "
                    "(pseudoniemen, datums, leeftijden, toegestane waarden). Een fout in de "
                    "maanden van de run houdt de dbt-build tegen: meld het aan het datateam, "
                    "het is een fout in de ingest, niet in de levering. Fouten van eerdere "
                    "maanden blijven als waarschuwing zichtbaar tot die maand opnieuw draait."
                ),
            ),
            dg.AssetCheckSpec(
                "gx_plausibiliteit",
                asset=asset,
                blocking=False,
                description=(
                    f"Great Expectations ({names}): leveringen die vreemd ogen (een lijst die "
                    "meer dan half zo groot of klein werd, een gemeente die niet meer levert, "
                    "datums ver weg). Een waarschuwing: de gegevens zijn ingelezen, maar vraag "
                    "de gemeente of de levering klopt."
                ),
            ),
        ],
        can_subset=False,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        window = run_months(context)
        whole = table in WHOLE_FILE_TABLES
        fresh: dict[str, SuiteOutcome] = {}
        loaded: list[str] = []
        months: list[str] = []
        if warehouse.file.exists():
            with warehouse.connect(read_only=True) as con:
                try:
                    loaded = loaded_months(con, SOURCES_BY_ASSET[table])
                except duckdb.CatalogException:  # no ingest ever ran on this warehouse
                    loaded = []
            if whole:
                months = [WHOLE_FILE] if loaded else []
            else:
                months = loaded if window is None else window
        if months:
            # One GX validation per suite over all of `months` (in chunks of whole months
            # when large), in GX's own process, which opens the warehouse closed above.
            fresh = gx_process.validate(warehouse.file, suites, months)
        run_label = (
            "geen (run zonder partitie: alle ingelezen maanden)"
            if window is None
            else _months_text([m[:7] for m in window])
        )
        loaded_keys = {WHOLE_FILE} if whole and loaded else {m[:7] for m in loaded}

        for name, severity, level in _SEVERITIES:
            key = dg.AssetCheckKey(asset, name)
            per_month = {m: MonthResult(o.rows, o.failed(severity)) for m, o in fresh.items()}
            carried: dict[str, MonthResult] = {}
            if window is not None and not whole:
                carried = {
                    m: r
                    for m, r in _previous(context, key).items()
                    if m not in per_month and m in loaded_keys
                }
            merged = dict(sorted({**carried, **per_month}.items()))
            where = "het warehouse" if window is None or whole else run_label
            yield _result(asset, name, level, per_month, carried, merged, run_label, where)

    return _check


def _result(
    asset: dg.AssetKey,
    name: str,
    level: dg.AssetCheckSeverity,
    per_month: dict[str, MonthResult],
    carried: dict[str, MonthResult],
    merged: dict[str, MonthResult],
    run_label: str,
    where: str,
) -> dg.AssetCheckResult:
    rows = sum(r.rows for r in merged.values())
    checked = [m for m, r in merged.items() if r.rows]
    common: dict[str, Any] = {
        "maanden_van_de_run": run_label,
        "maanden_gecontroleerd": _months_text(checked),
        "rijen_gecontroleerd": rows,
        "validaties": sum(1 for r in per_month.values() if r.rows),
        PER_MONTH_KEY: dg.MetadataValue.json({m: r.to_json() for m, r in merged.items()}),
    }
    if not rows:
        return dg.AssetCheckResult(
            asset_key=asset,
            check_name=name,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                f"Niets gecontroleerd: geen ingelezen rijen van dit bestandstype in {where}."
            ),
            metadata={**common, "niets_gecontroleerd": True},
        )
    now = [f for r in per_month.values() for f in r.findings]
    before = [f for r in carried.values() for f in r.findings]
    failed = now + before
    empty = [m for m, r in per_month.items() if not r.rows]
    if failed:
        parts = []
        if now:
            parts.append(f"{len(now)} verwachtingen niet gehaald (gecontroleerd in deze run)")
        if before:
            months = sorted({f.month[:7] for f in before})
            parts.append(
                f"{len(before)} nog open uit eerdere runs ({', '.join(months)}): draai die "
                "maanden opnieuw na de correctie"
            )
        description = "; ".join(parts)
    else:
        description = f"Alle verwachtingen gehaald ({_months_text(checked)})"
    if empty:
        description += f"; niets te controleren in {', '.join(empty)}"
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=name,
        passed=not failed,
        # An error of an earlier month blocked its own run; here it warns, never blocks.
        severity=dg.AssetCheckSeverity.WARN if before and not now else level,
        description=description,
        metadata={
            **common,
            "niet_gehaald": len(failed),
            "afwijkende_rijen": sum(f.unexpected for f in failed),
            "resultaat": dg.MetadataValue.md(findings_markdown(failed)),
        },
    )


gx_checks = [_gx_check(table, suites) for table, suites in SUITES_BY_ASSET.items()]
