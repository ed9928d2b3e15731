"""Running one outbox message in a worker: claim it and commit, run the task while a
heartbeat says it is alive, then record what happened.

A task takes part by using OutboxTask as its base. The outbox sends it with the message id
as the keyword argument `outbox_id`; called without one (a test, a management command) the
task simply runs.
"""

import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

_current: contextvars.ContextVar[OutboxMessage | None] = contextvars.ContextVar(
    "outbox_message", default=None
)


class RetryLater(Exception):  # noqa: N818 - reads as an instruction where it is raised
    """The work was not done and can be tried again (the mail server said "later")."""


class OutcomeUnknown(Exception):  # noqa: N818
    """The work may or may not have been done (the connection dropped after an email was
    handed over). Tried again only after OUTBOX_UNKNOWN_OUTCOME_SECONDS."""


class GiveUp(Exception):  # noqa: N818
    """The work cannot be done; trying again would not help (an address was refused)."""


def current_message() -> OutboxMessage | None:
    """The outbox message this task is running for, if any."""
    return _current.get()


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait before attempt `attempts + 1`: doubling, at most an hour."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 3600))


def max_attempts(task: Task | None) -> int:
    return getattr(task, "outbox_max_attempts", None) or settings.OUTBOX_MAX_ATTEMPTS


class OutboxTask(Task):
    """Base class for tasks queued through the outbox.

    Every outbox task is idempotent at the level of the message: it runs only after
    claiming its row, so the message being delivered twice (a resend, a redelivery after a
    worker was lost) runs it once. Hence acks_late with reject_on_worker_lost.

    `at_most_once`: the effect cannot be checked afterwards (an email). If the worker stops
    in the middle, the message waits OUTBOX_UNKNOWN_OUTCOME_SECONDS before it is tried
    again, and a running message is never taken over by another delivery.
    `outbox_label`: what the job does, in plain words, for the operations page.
    """

    acks_late = True
    reject_on_worker_lost = True
    at_most_once = False
    outbox_label = ""
    outbox_max_attempts: int | None = None

    def __call__(self, *args: Any, outbox_id: int | None = None, **kwargs: Any) -> Any:
        call = super().__call__
        if outbox_id is None:
            return call(*args, **kwargs)
        return run_message(outbox_id, self, lambda: call(*args, **kwargs))


def claim(message_id: int, *, take_over_stale: bool, now: dt.datetime) -> OutboxMessage | None:
    """Mark the message running (attempts + 1) and commit; None if it is not ours to run:
    done, failed, not due yet, or running elsewhere."""
    claimable = Q(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENT])
    claimable &= Q(not_before__lte=now)
    if take_over_stale:
        stale = now - dt.timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS)
        claimable |= Q(status=OutboxMessage.Status.RUNNING, heartbeat_at__lt=stale)
    claimed = OutboxMessage.objects.filter(claimable, pk=message_id).update(
        status=OutboxMessage.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=message_id)


# Waits between tries to write an outcome while the database is away.
RECORD_RETRY_DELAYS = (0.5, 1, 2, 4, 8)


def _write_outcome(message: OutboxMessage, fields: dict[str, Any]) -> None:
    # Only the run that holds the claim writes its outcome: its attempt, still running, or
    # put back by the sweep while this run could not reach the database (and not claimed
    # again since, or the attempt would differ).
    OutboxMessage.objects.filter(
        pk=message.pk,
        attempts=message.attempts,
        status__in=[OutboxMessage.Status.RUNNING, OutboxMessage.Status.PENDING],
    ).update(heartbeat_at=None, **fields)


def _record(message: OutboxMessage, **fields: Any) -> None:
    """Write the outcome, trying again for about 15 s if the database is away: the work
    is done (an email has gone), and an outcome lost now means doing it again later."""
    for delay in (*RECORD_RETRY_DELAYS, None):
        try:
            _write_outcome(message, fields)
            return
        except (OperationalError, InterfaceError):
            if delay is None:
                raise
            logger.warning("Outbox message %s: outcome not written yet; trying again.", message.pk)
            connection.close()
            time.sleep(delay)


def run_message(message_id: int, task: Task, call: Callable[[], Any]) -> None:
    """Claim the message, run `call`, record the outcome. Never raises for a failure of
    the work itself: the outcome is on the row, and the sweep or a retry takes it on."""
    message = claim(message_id, take_over_stale=not task.at_most_once, now=timezone.now())
    if message is None:
        logger.info("Outbox message %s is not waiting to run; nothing to do.", message_id)
        return
    token = _current.set(message)
    heartbeat = _Heartbeat(message)
    heartbeat.start()
    try:
        call()
    except GiveUp as exc:
        logger.warning("Outbox message %s (%s) failed: %s", message.pk, message.task, exc)
        _record(
            message,
            status=OutboxMessage.Status.FAILED,
            finished_at=timezone.now(),
            last_error=str(exc)[:500],
        )
    except OutcomeUnknown as exc:
        logger.warning("Outbox message %s (%s) outcome unknown: %s", message.pk, message.task, exc)
        delay = dt.timedelta(seconds=settings.OUTBOX_UNKNOWN_OUTCOME_SECONDS)
        _retry_or_fail(message, task, str(exc), delay)
    except Exception as exc:  # noqa: BLE001 - any failure of the work is recorded on the row
        logger.warning(
            "Outbox message %s (%s) attempt %s failed: %r",
            message.pk,
            message.task,
            message.attempts,
            exc,
            exc_info=not isinstance(exc, RetryLater),
        )
        _retry_or_fail(message, task, _reason(exc), retry_delay(message.attempts))
    else:
        done = OutboxMessage.Status.DONE
        _record(message, status=done, finished_at=timezone.now(), last_error="")
    finally:
        heartbeat.stop()
        _current.reset(token)


def _reason(exc: Exception) -> str:
    if isinstance(exc, RetryLater):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:500]


def _retry_or_fail(message: OutboxMessage, task: Task, reason: str, delay: dt.timedelta) -> None:
    now = timezone.now()
    if message.attempts >= max_attempts(task):
        _record(
            message,
            status=OutboxMessage.Status.FAILED,
            finished_at=now,
            last_error=f"Gave up after {message.attempts} attempts. {reason}"[:500],
        )
        return
    _record(
        message,
        status=OutboxMessage.Status.PENDING,
        not_before=now + delay,
        dispatched_at=None,
        last_error=reason[:500],
    )


class _Heartbeat:
    """While a message runs, touch its heartbeat every third of OUTBOX_STALE_AFTER_SECONDS,
    so the sweep can tell a long job from one whose worker died."""

    def __init__(self, message: OutboxMessage) -> None:
        self.message = message
        self.interval = max(settings.OUTBOX_STALE_AFTER_SECONDS / 3, 0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    OutboxMessage.objects.filter(
                        pk=self.message.pk,
                        status=OutboxMessage.Status.RUNNING,
                        attempts=self.message.attempts,
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat is retried next interval
                    logger.warning("Outbox heartbeat %s failed.", self.message.pk, exc_info=True)
        finally:
            # This thread's own database connection.
            connections.close_all()
