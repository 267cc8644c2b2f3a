"""Alerts: a message to people when a run fails or a check that matters fails.

Two sensors, on by default, deliver through `AlertResource` (orchestration.notify):

* `inbeeld_alert_run_mislukt` (a run-failure sensor): which job and run failed, when, the
  failed steps with their (scrubbed) error text, and what to do.
* `inbeeld_alert_controle_mislukt`: reads the ASSET_CHECK_EVALUATION events of every run
  that ended since its cursor and alerts, one message per failed evaluation, for
  `jib_lijst_op_tijd` (names the late municipalities), `geen_afgekeurde_bestanden` (names
  the files and reason codes) and every blocking check (the gx_* suites, dbt tests).

Alerts never carry person-level data: no row values, and every text passes
`notify.scrub` (no 9-digit numbers, no 20-hex-character tokens). A message that no channel
took is tried again on the next tick: the check sensor keeps its cursor before it, and a
run failure that could not be sent is kept in the instance's key-value store, where the
check sensor (every 30 seconds) picks it up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.notify import NO_CHANNEL, SUBJECT_PREFIX, Alert, AlertResource, scrub

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FRESHNESS_CHECK = "jib_lijst_op_tijd"
REJECTIONS_CHECK = "geen_afgekeurde_bestanden"
# A first tick (a new deployment, a reset cursor) alerts about runs of the last day only.
FIRST_TICK_LOOKBACK_SECONDS = 24 * 3600
RUN_END_EVENTS = (
    dg.DagsterEventType.RUN_SUCCESS,
    dg.DagsterEventType.RUN_FAILURE,
    dg.DagsterEventType.RUN_CANCELED,
)
RUNS_PER_TICK = 25
MAX_STEPS = 5
MAX_ERROR_CHARS = 1200
MAX_NAMES_IN_SUBJECT = 3
# Run failures no channel took, retried by the check sensor (instance key-value store).
PENDING_RUNS_KEY = "inbeeld/alerts/unsent_run_failures"
MAX_PENDING_RUNS = 50

_LATE_LINE = re.compile(r"^- (?P<name>.+?) \((?P<code>GM\d{4})\)(?:, (?P<region>.+))?$")
_REJECTED_LINE = re.compile(r"^- `(?P<path>[^`]+)` — \*\*(?P<reason>[a-z_]+)\*\*")
_GM_CODE = re.compile(r"\bGM\d{4}\b")


# ---------------------------------------------------------------------- helpers


def _when(timestamp: float | None) -> str:
    moment = dt.datetime.fromtimestamp(timestamp or time.time(), AMSTERDAM)
    return f"{moment:%d-%m-%Y %H:%M}"


def run_period(tags: dict[str, str] | None) -> str | None:
    """The run's month(s) as people write them: 2026-05, or 2025-01 t/m 2026-05."""
    tags = tags or {}
    start = tags.get("dagster/asset_partition_range_start")
    end = tags.get("dagster/asset_partition_range_end")
    if start and end:
        return start[:7] if start == end else f"{start[:7]} t/m {end[:7]}"
    key = tags.get("dagster/partition")
    return key[:7] if key else None


def _ui_line(alerts: AlertResource, run_id: str) -> str:
    url = alerts.run_url(run_id)
    if url:
        return f"Open de run in de Dagster UI: {url}"
    return f"Open de Dagster UI, ga naar Runs en open run {run_id}."


def _names(items: Sequence[str]) -> str:
    if len(items) <= MAX_NAMES_IN_SUBJECT:
        return ", ".join(items)
    shown = ", ".join(items[:MAX_NAMES_IN_SUBJECT])
    return f"{shown} en {len(items) - MAX_NAMES_IN_SUBJECT} andere"


def _metadata_text(metadata: Mapping[str, object], key: str) -> str:
    value = metadata.get(key)
    raw = getattr(value, "value", value)
    return raw if isinstance(raw, str) else ""


