"""The inbox sensor asks for exactly the runs it should; the schedule's cron."""

from __future__ import annotations

import datetime as dt
import os
import time

import dagster as dg
from conftest import bsn, write

from orchestration.defs.automation.triggers import inbox_sensor, monthly_schedule
from orchestration.resources import InboxResource


def evaluate(inbox, cursor):
    ctx = dg.build_sensor_context(
        cursor=cursor, resources={"inbox": InboxResource(path=str(inbox))}
    )
    result = inbox_sensor(ctx)
    requests = result if isinstance(result, list) else []
    return requests, ctx.cursor


def months_of(request: dg.RunRequest) -> tuple[str, str]:
    if request.partition_key:
        return request.partition_key, request.partition_key
    return (
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    )


def test_sensor_runs_new_and_changed_files_once(inbox):
    jib = f"bsn;geboortedatum\n{bsn(0)};2000-01-01\n"
    write(inbox, "2024-03/GM0375/jib.csv", jib)
    write(inbox, "2024-04/GM0375/jib.csv", jib)
    requests, cursor = evaluate(inbox, None)
    # A backlog of months is one run over the range.
    assert [months_of(r) for r in requests] == [("2024-03-01", "2024-04-01")]
    keys = {r.run_key for r in requests}
    assert len(cursor) < 400, "the cursor stays small"

    requests, cursor = evaluate(inbox, cursor)  # nothing changed
    assert requests == []

    path = write(inbox, "2024-04/GM0375/jib.csv", jib)  # identical re-delivery (new mtime)
    os.utime(path, ns=(time.time_ns() - 10**9, time.time_ns() - 10**9))
    requests, cursor = evaluate(inbox, cursor)
    assert requests == []

    write(inbox, "2024-04/GM0375/jib.csv", jib + f"{bsn(1)};2000-01-01\n")  # changed
    write(inbox, "2024-04/GM0375/.hidden.csv", "x")  # ignored
    requests, cursor = evaluate(inbox, cursor)
    assert [months_of(r) for r in requests] == [("2024-04-01", "2024-04-01")]
    assert requests[0].run_key not in keys

    write(inbox, "sociale_kaart.csv", "organisatie_id;naam;type\n")  # root file: latest month
    requests, _ = evaluate(inbox, cursor)
    assert [months_of(r) for r in requests] == [("2024-04-01", "2024-04-01")]


def test_sensor_waits_for_files_still_being_written(inbox, monkeypatch):
    monkeypatch.setenv("INBEELD_SETTLE_SECONDS", "60")
    write(inbox, "2024-03/GM0375/jib.csv", f"bsn;geboortedatum\n{bsn(0)};2000-01-01\n")
    requests, cursor = evaluate(inbox, None)
    assert requests == [] and cursor is None
    monkeypatch.setenv("INBEELD_SETTLE_SECONDS", "0")
    requests, _ = evaluate(inbox, cursor)
    assert [months_of(r) for r in requests] == [("2024-03-01", "2024-03-01")]


def test_schedule_runs_the_current_month_on_day_5():
    assert monthly_schedule.cron_schedule == "0 6 5 * *"
    assert monthly_schedule.execution_timezone == "Europe/Amsterdam"
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 12, 5, 6, 0))
    request = monthly_schedule(ctx)
    assert request.partition_key == "2026-12-01"
