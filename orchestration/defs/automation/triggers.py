"""What starts runs by itself: a sensor on the inbox and the monthly schedule.

The sensor never opens the warehouse (one writer, and not from a sensor): it walks the
inbox, hashes only files whose modification time or size changed since its cursor,
and asks for one run per month with new content. The run key is built from the
paths and content hashes, so an identical re-delivery starts nothing.
"""

import datetime as dt
import hashlib
import json
import os
import stat
import time
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import monthly_pipeline
from orchestration.defs.partitions import monthly_partitions
from orchestration.ingest import limits
from orchestration.ingest.inbox import is_ignored, parse_month
from orchestration.resources import InboxResource


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Regular files only, never followed through a link: a FIFO, a device or a link to
    /dev/zero in the inbox must not hang or exhaust the sensor (the ingest rejects them
    as not_a_file in the run)."""
    found: dict[str, tuple[int, int]] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(is_ignored(p) for p in rel.parts):
            continue
        try:
            st = path.lstat()
        except OSError:  # gone between the listing and now
            continue
        if stat.S_ISREG(st.st_mode):
            found[rel.as_posix()] = (st.st_mtime_ns, st.st_size)
    return found


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
    settling = time.time_ns() - int(limits.settle_seconds() * 1e9)
    for rel, (mtime, size) in now.items():
        if mtime > settling:
            continue  # still being written: a later tick sees it (the run would hold it back)
        old = seen.get(rel)
        if old is not None and old[0] == mtime and old[1] == size:
            continue
        sha = _sha256(root / rel)
        if sha is None:
            continue
        if old is None or old[2] != sha:
            changed[rel] = sha
        seen[rel] = [mtime, size, sha]
    # Only months that are partitions: a folder in the future (2099-01) or before the first
    # partition is rejected by the ingest and must not become the "latest" month.
    partitions = set(monthly_partitions.get_partition_keys())
    months = sorted({m for rel in now if (m := _month_key(rel, None)) and m in partitions})
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