def _municipality_names() -> dict[str, str]:
    from orchestration.registry import load_registry

    try:
        return {r["gemeentecode"]: r["gemeentenaam"] for r in load_registry()}
    except (OSError, KeyError, ValueError):  # an alert without names beats no alert
        return {}


# ---------------------------------------------------------------------- run failures


def _error_text(data: object) -> str:
    """A step's error for people: a dg.Failure's own (Dutch) description, else the
    innermost error's class and message, quoted values removed; never a stack trace."""
    user_failure = getattr(data, "user_failure_data", None)
    if user_failure is not None and user_failure.description:
        return scrub(user_failure.description)[:MAX_ERROR_CHARS]
    error = getattr(data, "error", None)
    if error is None:
        return "(geen foutmelding)"
    while error.cause is not None:
        error = error.cause
    message = error.message.strip().split(": ", 1)[-1] if error.message else ""
    return scrub(f"{error.cls_name}: {message}", quoted_values=True)[:MAX_ERROR_CHARS]


def run_failure_alert(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    alerts: AlertResource,
    failure_event: dg.DagsterEvent | None = None,
) -> Alert:
    """The Dutch message about a failed run: job, run, when, failed steps, what to do."""
    record = instance.get_run_record_by_id(run.run_id)
    period = run_period(dict(run.tags))
    steps = [
        r.event_log_entry.dagster_event
        for r in instance.get_records_for_run(
            run_id=run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
        ).records
        if r.event_log_entry.dagster_event is not None
    ]
    lines = [
        f"De run van job {run.job_name}{f' ({period})' if period else ''} is mislukt op "
        f"{_when(record.end_time if record else None)}.",
        "",
        f"Job:  {run.job_name}",
        f"Run:  {run.run_id}",
    ]
    if period:
        lines.append(f"Maand: {period}")
    if run.tags.get("dagster/retry_number"):
        lines.append(f"Poging: herhaling {run.tags['dagster/retry_number']} van een eerdere run")
    lines.append("")
    if steps:
        lines.append("Mislukte stap" + ("pen:" if len(steps) > 1 else ":"))
        for event in steps[:MAX_STEPS]:
            lines.append(f"- {event.step_key}: {_error_text(event.event_specific_data)}")
        if len(steps) > MAX_STEPS:
            lines.append(f"- en nog {len(steps) - MAX_STEPS} stappen (zie de run)")
    else:
        data = failure_event.event_specific_data if failure_event is not None else None
        lines.append(f"Foutmelding: {_error_text(data)}")
    lines += [
        "",
        "Wat te doen:",
        f"- {_ui_line(alerts, run.run_id)}",
        "- Lees daar de foutmelding en de log van de mislukte stap.",
        "- Een mislukte run legt niets vast: het warehouse, publish/ en exports/ zijn zoals "
        "na de laatste geslaagde run.",
        "- Los de oorzaak op en start de run opnieuw (in de UI: Re-execute, of `inbeeld run`).",
        "",
        "Dit bericht bevat geen persoonsgegevens; BSN's en pseudoniemen zijn uit "
        "foutmeldingen verwijderd.",
    ]
    subject = f"{SUBJECT_PREFIX} Run mislukt: {run.job_name}{f' {period}' if period else ''}"
    return Alert(subject=subject, body="\n".join(lines), run_ids=(run.run_id,))


def _pending_runs(instance: dg.DagsterInstance) -> list[str]:
    raw = instance.daemon_cursor_storage.get_cursor_values({PENDING_RUNS_KEY}).get(PENDING_RUNS_KEY)
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _set_pending_runs(instance: dg.DagsterInstance, run_ids: list[str]) -> None:
    instance.daemon_cursor_storage.set_cursor_values(
        {PENDING_RUNS_KEY: json.dumps(run_ids[-MAX_PENDING_RUNS:])}
    )


