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
