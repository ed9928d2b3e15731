"""Subject access: asking for a copy of everything held about someone, and building it."""

import datetime as dt
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Organisation
from audit.actions import AuditAction
from audit.services import record_event
from dataio import subject_access
from dataio.models import SubjectAccessRequest
from outbox import services as outbox

logger = logging.getLogger(__name__)


@transaction.atomic
def request_subject_access(
    *,
    person: User,
    by: User,
    provider: Organisation | None = None,
    reason: str = "",
) -> SubjectAccessRequest:
    """Ask for everything held about `person`. Made by the person, or by an admin of
    `provider` on their behalf, with the reason (required then). The zip is built by a
    worker, queued through the outbox once this commits."""
    on_behalf = by.pk != person.pk
    if on_behalf and (provider is None or not reason.strip()):
        raise ValidationError("Say why you are asking on the apprentice's behalf.")
    request = SubjectAccessRequest(
        person=person,
        requested_by=by,
        provider=provider if on_behalf else None,
        reason=reason.strip(),
    )
    request.full_clean()
    request.save()
    record_event(
        action=AuditAction.SUBJECT_ACCESS_REQUESTED,
        obj=person,
        actor=by,
        summary=(
            f"Asked for everything held about {person.full_name}"
            + (f" on their behalf: {reason.strip()}" if on_behalf else "")
        )[:300],
        after={"request": request.pk, "on_behalf": on_behalf},
    )
    outbox.enqueue(
        "dataio.tasks.build_subject_access",
        key=f"subject-access:{request.pk}",
        request_id=request.pk,
    )
    return request


def build_subject_access(*, request_id: int, now: dt.datetime | None = None) -> None:
    """Build the zip for a request (idempotent: a ready request is left as it is)."""
    request = SubjectAccessRequest.objects.select_related("person").filter(pk=request_id).first()
    if request is None:
        logger.info("Subject access request %s no longer exists.", request_id)
        return
    if request.status == SubjectAccessRequest.Status.READY:
        return
    now = now or timezone.now()
    data = subject_access.build_zip(request.person, when=now)
    name = f"subject-access-{request.pk}-{now:%Y%m%d%H%M%S}.zip"
    request.archive.save(name, ContentFile(data), save=False)
    request.sha256 = hashlib.sha256(data).hexdigest()
    request.size = len(data)
    request.status = SubjectAccessRequest.Status.READY
    request.ready_at = now
    request.save(update_fields=["archive", "sha256", "size", "status", "ready_at"])
