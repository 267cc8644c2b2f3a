"""A Dagster logger that forwards run events to whoever listens (the CLI's progress bar)."""

from __future__ import annotations

import logging

import dagster as dg

PROGRESS_LOGGER = "inbeeld.progress"


@dg.logger(description="Forwards run events to the `inbeeld` command's progress display.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(PROGRESS_LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


def event_of(record: logging.LogRecord) -> tuple[str | None, str | None, str]:
    """(event type, step key, message) of a Dagster log record."""
    meta = getattr(record, "dagster_meta", None) or {}
    event = meta.get("dagster_event")
    event_type = getattr(event, "event_type_value", None) if event is not None else None
    return event_type, meta.get("step_key"), str(meta.get("orig_message") or record.getMessage())


def failure_text(record: logging.LogRecord) -> str:
    """What went wrong in a failed step or run, in the words of the error itself.

    A dg.Failure carries a Dutch description for people; other errors their message
    (the cause of a full disk, say). The step's own "failed" line says neither.
    """
    meta = getattr(record, "dagster_meta", None) or {}
    event = meta.get("dagster_event")
    data = getattr(event, "event_specific_data", None)
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        return str(user.description)
    error = getattr(data, "error", None)
    # Dagster wraps the user's error ("Error occurred while executing op …"): show the cause.
    while error is not None and error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    if error is not None:
        return error.message.strip()
    return str(meta.get("orig_message") or record.getMessage())
