"""A training provider's own settings that its admins change: how long without supervision
before the caseload says so."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from apprenticeship.models import Organisation
from audit.actions import AuditAction
from audit.services import record_event


@transaction.atomic
def set_supervision_interval(*, provider: Organisation, weeks: int, by: User) -> Organisation:
    """Set the weeks without supervision after which the tutor's caseload gently flags an
    apprentice (1 to 52). Every caseload follows it at once. Saving the same number again
    records nothing."""
    if provider.kind != Organisation.Kind.PROVIDER:
        raise ValidationError("Only a training provider sets a supervision interval.")
    locked = Organisation.objects.select_for_update().get(pk=provider.pk)
    before = locked.supervision_interval_weeks
    locked.supervision_interval_weeks = weeks
    locked.full_clean(validate_unique=False, validate_constraints=False)
    if before == weeks:
        return locked
    locked.save(update_fields=["supervision_interval_weeks"])
    record_event(
        action=AuditAction.ORGANISATION_SUPERVISION_INTERVAL,
        obj=locked,
        actor=by,
        summary=f"Set the supervision interval to {weeks} weeks",
        before={"supervision_interval_weeks": before},
        after={"supervision_interval_weeks": weeks},
    )
    provider.supervision_interval_weeks = weeks
    return locked
