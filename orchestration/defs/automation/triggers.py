"""What starts runs by itself: a sensor on the inbox and the monthly schedule.

The sensor never opens the warehouse (one writer, and not from a sensor): it walks the
inbox, hashes only files whose modification time or size changed since its cursor,
and asks for one run per month with new content. The run key is built from the
paths and content hashes, so an identical re-delivery starts nothing.
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import monthly_pipeline
from orchestration.defs.partitions import monthly_partitions
from orchestration.ingest.inbox import is_ignored, parse_month
from orchestration.resources import InboxResource


def _files(root: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and not any(is_ignored(p) for p in rel.parts):
            st = path.stat()
            found[rel.as_posix()] = (st.st_mtime_ns, st.st_size)
    return found


def _month_key(rel: str, latest: str | None) -> str | None:
    month = parse_month(rel.split("/")[0]) if "/" in rel else None
    if month is not None:
        return month.isoformat()
    return latest  # root files (sociale_kaart) and unreadable folders: the latest month


@dg.sensor(
    job=monthly_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches the inbox: a new or changed file starts a run for its month; the same "
        "file delivered again starts nothing (run key = paths + content hashes)."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource):
    root = inbox.root
    if not root.is_dir():
        return dg.SkipReason(f"Inbox {root} does not exist.")
    state = json.loads(context.cursor) if context.cursor else {}
    seen: dict[str, list] = state.get("files", {})
    now = _files(root)
    changed: dict[str, str] = {}
    for rel, (mtime, size) in now.items():
        old = seen.get(rel)
        if old is not None and old[0] == mtime and old[1] == size:
            continue
        sha = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        if old is None or old[2] != sha:
            changed[rel] = sha
        seen[rel] = [mtime, size, sha]
    months = sorted({m for rel in now if (m := _month_key(rel, None))})
    latest = months[-1] if months else None
    by_month: dict[str, list[str]] = {}
    for rel, sha in sorted(changed.items()):
        key = _month_key(rel, latest)
        if key is not None:
            by_month.setdefault(key, []).append(f"{rel}:{sha}")
    context.update_cursor(json.dumps({"files": seen}))
    if not by_month:
        return dg.SkipReason("No new or changed files in the inbox.")
    return [
        dg.RunRequest(
            run_key=hashlib.sha256("\n".join(items).encode()).hexdigest(),
            partition_key=month,
            tags={"inbeeld/files": str(len(items))},
        )
        for month, items in sorted(by_month.items())
        if month in monthly_partitions.get_partition_keys()
    ]


@dg.schedule(
    job=monthly_pipeline,
    cron_schedule="0 6 5 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "The regular monthly cycle: on day 5 at 06:00 (Amsterdam), run the current month, "
        "whose JIB lists arrive in its first days."
    ),
)
def monthly_schedule(context: dg.ScheduleEvaluationContext):
    when = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    month = dt.date(when.year, when.month, 1).isoformat()
    return dg.RunRequest(run_key=f"schedule-{month}", partition_key=month)
