"""Duty sign-offs: a tutor's judgement that accepted evidence covers a duty. At most one
is active per duty (the database refuses a second); withdrawing keeps the record."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from accounts.models import User
from apprenticeship.models import Apprenticeship, DecisionStage
from apprenticeship.services import count_decision
from audit.actions import AuditAction
from audit.changes import end_row
from audit.services import record_event
from portfolio.evidence.models import DutySignOff, EvidenceVersion
from portfolio.evidence.selectors import sign_off_choices
from portfolio.evidence.services.evidence import EvidenceError
from standards.models import Duty


def sign_off_duty(
    *,
    apprenticeship: Apprenticeship,
    duty: Duty,
    by: User,
    evidence_versions: Sequence[EvidenceVersion],
    comment: str,
) -> DutySignOff:
    """Sign off one duty on the accepted evidence named. At most one sign-off per duty is
    active: the database refuses a second, so two tutors at once give exactly one."""
    comment = comment.strip()
    if duty.standard_version_id != apprenticeship.standard_version_id:
        raise EvidenceError("That duty is not part of this apprenticeship's standard.")
    if duty.is_retired:
        raise EvidenceError(
            f"Duty {duty.number} was retired when the standard was imported again, so it "
            "is no longer signed off."
        )
    if not evidence_versions:
        raise EvidenceError("Choose the accepted evidence you are relying on.")
    allowed = set(sign_off_choices(apprenticeship, duty).values_list("pk", flat=True))
    if any(version.pk not in allowed for version in evidence_versions):
        raise EvidenceError(
            "Rely only on accepted evidence that covers this duty. The evidence may have "
            "changed since the page was loaded."
        )
    if not comment:
        raise EvidenceError("Write a comment saying why the evidence covers this duty.")
    try:
        with transaction.atomic():
            sign_off = DutySignOff.objects.create(
                apprenticeship=apprenticeship, duty=duty, comment=comment, signed_by=by
            )
            sign_off.evidence_versions.set(evidence_versions)
            record_event(
                action=AuditAction.DUTY_SIGNED_OFF,
                obj=sign_off,
                actor=by,
                apprenticeship_id=apprenticeship.pk,
                summary=f"Signed off duty {duty.number}",
                before={"signed_off": False},
                after={
                    "signed_off": True,
                    "duty": duty.pk,
                    "evidence_versions": sorted(v.pk for v in evidence_versions),
                    "comment": comment,
                },
            )
            count_decision(
                apprenticeship=apprenticeship,
                made_by=by,
                stage=DecisionStage.SIGN_OFF,
                at=sign_off.signed_at,
            )
    except IntegrityError as exc:
        raise EvidenceError(
            f"Duty {duty.number} has already been signed off, perhaps by someone else just now."
        ) from exc
    return sign_off


@transaction.atomic
def withdraw_sign_off(*, sign_off: DutySignOff, by: User, reason: str) -> DutySignOff:
    reason = reason.strip()
    if not reason:
        raise EvidenceError("Give a reason for withdrawing the sign-off.")
    locked = DutySignOff.objects.select_for_update().get(pk=sign_off.pk)
    end_row(
        locked,
        by=by,
        reason=reason,
        action=AuditAction.DUTY_SIGN_OFF_WITHDRAWN,
        summary=f"Withdrew the sign-off of duty {sign_off.duty.number}",
        apprenticeship_id=locked.apprenticeship_id,
        already=EvidenceError("This sign-off has already been withdrawn."),
        before={"signed_off": True},
        after={"signed_off": False, "reason": reason},
    )
    return locked