def _remember_unsent_run(instance: dg.DagsterInstance, run_id: str) -> None:
    pending = _pending_runs(instance)
    if run_id not in pending:
        _set_pending_runs(instance, [*pending, run_id])


def retry_unsent_run_failures(
    instance: dg.DagsterInstance, alerts: AlertResource, log: logging.Logger
) -> tuple[int, bool]:
    """Send the run failures an earlier tick could not; (sent, all sent)."""
    pending = _pending_runs(instance)
    if not pending:
        return 0, True
    left, sent = list(pending), 0
    for run_id in pending:
        run = instance.get_run_by_id(run_id)
        if run is not None:
            delivery = alerts.deliver(run_failure_alert(instance, run, alerts))
            if not delivery.ok:
                log.warning(
                    f"Melding over mislukte run {run_id} opnieuw niet verstuurd: "
                    f"{delivery.summary()}"
                )
                break
            sent += 1
        left.remove(run_id)
    if left != pending:
        _set_pending_runs(instance, left)
    return sent, not left


@dg.run_failure_sensor(
    name="inbeeld_alert_run_mislukt",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Stuurt een melding (e-mail, Teams, Slack) als een run van deze code location mislukt: "
        "job, run, tijdstip, de mislukte stap met de foutmelding (zonder persoonsgegevens) "
        "en wat te doen. Kanalen: INBEELD_SMTP_HOST/INBEELD_ALERT_TO, INBEELD_TEAMS_WEBHOOK, "
        "INBEELD_SLACK_WEBHOOK."
    ),
)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext, alerts: AlertResource):
    run = context.dagster_run
    if not alerts.channels():
        for problem in alerts.problems():
            context.log.warning(problem)
        context.log.warning(f"Run {run.run_id} ({run.job_name}) mislukt. {NO_CHANNEL}")
        return dg.SkipReason(NO_CHANNEL)
    try:
        alert = run_failure_alert(context.instance, run, alerts, context.failure_event)
    except Exception as exc:  # the event log could not be read: still tell someone
        context.log.warning(f"Melding in eenvoudige vorm: {exc!r}"[:300])
        alert = Alert(
            subject=f"{SUBJECT_PREFIX} Run mislukt: {run.job_name}",
            body=f"Run {run.run_id} van job {run.job_name} is mislukt.\n\n"
            f"Wat te doen: {_ui_line(alerts, run.run_id)}",
            run_ids=(run.run_id,),
        )
    delivery = alerts.deliver(alert)
    if not delivery.ok:
        # The run-status cursor moves on regardless: keep the run for the next tick.
        _remember_unsent_run(context.instance, run.run_id)
        context.log.warning(
            f"Melding over mislukte run {run.run_id} niet verstuurd ({delivery.summary()}); "
            "de volgende tick probeert het opnieuw."
        )
        return dg.SkipReason(f"Niet verstuurd: {delivery.summary()}")
    for channel, reason in delivery.failed.items():
        context.log.warning(f"{channel}: {reason}")
    retry_unsent_run_failures(context.instance, alerts, context.log)
    context.log.info(f"{alert.subject}: {delivery.summary()}")
    return dg.SkipReason(f"{alert.subject}: {delivery.summary()}")


# ---------------------------------------------------------------------- check failures


