"""Housekeeping that must happen even when no run comes: the work list with BSNs
(`inbeeld reidentify`) is removed after REIDENTIFIED_MAX_AGE (orchestration.atomic)."""

import dagster as dg

from orchestration.atomic import REIDENTIFIED, REIDENTIFIED_MAX_AGE, remove_reidentified
from orchestration.resources import WarehouseResource

SWEEP_INTERVAL_SECONDS = 3600


@dg.sensor(
    name="inbeeld_werklijst_bsn_opruimen",
    minimum_interval_seconds=SWEEP_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        f"Verwijdert elk uur de werklijsten met BSN ({REIDENTIFIED}, van `inbeeld reidentify`) "
        f"die ouder zijn dan {REIDENTIFIED_MAX_AGE.days} dagen, ook als er geen run komt. Een "
        "run verwijdert ze al bij het begin. Start zelf nooit een run."
    ),
)
def reidentified_cleanup_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """Only the file system, never the warehouse (one writer, and not from a sensor)."""
    removed = remove_reidentified(warehouse.exports_target, older_than=REIDENTIFIED_MAX_AGE)
    if removed:
        # The folder names the municipality; the file itself is never read.
        names = ", ".join(sorted(p.parent.name for p in removed))
        context.log.info(f"{len(removed)} werklijst(en) met BSN verwijderd: {names}")
        return dg.SkipReason(
            f"{len(removed)} werklijst(en) met BSN ouder dan {REIDENTIFIED_MAX_AGE.days} dagen "
            f"verwijderd ({names})."
        )
    return dg.SkipReason(f"Geen werklijst met BSN ouder dan {REIDENTIFIED_MAX_AGE.days} dagen.")
