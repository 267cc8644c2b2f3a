"""Alert delivery: e-mail over SMTP and Microsoft Teams / Slack incoming webhooks.

Every setting is a field of `AlertResource`; a field left empty falls back to an
environment variable, read when an alert is sent (never at import time):

    INBEELD_SMTP_HOST       SMTP server; e-mail is on when this and INBEELD_ALERT_TO are set
    INBEELD_SMTP_PORT       default 25 (465: implicit TLS)
    INBEELD_SMTP_FROM       sender, default inbeeld@localhost
    INBEELD_ALERT_TO        recipients, comma-separated
    INBEELD_SMTP_USER       optional login
    INBEELD_SMTP_PASSWORD   optional login
    INBEELD_SMTP_STARTTLS   true/false (default false)
    INBEELD_TEAMS_WEBHOOK   Teams incoming webhook URL
    INBEELD_SLACK_WEBHOOK   Slack incoming webhook URL
    INBEELD_UI_URL          base URL of the Dagster UI, for links to runs

Texts pass `scrub()` before they leave: alerts never carry a BSN or a pseudonym.
"""

from __future__ import annotations

import email.policy
import json
import os
import re
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

import dagster as dg

SUBJECT_PREFIX = "[inbeeld]"
DEFAULT_SMTP_PORT = 25
DEFAULT_SENDER = "inbeeld@localhost"
NO_CHANNEL = (
    "Geen alertkanaal ingesteld (INBEELD_SMTP_HOST + INBEELD_ALERT_TO, INBEELD_TEAMS_WEBHOOK "
    "of INBEELD_SLACK_WEBHOOK): er is niemand gewaarschuwd."
)

# A pseudo_id is 20 hex characters (longer hex runs, such as hashes, go too); a BSN is
# nine digits (longer digit runs go too: a BSN can hide inside them).
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]{20,}")
_LONG_NUMBER = re.compile(r"\d{9,}")
_RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
HEX_REDACTED = "[pseudoniem verwijderd]"
NUMBER_REDACTED = "[nummer verwijderd]"
VALUE_REDACTED = "'[waarde verwijderd]'"


# A uuid's hex as letters: no digit at all. Not make_msgid() (a 12-digit timestamp) nor a
# plain uuid (its last group is all digits about once in 20): a run of nine digits looks
# like a BSN to scrub() and to a mail gateway's data-loss filter.
_HEX_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def message_id() -> str:
    return uuid.uuid4().hex.translate(_HEX_AS_LETTERS)


def scrub(text: str, *, quoted_values: bool = False) -> str:
    """`text` without anything that could identify a person: 20+ hex-character tokens
    (pseudo_ids) and 9+ digit numbers (BSNs); with `quoted_values`, every quoted literal
    too (error texts of libraries quote the offending value)."""
    text = _HEX_TOKEN.sub(HEX_REDACTED, text)
    text = _LONG_NUMBER.sub(NUMBER_REDACTED, text)
    if quoted_values:
        text = _QUOTED.sub(VALUE_REDACTED, text)
    return text


@dataclass(frozen=True)
class Alert:
    """One message: a Dutch subject line and a plain-text body."""

    subject: str
    body: str
    # Dagster's own run ids in the text, kept whole: a uuid holds nine digits in a row in
    # a few percent of runs, and scrub() would break the run's name and its UI link. Only
    # these exact values are kept (Dagster makes them, never the data); all else is scrubbed.
    run_ids: tuple[str, ...] = ()

    def scrubbed(self) -> Alert:
        return Alert(
            subject=self._scrub(self.subject), body=self._scrub(self.body), run_ids=self.run_ids
        )

    def _scrub(self, text: str) -> str:
        kept = [r for r in self.run_ids if _RUN_ID.fullmatch(r)]
        for i, run_id in enumerate(kept):
            text = text.replace(run_id, f"\x00run{chr(ord('a') + i)}\x00")
        text = scrub(text)
        for i, run_id in enumerate(kept):
            text = text.replace(f"\x00run{chr(ord('a') + i)}\x00", run_id)
        return text


@dataclass
class Delivery:
    """Which channels took the alert and which failed (channel -> reason)."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Delivered when at least one channel took it: retrying would repeat the message on
        the channels that work, every tick, as long as another one is down."""
        return bool(self.sent)

    def summary(self) -> str:
        parts = [f"verstuurd via {', '.join(self.sent)}"] if self.sent else []
        parts += [f"{channel} mislukt: {reason}" for channel, reason in self.failed.items()]
        return "; ".join(parts) or "geen kanaal"


class AlertDeliveryError(RuntimeError):
    pass


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "ja", "on"}