def _freshness_alert(
    evaluation: dg.AssetCheckEvaluation, run_id: str, alerts: AlertResource
) -> Alert:
    metadata = dict(evaluation.metadata)
    month = _metadata_text(metadata, "maand") or "?"
    due_iso = _metadata_text(metadata, "uiterlijk")
    due = dt.date.fromisoformat(due_iso).strftime("%d-%m-%Y") if due_iso else "de 10e"
    late = [
        m.groupdict()
        for line in _metadata_text(metadata, "gemeenten_te_laat").splitlines()
        if (m := _LATE_LINE.match(line.strip()))
    ]
    names = [f"{m['name']} ({m['code']})" for m in late]
    lines = [
        f"De JIB-lijst van {month} ontbreekt bij {len(late)} "
        f"{'gemeente' if len(late) == 1 else 'gemeenten'}; de lijst moest uiterlijk {due} "
        "binnen zijn.",
        "",
        *(
            f"- {name}{', ' + m['region'] if m['region'] else ''}"
            for name, m in zip(names, late, strict=True)
        ),
        *([evaluation.description or "Zie de controle in de Dagster UI."] if not late else []),
        "",
        "Wat te doen:",
        *(
            f"- Bel {m['name']} ({m['code']}) en vraag om de JIB-lijst van {month} alsnog aan "
            f"te leveren (in de inbox: {month}/{m['code']}/jib.csv)."
            for m in late
        ),
        "- Zodra een lijst binnen is, start de inbox-sensor vanzelf een run. Wilt u de "
        "controle meteen opnieuw zien, start dan de job inbeeld_versheid in de Dagster UI.",
        f"- {_ui_line(alerts, run_id)}",
    ]
    subject = f"{SUBJECT_PREFIX} Lijst te laat: {_names(names) or 'onbekende gemeente'}, {month}"
    return Alert(subject=subject, body="\n".join(lines), run_ids=(run_id,))


def _rejections_alert(
    evaluation: dg.AssetCheckEvaluation, run_id: str, period: str | None, alerts: AlertResource
) -> Alert:
    metadata = dict(evaluation.metadata)
    rows = [
        (m["path"], m["reason"])
        for line in _metadata_text(metadata, "bestanden").splitlines()
        if (m := _REJECTED_LINE.match(line.strip()))
    ]
    gemeenten = _municipality_names()

    def who(path: str) -> str:
        codes = _GM_CODE.findall(path)
        return f" ({gemeenten.get(codes[0], codes[0])})" if codes else ""

    count = len(rows) or int(getattr(metadata.get("afgekeurd"), "value", 0) or 0)
    lines = [
        f"{count} {'afgekeurd bestand staat' if count == 1 else 'afgekeurde bestanden staan'} open: "
        f"niet ingelezen (gezien in de run{f' van {period}' if period else ''}).",
        "",
        *(f"- {path}{who(path)}: reden {reason}" for path, reason in rows),
        "",
        "Wat te doen:",
        "- Lees bij de controle geen_afgekeurde_bestanden (asset audit/loads) in de Dagster UI "
        "de melding per bestand: die zegt wat er mis is.",
        "- Vraag de gemeente om een verbeterd bestand; een nieuw aangeleverd bestand wordt "
        "vanzelf ingelezen.",
        f"- {_ui_line(alerts, run_id)}",
    ]
    what = f"{count} {'bestand' if count == 1 else 'bestanden'}"
    subject = f"{SUBJECT_PREFIX} Bestanden afgekeurd: {what}"
    return Alert(subject=subject, body="\n".join(lines), run_ids=(run_id,))


def _blocking_alert(
    evaluation: dg.AssetCheckEvaluation, run_id: str, period: str | None, alerts: AlertResource
) -> Alert:
    asset = evaluation.asset_key.to_user_string()
    numbers = [
        f"- {key}: {value.value}"
        for key, value in evaluation.metadata.items()
        if isinstance(value, dg.IntMetadataValue | dg.FloatMetadataValue)
    ]
    findings = _metadata_text(dict(evaluation.metadata), "resultaat")
    what = (evaluation.description or "zie de Dagster UI").rstrip(". ")
    lines = [
        f"De blokkerende controle {evaluation.check_name} op {asset} is mislukt"
        f"{f' in de run van {period}' if period else ''}: {what}.",
        "",
        *numbers,
        *(["", findings] if findings else []),
        "",
        "Wat te doen:",
        "- De stappen na deze controle (de dbt-build en de publicatie) zijn tegengehouden; "
        "de run legt niets vast.",
        f"- {_ui_line(alerts, run_id)}",
        "- Bekijk bij de controle welke verwachtingen niet gehaald zijn en in welke bestanden.",
        "- Vraag de gemeente om een verbeterde aanlevering of los de fout op, en start de run "
        "opnieuw.",
    ]
    subject = (
        f"{SUBJECT_PREFIX} Controle mislukt: {evaluation.check_name} op {asset}"
        f"{f', {period}' if period else ''}"
    )
    return Alert(subject=subject, body="\n".join(lines), run_ids=(run_id,))


