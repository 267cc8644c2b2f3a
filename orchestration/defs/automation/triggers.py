"""What starts runs by itself: a sensor on the inbox and the monthly schedule.

The sensor never opens the warehouse (one writer, and not from a sensor): it walks the
inbox, hashes only the months whose listing (path, size, mtime) changed since its cursor,
and asks for one run over every month with new content — a backlog of months is one
run. The run key is built from the content hashes, so an identical re-delivery starts
nothing.
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
    # os.walk, not rglob: a folder removed while the sensor walks (a retention run, an
    # operator) is skipped instead of stopping the tick with FileNotFoundError.
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not is_ignored(d)]
        for name in files:
            if is_ignored(name):
                continue
            path = Path(folder, name)
            try:
                st = path.lstat()
            except OSError:  # gone between the listing and now
                continue
            if stat.S_ISREG(st.st_mode):
                found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
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


def _digest(items: list[str]) -> str:
    return hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]


@dg.sensor(
    name="inbeeld_inbox",
    job=monthly_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Bewaakt de inbox: nieuwe of gewijzigde bestanden starten één run voor alle maanden "
        "waarin iets veranderde (een achterstand van maanden is één run, in volgorde); "
        "hetzelfde bestand opnieuw geleverd start niets. Bestanden die nog geschreven worden "
        "(INBEELD_SETTLE_SECONDS) wachten op een volgende controle."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource):
    """The cursor stays small: per month a digest of its listing (path, size, mtime) and of
    its content, so an unchanged month is never hashed again and the same content
    delivered again (a new mtime) starts nothing."""
    root = inbox.root
    if not root.is_dir():
        return dg.SkipReason(f"Inbox {root} does not exist.")
    state = json.loads(context.cursor) if context.cursor else {}
    previous: dict[str, list[str]] = state.get("months", {})
    settling = time.time_ns() - int(limits.settle_seconds() * 1e9)
    now = _files(root)
    if any(mtime > settling for mtime, _ in now.values()):
        # Something is still being written: wait for it, so the run takes the whole delivery.
        return dg.SkipReason("Er worden nog bestanden geschreven; volgende controle.")
    # Only months that are partitions: a folder in the future (2099-01) or before the first
    # partition is rejected by the ingest and must not become the "latest" month.
    partitions = set(monthly_partitions.get_partition_keys())
    months = sorted({m for rel in now if (m := _month_key(rel, None)) and m in partitions})
    latest = months[-1] if months else None
    by_month: dict[str, list[str]] = {}
    for rel in sorted(now):
        key = _month_key(rel, latest)
        if key is not None and key in partitions:
            by_month.setdefault(key, []).append(rel)

    current: dict[str, list[str]] = {}
    changed: list[str] = []
    for month, rels in by_month.items():
        listing = _digest([f"{r}:{now[r][1]}:{now[r][0]}" for r in rels])
        old = previous.get(month)
        if old is not None and old[0] == listing:
            current[month] = old
            continue
        content = _digest([f"{r}:{_sha256(root / r)}" for r in rels])
        current[month] = [listing, content]
        if old is None or old[1] != content:
            changed.append(month)
    context.update_cursor(json.dumps({"files": len(now), "months": current}, sort_keys=True))
    if not changed:
        return dg.SkipReason("Geen nieuwe of gewijzigde bestanden in de inbox.")
    first, last = changed[0], changed[-1]
    run_key = _digest([f"{m}:{current[m][1]}" for m in changed])
    tags = {"inbeeld/maanden": ",".join(m[:7] for m in changed)}
    if first == last:
        return [dg.RunRequest(run_key=run_key, partition_key=first, tags=tags)]
    # A backlog is one run over the range (the assets' backfill policy is single_run):
    # months land in order, with one writer, and nothing waits on a lock.
    return [
        dg.RunRequest(
            run_key=run_key,
            tags={
                **tags,
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": last,
            },
        )
    ]


@dg.schedule(
    name="inbeeld_maand_dag_5",
    job=monthly_pipeline,
    cron_schedule="0 6 5 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "De vaste maandcyclus: op de 5e om 06:00 (Amsterdam) de lopende maand, waarvan de "
        "JIB-lijsten in de eerste dagen binnenkomen."
    ),
)
def monthly_schedule(context: dg.ScheduleEvaluationContext):
    when = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    month = dt.date(when.year, when.month, 1).isoformat()
    return dg.RunRequest(run_key=f"schedule-{month}", partition_key=month)
