"""Witness testimonies (written by the employer contact) and the apprentice's private
list of names that the identifier check looks for."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from portfolio.evidence.models import ProtectedName, WitnessTestimony
from portfolio.evidence.services.evidence import EvidenceError


@transaction.atomic
def write_testimony(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    author_role: str,
    witnessed_on: dt.date,
    text: str,
    today: dt.date | None = None,
) -> WitnessTestimony:
    today = today or timezone.localdate()
    if witnessed_on > today:
        raise ValidationError({"witnessed_on": "The date you saw it can't be in the future."})
    testimony = WitnessTestimony(
        apprenticeship=apprenticeship,
        author=by,
        author_role=author_role.strip(),
        witnessed_on=witnessed_on,
        text=text.strip(),
    )
    testimony.full_clean()
    testimony.save()
    record_event(
        action=AuditAction.TESTIMONY_WRITTEN,
        obj=testimony,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Wrote a witness testimony for {witnessed_on:%-d %B %Y}",
    )
    return testimony


def add_protected_name(*, apprenticeship: Apprenticeship, name: str) -> ProtectedName:
    """Add a name to the apprentice's private list (not in the shared history: the list
    itself is private)."""
    name = " ".join(name.split())
    if not name:
        raise EvidenceError("Type a name to add.")
    if ProtectedName.objects.filter(apprenticeship=apprenticeship, name__iexact=name).exists():
        raise EvidenceError(f"“{name}” is already on your list.")
    protected = ProtectedName(apprenticeship=apprenticeship, name=name)
    protected.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            protected.save()
    except IntegrityError as exc:
        raise EvidenceError(f"“{name}” is already on your list.") from exc
    return protected


def remove_protected_name(*, protected: ProtectedName) -> None:
    protected.delete()