def check_failure_alert(
    evaluation: dg.AssetCheckEvaluation,
    run_id: str,
    tags: dict[str, str] | None,
    alerts: AlertResource,
) -> Alert | None:
    """The message about a failed evaluation, or None when this check does not alert."""
    if evaluation.passed:
        return None
    period = run_period(tags)
    if evaluation.check_name == FRESHNESS_CHECK:
        return _freshness_alert(evaluation, run_id, alerts)
    if evaluation.check_name == REJECTIONS_CHECK:
        if _flag(evaluation.metadata, "niets_gecontroleerd"):
            return None  # no file was ever ingested: nothing was rejected either
        return _rejections_alert(evaluation, run_id, period, alerts)
    # A blocking check blocks only with ERROR severity; its warnings ("niets
    # gecontroleerd", errors carried over from another month's run) held nothing back.
    if evaluation.blocking and evaluation.severity == dg.AssetCheckSeverity.ERROR:
        return _blocking_alert(evaluation, run_id, period, alerts)
    return None


def _flag(metadata: Mapping[str, object], key: str) -> bool:
    value = metadata.get(key)
    return bool(getattr(value, "value", value))


def _safe_check_alert(
    evaluation: dg.AssetCheckEvaluation,
    run_id: str,
    tags: dict[str, str] | None,
    alerts: AlertResource,
    log: logging.Logger,
) -> Alert | None:
    """`check_failure_alert`, or a short message when its metadata could not be read: a
    malformed evaluation must not stop the alerts after it."""
    try:
        return check_failure_alert(evaluation, run_id, tags, alerts)
    except Exception as exc:
        log.warning(f"Melding over {evaluation.check_name} in eenvoudige vorm: {exc!r}"[:300])
        asset = evaluation.asset_key.to_user_string()
        return Alert(
            subject=f"{SUBJECT_PREFIX} Controle mislukt: {evaluation.check_name} op {asset}",
            body=(
                f"De controle {evaluation.check_name} op {asset} is mislukt.\n\n"
                f"Wat te doen: {_ui_line(alerts, run_id)}"
            ),
            run_ids=(run_id,),
        )


@dataclass
class _Cursor:
    """`after`: the storage id of the last run-end event fully handled. `run` and `sent`:
    the next run, when some of its alerts went out and a later one could not (so a retry
    repeats none of them)."""

    after: int | None = None
    run: str | None = None
    sent: int = -1

    @classmethod
    def parse(cls, raw: str | None) -> _Cursor:
        try:
            data = json.loads(raw) if raw else {}
            return cls(after=data.get("after"), run=data.get("run"), sent=data.get("sent", -1))
        except (ValueError, AttributeError):
            return cls()

    def dump(self) -> str:
        data: dict[str, object] = {"after": self.after}
        if self.run:
            data.update(run=self.run, sent=self.sent)
        return json.dumps(data, separators=(",", ":"))


def _run_ends(instance: dg.DagsterInstance, cursor: _Cursor) -> list[dg.EventLogRecord]:
    """Run-end events (success, failure, canceled) after the cursor, oldest first."""
    since = time.time() - FIRST_TICK_LOOKBACK_SECONDS if cursor.after is None else None
    per_type = [
        instance.fetch_run_status_changes(
            dg.RunStatusChangeRecordsFilter(
                event_type=event_type, after_storage_id=cursor.after, after_timestamp=since
            ),
            limit=RUNS_PER_TICK,
            ascending=True,
        ).records
        for event_type in RUN_END_EVENTS
    ]
    # A type that filled its page may have more before another type's last record.
    full = [records[-1].storage_id for records in per_type if len(records) == RUNS_PER_TICK]
    upto = min(full) if full else None
    merged = sorted((r for records in per_type for r in records), key=lambda r: r.storage_id)
    return [r for r in merged if upto is None or r.storage_id <= upto]


