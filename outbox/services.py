"""The outbox: every side effect that leaves the database goes through `enqueue`.

A service calls `enqueue(task_name, key=..., **kwargs)` inside its own transaction. The
message is committed with the change or not at all. After commit it is handed to Celery
(dispatcher.py) without the request waiting for the broker; if the broker is away, the
beat sweep (every OUTBOX_SWEEP_SECONDS) sends it once the broker answers. The sweep also
re-sends a message no worker started within OUTBOX_RESEND_AFTER_SECONDS (the broker lost
it) and returns a running message whose heartbeat is older than OUTBOX_STALE_AFTER_SECONDS
(its worker died) to the queue. A worker claims a message before running it (runner.py),
so sending a message twice runs it once.

Without REDIS_URL (the embedded default) Celery is eager: messages run in this process
right after commit, and the sweep runs them too.
"""

import datetime as dt
import json
import logging
import uuid
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import record_event
from config.celery import app as celery_app
from outbox import dispatcher
from outbox.models import OutboxMessage
from outbox.runner import max_attempts

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
KEEP_DONE = dt.timedelta(days=14)


class OutboxError(Exception):
    """A change to an outbox message that is not allowed (retrying one that did not fail)."""


def enqueue(
    task: str,
    *,
    key: str | None = None,
    not_before: dt.datetime | None = None,
    apprenticeship_id: int | None = None,
    **kwargs: Any,
) -> OutboxMessage:
    """Queue `task` to run with `kwargs` (ids and plain JSON values) once the caller's
    transaction commits. `key` makes it idempotent: a second message with the same key is
    not written (the first is returned). Without a key the message is always new.
    `apprenticeship_id` says whose job it is, for the operations page."""
    json.dumps(kwargs)  # TypeError now, not in the worker, for a model instance
    message, created = OutboxMessage.objects.get_or_create(
        key=key or f"{task}:{uuid.uuid4().hex}",
        defaults={
            "task": task,
            "payload": kwargs,
            "apprenticeship_id": apprenticeship_id,
            "not_before": not_before or timezone.now(),
        },
    )
    if created:
        item = (message.pk, message.task, message.payload)
        transaction.on_commit(lambda: dispatch_after_commit([item]))
    return message


def runs_in_process() -> bool:
    """Whether jobs run inside the request that queued them (the embedded default, with no
    broker): then their result is there when the request answers."""
    return bool(celery_app.conf.task_always_eager)


NOTIFY_TASK = "notifications.tasks.notify"


def queue_notification(
    event: str, *, occurrence: str, object_id: int, apprenticeship_id: int
) -> OutboxMessage:
    """Tell the people who wait on `event` about the object `object_id`, after the caller's
    transaction commits. The notifications app (above every area) works out who may see
    it. `occurrence` names this one happening of the event (a submission's time, a
    version): queued twice, the same occurrence notifies once."""
    key = f"{event}:{occurrence}"
    return enqueue(
        NOTIFY_TASK,
        key=f"notify:{key}",
        apprenticeship_id=apprenticeship_id,
        event=event,
        notification_key=key,
        object_id=object_id,
    )


def is_waiting(task: str, **kwargs: Any) -> bool:
    """Whether an unfinished message for `task` with these arguments exists."""
    arguments = {f"payload__{name}": value for name, value in kwargs.items()}
    return OutboxMessage.objects.waiting().filter(task=task, **arguments).exists()


def dispatch_after_commit(items: list[dispatcher.Item]) -> None:
    """Hand committed messages on. Never raises: the change is saved whatever happens here,
    and the sweep sends what this could not."""
    try:
        if celery_app.conf.task_always_eager:
            run_here([pk for pk, _task, _payload in items])
        elif settings.OUTBOX_DISPATCH_IN_BACKGROUND:
            dispatcher.background.submit(items)
        else:
            dispatcher.publish(items)
    except Exception:  # noqa: BLE001 - a side effect must never undo or hide a saved change
        logger.exception("Outbox: could not hand %s message(s) on after commit.", len(items))


def registered_task(name: str) -> Task | None:
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    return celery_app.tasks.get(name)


def run_here(ids: list[int]) -> int:
    """Run these messages in this process, as a worker would (claim, run, record): how
    eager mode works, and how tests deliver what a worker would. Returns how many ran."""
    ran = 0
    for message in OutboxMessage.objects.filter(pk__in=ids).order_by("pk"):
        task = registered_task(message.task)
        if task is None:
            logger.error("Outbox message %s names an unknown task %s.", message.pk, message.task)
            continue
        task.apply(kwargs={**message.payload, "outbox_id": message.pk})
        ran += 1
    return ran


