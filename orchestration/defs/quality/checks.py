"""Great Expectations suites as Dagster asset checks on the ingest's raw tables.

Per file type, one multi-check runs the suite once per month of the run (all
municipalities together) and reports two results: `gx_fouten` (blocking: the ingest's
own promises) and `gx_plausibiliteit` (a warning: deliveries that look odd).
"""

import dagster as dg

from orchestration.defs.partitions import run_months
from orchestration.quality.frames import frame
from orchestration.quality.suites import SuiteOutcome, findings_markdown, validate
from orchestration.resources import WarehouseResource

SUITES_BY_ASSET: dict[str, tuple[str, ...]] = {
    "jib": ("jib", "jib_deliveries"),
    "registration": ("registration",),
    "begeleiding": ("begeleiding",),
    "sociale_kaart": ("sociale_kaart",),
}


def _gx_check(table: str, suites: tuple[str, ...]) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(["raw", table])

    @dg.multi_asset_check(
        name=f"gx_{table}",
        specs=[
            dg.AssetCheckSpec(
                "gx_fouten",
                asset=asset,
                blocking=True,
                description=(
                    f"Great Expectations ({', '.join(suites)}): what the ingest promises for "
                    "every row (pseudonyms, dates, ages, value sets). Blocks the dbt build."
                ),
            ),
            dg.AssetCheckSpec(
                "gx_plausibiliteit",
                asset=asset,
                blocking=False,
                description=(
                    f"Great Expectations ({', '.join(suites)}): deliveries that look odd. "
                    "A warning: the data is loaded, but ask the municipality."
                ),
            ),
        ],
        can_subset=False,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        outcome = SuiteOutcome()
        months = run_months(context)
        with warehouse.connect(read_only=True) as con:
            for month in months if table != "sociale_kaart" else months[-1:]:
                for suite in suites:
                    validate(suite, month, frame(con, suite, month), outcome)
        common = {
            "validaties": outcome.validations,
            "rijen_gecontroleerd": outcome.rows,
            "maanden": f"{months[0][:7]} t/m {months[-1][:7]}" if months else "geen",
        }
        for name, severity, level in (
            ("gx_fouten", "error", dg.AssetCheckSeverity.ERROR),
            ("gx_plausibiliteit", "warning", dg.AssetCheckSeverity.WARN),
        ):
            failed = outcome.failed(severity)
            yield dg.AssetCheckResult(
                asset_key=asset,
                check_name=name,
                passed=not failed,
                severity=level,
                description=(
                    f"{len(failed)} verwachtingen niet gehaald"
                    if failed
                    else "Alle verwachtingen gehaald"
                ),
                metadata={
                    **common,
                    "niet_gehaald": len(failed),
                    "afwijkende_rijen": sum(f.unexpected for f in failed),
                    "resultaat": dg.MetadataValue.md(findings_markdown(failed)),
                },
            )

    return _check


gx_checks = [_gx_check(table, suites) for table, suites in SUITES_BY_ASSET.items()]