class AlertResource(dg.ConfigurableResource):
    """Where alerts go: e-mail (SMTP) and/or Teams and Slack incoming webhooks.

    Each field may be set in the Definitions (also as dg.EnvVar); an empty field falls back
    to its INBEELD_* environment variable, read when an alert is sent.
    """

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_from: str | None = None
    recipients: str | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool | None = None
    teams_webhook: str | None = None
    slack_webhook: str | None = None
    ui_url: str | None = None
    timeout_seconds: float = 20.0

    # ------------------------------------------------------------------ settings

    def host(self) -> str | None:
        return self.smtp_host or _env("INBEELD_SMTP_HOST")

    def port(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        raw = _env("INBEELD_SMTP_PORT")
        try:
            return int(raw) if raw else DEFAULT_SMTP_PORT
        except ValueError:
            return DEFAULT_SMTP_PORT

    def sender(self) -> str:
        return self.smtp_from or _env("INBEELD_SMTP_FROM") or DEFAULT_SENDER

    def to(self) -> list[str]:
        raw = self.recipients or _env("INBEELD_ALERT_TO") or ""
        return [a.strip() for a in raw.replace(";", ",").split(",") if a.strip()]

    def user(self) -> str | None:
        return self.smtp_user or _env("INBEELD_SMTP_USER")

    def password(self) -> str | None:
        return self.smtp_password or _env("INBEELD_SMTP_PASSWORD")

    def starttls(self) -> bool:
        if self.smtp_starttls is not None:
            return self.smtp_starttls
        return _truthy(_env("INBEELD_SMTP_STARTTLS"))

    def teams(self) -> str | None:
        return self.teams_webhook or _env("INBEELD_TEAMS_WEBHOOK")

    def slack(self) -> str | None:
        return self.slack_webhook or _env("INBEELD_SLACK_WEBHOOK")

    def run_url(self, run_id: str) -> str | None:
        """The run's page in the Dagster UI, when INBEELD_UI_URL (or ui_url) is set."""
        base = self.ui_url or _env("INBEELD_UI_URL")
        return f"{base.rstrip('/')}/runs/{run_id}" if base else None

    def channels(self) -> list[str]:
        """The configured channels: e-mail needs a host and at least one recipient."""
        found = []
        if self.host() and self.to():
            found.append("e-mail")
        if self.teams():
            found.append("Teams")
        if self.slack():
            found.append("Slack")
        return found

    def problems(self) -> list[str]:
        """Half-done settings worth a line in the sensor's log."""
        if self.host() and not self.to():
            return ["INBEELD_SMTP_HOST is ingesteld maar INBEELD_ALERT_TO is leeg: geen e-mail."]
        if self.to() and not self.host():
            return ["INBEELD_ALERT_TO is ingesteld maar INBEELD_SMTP_HOST is leeg: geen e-mail."]
        return []

    # ------------------------------------------------------------------ delivery

    def deliver(self, alert: Alert) -> Delivery:
        """Send `alert` (scrubbed) on every configured channel; never raises."""
        alert = alert.scrubbed()
        delivery = Delivery()
        senders = {
            "e-mail": self._send_mail,
            "Teams": lambda a: self._post(self.teams(), f"**{a.subject}**\n\n{a.body}"),
            "Slack": lambda a: self._post(self.slack(), f"*{a.subject}*\n{a.body}"),
        }
        for channel in self.channels():
            try:
                senders[channel](alert)
            except Exception as exc:  # a channel that is down must never stop the sensor
                delivery.failed[channel] = scrub(f"{type(exc).__name__}: {exc}")[:300]
            else:
                delivery.sent.append(channel)
        return delivery

    def _send_mail(self, alert: Alert) -> None:
        # Headers unfolded up to 998 characters: Python folds a long "[inbeeld] ..." subject
        # right after "Subject:", which some mail clients show with a leading space.
        message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
        message["Subject"] = alert.subject
        message["From"] = self.sender()
        message["To"] = ", ".join(self.to())
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = f"<{message_id()}@inbeeld>"
        message.set_content(alert.body, cte="quoted-printable")
        host, port = self.host() or "", self.port()
        smtp_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
        with smtp_class(host, port, timeout=self.timeout_seconds) as smtp:
            smtp.ehlo()
            if self.starttls() and smtp_class is smtplib.SMTP:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.user():
                smtp.login(self.user() or "", self.password() or "")
            refused = smtp.send_message(message)
        if refused:
            raise AlertDeliveryError(f"geweigerde ontvangers: {', '.join(sorted(refused))}")

    def _post(self, url: str | None, text: str) -> None:
        if not url or urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise AlertDeliveryError("webhook-URL moet met http:// of https:// beginnen")
        request = urllib.request.Request(
            url,
            data=json.dumps({"text": text}).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310 (scheme checked)
            if not 200 <= response.status < 300:
                raise AlertDeliveryError(f"HTTP {response.status}")
