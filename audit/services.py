from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.models import AuditEvent


def record_event(
    *,
    action: AuditAction,
    obj: models.Model,
    summary: str,
    actor: User | None = None,
    actor_label: str = "",
    apprenticeship_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the history. Call it inside the transaction that made the change,
    so the change and its record commit or roll back together."""
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        apprenticeship_id=apprenticeship_id,
        summary=summary[:300],
        before=before or {},
        after=after or {},
    )
    event.full_clean()
    event.save()
    return event


@dataclass(frozen=True)
class EventRecord:
    """One object's entry in a batch for `record_events`."""

    obj: models.Model
    summary: str
    apprenticeship_id: int | None = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def record_events(
    *,
    action: AuditAction,
    records: Sequence[EventRecord],
    actor: User | None = None,
    actor_label: str = "",
) -> list[AuditEvent]:
    """Append one event per record, all by the same actor, in one INSERT. Call it inside
    the transaction that made the changes, as with `record_event`; the actor is the one the
    caller already holds, so it is not looked up again."""
    at = timezone.now()
    who = actor if actor is not None and actor.is_authenticated else None
    events = []
    for record in records:
        event = AuditEvent(
            at=at,
            actor=who,
            actor_label=actor_label,
            action=action,
            object_type=record.obj._meta.label_lower,
            object_id=str(record.obj.pk),
            apprenticeship_id=record.apprenticeship_id,
            summary=record.summary[:300],
            before=record.before,
            after=record.after,
        )
        event.full_clean(exclude=["actor"])
        events.append(event)
    return AuditEvent.objects.bulk_create(events)