def _latest_run_end(instance: dg.DagsterInstance) -> int:
    latest = -1
    for event_type in RUN_END_EVENTS:
        records = instance.fetch_run_status_changes(event_type, limit=1).records
        if records:
            latest = max(latest, records[0].storage_id)
    return latest


def _failed_evaluations(
    instance: dg.DagsterInstance, run_id: str
) -> Iterator[tuple[int, dg.AssetCheckEvaluation]]:
    for record in instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data if event is not None else None
        if isinstance(data, dg.AssetCheckEvaluation) and not data.passed:
            yield record.storage_id, data


@dg.sensor(
    name="inbeeld_alert_controle_mislukt",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Stuurt een melding per mislukte controle: jib_lijst_op_tijd (welke gemeente te laat "
        "is, met wat te doen), geen_afgekeurde_bestanden (welke bestanden, met de reden) en "
        "elke blokkerende controle (gx_*, dbt-tests). Leest de controles van afgelopen runs "
        "uit het event log; een melding die niet verstuurd kon worden volgt de volgende tick."
    ),
)
def check_failure_alert_sensor(context: dg.SensorEvaluationContext, alerts: AlertResource):
    instance = context.instance
    cursor = _Cursor.parse(context.cursor)
    if not alerts.channels():
        # Nobody to tell: move past what happened, so that setting a channel later does not
        # bring a flood of old alerts.
        for problem in alerts.problems():
            context.log.warning(problem)
        context.log.warning(NO_CHANNEL)
        context.update_cursor(_Cursor(after=_latest_run_end(instance)).dump())
        return dg.SkipReason(NO_CHANNEL)

    retried, all_sent = retry_unsent_run_failures(instance, alerts, context.log)
    if not all_sent:
        return dg.SkipReason("Meldingen wachten: geen kanaal nam de vorige melding aan.")

    sent, subjects = retried, []
    ends = _run_ends(instance, cursor)
    if cursor.after is None and not ends:
        cursor.after = _latest_run_end(instance)
    for end in ends:
        run_id = end.event_log_entry.run_id
        already = cursor.sent if cursor.run == run_id else -1
        tags: dict[str, str] | None = None
        for storage_id, evaluation in _failed_evaluations(instance, run_id):
            if storage_id <= already:
                continue
            if tags is None:
                run = instance.get_run_by_id(run_id)
                tags = dict(run.tags) if run is not None else {}
            alert = _safe_check_alert(evaluation, run_id, tags, alerts, context.log)
            if alert is None:
                continue
            delivery = alerts.deliver(alert)
            if not delivery.ok:
                if already >= 0:  # this run's earlier alerts went out: never repeat them
                    cursor.run, cursor.sent = run_id, already
                context.update_cursor(cursor.dump())
                context.log.warning(
                    f"Niet verstuurd: {alert.subject} ({delivery.summary()}); de volgende tick "
                    "probeert het opnieuw."
                )
                return dg.SkipReason(f"Niet verstuurd: {delivery.summary()}")
            for channel, reason in delivery.failed.items():
                context.log.warning(f"{channel}: {reason}")
            context.log.info(f"{alert.subject}: {delivery.summary()}")
            sent, already = sent + 1, storage_id
            subjects.append(alert.subject)
            cursor.run, cursor.sent = run_id, storage_id
        cursor = _Cursor(after=end.storage_id)
    context.update_cursor(cursor.dump())
    if not sent:
        return dg.SkipReason("Geen nieuwe mislukte controles.")
    return dg.SkipReason(f"{sent} melding(en) verstuurd: {'; '.join(subjects)}")
