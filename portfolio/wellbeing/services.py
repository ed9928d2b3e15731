"""Writes to the wellbeing plan. The history records that the plan was saved, and which
section was shared with or withdrawn from whom; never a word of the plan itself."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from portfolio.wellbeing.models import (
    ReasonableAdjustment,
    WellbeingAudience,
    WellbeingPlan,
    WellbeingPlanVersion,
    WellbeingSection,
    WellbeingShare,
)


class WellbeingError(Exception):
    """A change the wellbeing plan refuses; the message is for the apprentice."""


def _require_apprentice(apprenticeship: Apprenticeship, by: User) -> None:
    if by.pk != apprenticeship.apprentice_id:
        raise WellbeingError("Only the apprentice writes and shares their wellbeing plan.")


@transaction.atomic
def save_plan(
    *, apprenticeship: Apprenticeship, by: User, sections: dict[str, str]
) -> WellbeingPlanVersion:
    """Save the plan as a new version (the first save makes the plan). Saving the same
    text again makes no new version. Shares stay as they are: a shared section shows its
    newest text."""
    _require_apprentice(apprenticeship, by)
    lock_apprenticeship(apprenticeship)
    plan, _ = WellbeingPlan.objects.get_or_create(apprenticeship=apprenticeship)
    values = {s.value: sections.get(s.value, "").strip() for s in WellbeingSection}
    latest = plan.versions.order_by("-number").first()
    if latest is not None and all(latest.text_of(k) == v for k, v in values.items()):
        return latest
    version = WellbeingPlanVersion(plan=plan, number=(latest.number + 1) if latest else 1, **values)
    version.full_clean()
    version.save()
    record_event(
        action=AuditAction.WELLBEING_PLAN_SAVED,
        obj=plan,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Saved the wellbeing plan (version {version.number})",
    )
    return version


@transaction.atomic
def set_sharing(
    *, apprenticeship: Apprenticeship, by: User, section: str, audience: str, shared: bool
) -> None:
    """Share one section with one audience, or withdraw it (hidden again at once). Doing
    what is already so changes nothing and records nothing."""
    _require_apprentice(apprenticeship, by)
    if section not in WellbeingSection.values or audience not in WellbeingAudience.values:
        raise WellbeingError("Choose a section of your plan and who to share it with.")
    lock_apprenticeship(apprenticeship)
    plan = WellbeingPlan.objects.filter(apprenticeship=apprenticeship).first()
    if plan is None:
        raise WellbeingError("Write your plan first; then you can share parts of it.")
    active = WellbeingShare.objects.filter(
        plan=plan, section=section, audience=audience, withdrawn_at__isnull=True
    ).first()
    label = WellbeingSection(section).label
    who = "the tutor" if audience == WellbeingAudience.TUTOR else "the employer contact"
    if shared and active is None:
        share = WellbeingShare(plan=plan, section=section, audience=audience)
        share.full_clean(validate_constraints=False)
        share.save()
        action, summary = AuditAction.WELLBEING_SECTION_SHARED, f"Shared “{label}” with {who}"
    elif not shared and active is not None:
        share = active
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at"])
        action = AuditAction.WELLBEING_SECTION_WITHDRAWN
        summary = f"Withdrew “{label}” from {who}"
    else:
        return
    record_event(
        action=action,
        obj=share,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=summary,
        after={"section": section, "audience": audience, "shared": shared},
    )


# -- reasonable adjustments ---------------------------------------------------------------


class AdjustmentError(Exception):
    """A change to an adjustment that is refused; the message is for the person acting."""


def _record(adjustment: ReasonableAdjustment, by: User, action: AuditAction, summary: str):
    # The history says what happened to an adjustment, never what it is: it may say
    # something about the apprentice's health, and the history is read more widely.
    record_event(
        action=action,
        obj=adjustment,
        actor=by,
        apprenticeship_id=adjustment.apprenticeship_id,
        summary=summary,
        after={"area": adjustment.area, "status": adjustment.status},
    )


@transaction.atomic
def request_adjustment(
    *, apprenticeship: Apprenticeship, by: User, area: str, description: str
) -> ReasonableAdjustment:
    """The apprentice asks for an adjustment at work, in learning or in the assessment."""
    if by.pk != apprenticeship.apprentice_id:
        raise AdjustmentError("Only the apprentice asks for their adjustments.")
    errors = {}
    if area not in ReasonableAdjustment.Area.values:
        errors["area"] = "Choose where the adjustment is for."
    if not description.strip():
        errors["description"] = "Say what would help."
    if errors:
        raise ValidationError(errors)
    adjustment = ReasonableAdjustment(
        apprenticeship=apprenticeship, area=area, description=description.strip()
    )
    # Once gateway has passed, the provider has already passed on what it holds: a new
    # request for the assessment goes straight to the assessment organisation.
    after_gateway = area == ReasonableAdjustment.Area.ASSESSMENT and (
        Apprenticeship.objects.filter(
            pk=apprenticeship.pk, status__in=Apprenticeship.POST_GATEWAY
        ).exists()
    )
    if after_gateway:
        adjustment.status = ReasonableAdjustment.Status.PASSED
        adjustment.passed_at = timezone.now()
    adjustment.full_clean()
    adjustment.save()
    _record(adjustment, by, AuditAction.ADJUSTMENT_REQUESTED, "Asked for a reasonable adjustment")
    return adjustment


def _lock(adjustment: ReasonableAdjustment) -> ReasonableAdjustment:
    return ReasonableAdjustment.objects.select_for_update().get(pk=adjustment.pk)


@transaction.atomic
def decide_adjustment(
    *, adjustment: ReasonableAdjustment, by: User, agreed: bool, note: str = ""
) -> ReasonableAdjustment:
    """The other party records its decision: the employer contact for work, the provider
    for learning, the assessment organisation for an assessment request passed to it
    (the caller has checked who may decide). Decided once."""
    locked = _lock(adjustment)
    if locked.status not in (
        ReasonableAdjustment.Status.REQUESTED,
        ReasonableAdjustment.Status.PASSED,
    ):
        raise AdjustmentError("This adjustment has already been decided.")
    if locked.area == ReasonableAdjustment.Area.ASSESSMENT and locked.passed_at is None:
        raise AdjustmentError("The provider has not passed this request on yet.")
    if not agreed and not note.strip():
        raise ValidationError({"note": "Say why it was not agreed."})
    locked.status = (
        ReasonableAdjustment.Status.AGREED if agreed else ReasonableAdjustment.Status.NOT_AGREED
    )
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(
        locked,
        by,
        AuditAction.ADJUSTMENT_DECIDED,
        "Agreed a reasonable adjustment" if agreed else "Did not agree a reasonable adjustment",
    )
    return locked


def pass_with_gateway(
    *, apprenticeship: Apprenticeship, by: User | None, now: dt.datetime | None = None
) -> list[ReasonableAdjustment]:
    """Pass every assessment adjustment request still waiting to the assessment
    organisation. Called by the gateway when the provider confirms it (and again when
    gateway passes, for any asked for in between); there is no other way to pass one.
    Returns the requests passed now. The caller holds the transaction."""
    now = now or timezone.now()
    waiting = list(
        ReasonableAdjustment.objects.select_for_update()
        .filter(
            apprenticeship_id=apprenticeship.pk,
            area=ReasonableAdjustment.Area.ASSESSMENT,
            status=ReasonableAdjustment.Status.REQUESTED,
        )
        .order_by("pk")
    )
    for row in waiting:
        row.status = ReasonableAdjustment.Status.PASSED
        row.passed_by = by
        row.passed_at = now
        row.save(update_fields=["status", "passed_by", "passed_at"])
        record_event(
            action=AuditAction.ADJUSTMENT_PASSED,
            obj=row,
            actor=by,
            apprenticeship_id=row.apprenticeship_id,
            summary="Passed an assessment adjustment request to the assessment organisation "
            "with the gateway",
            after={"area": row.area, "status": row.status},
        )
    return waiting