def due(now: dt.datetime | None = None) -> QuerySet[OutboxMessage]:
    """Messages waiting to be sent whose time has come."""
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, not_before__lte=now or timezone.now()
    )


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make sure no message waits or runs forever. Safe to run twice at once."""
    now = now or timezone.now()
    counts = {"returned": _return_stalled(now), "failed": 0}
    # Sent but never started: the broker lost it (restarted without its data). Send again.
    lost = now - dt.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    counts["resent"] = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENT, dispatched_at__lt=lost
    ).update(status=OutboxMessage.Status.PENDING)
    counts["sent"] = _dispatch_due(now)
    counts["pruned"] = _prune(now)
    return counts


def _return_stalled(now: dt.datetime) -> int:
    """Running messages whose heartbeat stopped: their worker died. Back to the queue (an
    email only after OUTBOX_UNKNOWN_OUTCOME_SECONDS: it may have gone), or failed after
    the last attempt."""
    stale = now - dt.timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS)
    returned = 0
    stalled = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.RUNNING, heartbeat_at__lt=stale
    ).only("pk", "task", "attempts", "heartbeat_at")[:SWEEP_BATCH]
    for message in stalled:
        task = registered_task(message.task)
        fence = OutboxMessage.objects.filter(
            pk=message.pk,
            status=OutboxMessage.Status.RUNNING,
            heartbeat_at=message.heartbeat_at,
        )
        reason = "The worker stopped while running this job."
        if message.attempts >= max_attempts(task):
            fence.update(
                status=OutboxMessage.Status.FAILED,
                finished_at=now,
                heartbeat_at=None,
                last_error=f"Gave up after {message.attempts} attempts. {reason}",
            )
            continue
        delay = dt.timedelta(0)
        if task is not None and task.at_most_once:
            delay = dt.timedelta(seconds=settings.OUTBOX_UNKNOWN_OUTCOME_SECONDS)
            reason += " It may have finished, so it waits before trying again."
        returned += fence.update(
            status=OutboxMessage.Status.PENDING,
            not_before=now + delay,
            dispatched_at=None,
            heartbeat_at=None,
            last_error=reason,
        )
    return returned


def _dispatch_due(now: dt.datetime) -> int:
    if celery_app.conf.task_always_eager:
        return run_here(list(due(now).values_list("pk", flat=True)[:SWEEP_BATCH]))
    with transaction.atomic():
        # Locked while publishing, so two sweeps never send the same message at once.
        items = list(
            due(now)
            .select_for_update(skip_locked=True)
            .order_by("not_before", "pk")
            .values_list("pk", "task", "payload")[:SWEEP_BATCH]
        )
        unknown = [pk for pk, task, _payload in items if registered_task(task) is None]
        if unknown:
            # No worker could run these (the code was renamed or removed): say so, once.
            OutboxMessage.objects.filter(pk__in=unknown).update(
                status=OutboxMessage.Status.FAILED,
                finished_at=now,
                last_error="No job of this name exists any more, so it cannot be run.",
            )
        known = [item for item in items if item[0] not in unknown]
        return len(dispatcher.publish(known))


def _prune(now: dt.datetime) -> int:
    old = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.DONE, finished_at__lt=now - KEEP_DONE
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    deleted, _ = OutboxMessage.objects.filter(pk__in=list(old)).delete()
    return deleted


@transaction.atomic
def retry(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """Try a failed message again from the start, as if it had just been queued."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status != OutboxMessage.Status.FAILED:
        raise OutboxError("Only a job that failed can be tried again.")
    reason = locked.last_error
    locked.status = OutboxMessage.Status.PENDING
    locked.attempts = 0
    locked.not_before = timezone.now()
    locked.dispatched_at = locked.started_at = locked.finished_at = locked.heartbeat_at = None
    locked.last_error = ""
    locked.save(
        update_fields=[
            "status",
            "attempts",
            "not_before",
            "dispatched_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "last_error",
        ]
    )
    record_event(
        action=AuditAction.OUTBOX_RETRIED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Tried again: {describe(locked)}"[:300],
        before={"last_error": reason},
    )
    item = (locked.pk, locked.task, locked.payload)
    transaction.on_commit(lambda: dispatch_after_commit([item]))
    return locked


def backlog(messages: QuerySet[OutboxMessage], *, now: dt.datetime | None = None) -> dict:
    """How many messages are waiting and since when, and how many failed: one query."""
    now = now or timezone.now()
    figures = messages.aggregate(
        waiting=Count("pk", filter=Q(status__in=OutboxMessage.UNFINISHED)),
        oldest=Min("created_at", filter=Q(status__in=OutboxMessage.UNFINISHED)),
        failed=Count("pk", filter=Q(status=OutboxMessage.Status.FAILED)),
    )
    oldest = figures.pop("oldest")
    figures["oldest_waiting_seconds"] = int((now - oldest).total_seconds()) if oldest else 0
    figures["oldest_waiting_since"] = oldest
    return figures


def describe(message: OutboxMessage) -> str:
    """What the message does, in plain words, for the operations page."""
    task = registered_task(message.task)
    label = getattr(task, "outbox_label", "") or message.task
    to = message.payload.get("to")
    subject = message.payload.get("subject")
    if to and subject:
        return f"{label} to {', '.join(to)}: {subject}"
    return label
