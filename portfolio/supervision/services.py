"""Writes to the supervision log. Each change is recorded in the history in the same
transaction. The history says that a record was made, shared, used as evidence or logged as
training; it never holds what was agreed or the reflection."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Role
from audit.actions import AuditAction
from audit.changes import snapshot
from audit.services import record_event
from portfolio.evidence.models import Evidence, EvidenceKind
from portfolio.evidence.services import evidence as evidence_services
from portfolio.supervision.models import SupervisionRecord
from portfolio.training.formatting import day_text
from portfolio.training.models import ActivityType, OtjEntry
from portfolio.training.services import log as otj_services
from standards.models import Duty


class SupervisionError(Exception):
    """A change the supervision log refuses; the message is for the apprentice."""


SHARING_FIELDS = ("shared_with_tutor", "shared_with_employer", "reflection_shared")

# Who sees what was agreed when the apprentice does not choose: peer supervision is the
# apprentice's and the tutor's only; managerial supervision is held with the employer, so
# the employer contact sees what was agreed too.
DEFAULT_AUDIENCE = {
    SupervisionRecord.Kind.PEER: {"shared_with_tutor": True, "shared_with_employer": False},
    SupervisionRecord.Kind.MANAGERIAL: {"shared_with_tutor": True, "shared_with_employer": True},
}


def supervisors(apprenticeship: Apprenticeship):
    """The people in the app who may be named as supervisor: the apprenticeship's active
    tutors and employer contacts."""
    return User.objects.filter(
        memberships__apprenticeship=apprenticeship,
        memberships__is_active=True,
        memberships__role__in=[Role.TUTOR, Role.EMPLOYER],
    ).distinct()


def _require_apprentice(apprenticeship: Apprenticeship, by: User) -> None:
    if by.pk != apprenticeship.apprentice_id:
        raise SupervisionError("Only the apprentice keeps their supervision log.")


@transaction.atomic
def record_supervision(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    held_on: dt.date,
    kind: str,
    format: str,
    minutes: int,
    supervisor: User | None = None,
    supervisor_name: str = "",
    agreed: str = "",
    reflection: str = "",
    shared_with_tutor: bool | None = None,
    shared_with_employer: bool | None = None,
    reflection_shared: bool = False,
    today: dt.date | None = None,
) -> SupervisionRecord:
    """Add one record to the apprentice's log. Without a choice of audience, peer
    supervision is shared with the tutor only and managerial supervision with the tutor
    and the employer contact; the reflection stays private unless `reflection_shared`."""
    _require_apprentice(apprenticeship, by)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if held_on > today:
        errors["held_on"] = "That date is in the future. Record supervision once it has happened."
    elif held_on < apprenticeship.start_date:
        errors["held_on"] = (
            f"Your apprenticeship started on {day_text(apprenticeship.start_date)}. "
            "Record supervision from then on."
        )
    if kind not in SupervisionRecord.Kind.values:
        errors["kind"] = "Choose the kind of supervision."
    if format not in SupervisionRecord.Format.values:
        errors["format"] = "Choose whether it was one to one or in a group."
    if minutes <= 0 or minutes > 24 * 60:
        errors["minutes"] = "Enter how long it took: more than 0 minutes and at most 24 hours."
    supervisor_name = supervisor_name.strip()
    if (supervisor is None) == (not supervisor_name):
        errors["supervisor"] = (
            "Choose who supervised you, or write the name of a supervisor from outside "
            "(one of the two)."
        )
    elif supervisor is not None and not supervisors(apprenticeship).filter(pk=supervisor.pk):
        errors["supervisor"] = "Choose one of the people on your apprenticeship."
    if errors:
        raise ValidationError(errors)
    audience = dict(DEFAULT_AUDIENCE[SupervisionRecord.Kind(kind)])
    if shared_with_tutor is not None:
        audience["shared_with_tutor"] = shared_with_tutor
    if shared_with_employer is not None:
        audience["shared_with_employer"] = shared_with_employer
    record = SupervisionRecord(
        apprenticeship=apprenticeship,
        held_on=held_on,
        kind=kind,
        format=format,
        minutes=minutes,
        supervisor=supervisor,
        supervisor_name=supervisor_name,
        agreed=agreed.strip(),
        reflection=reflection.strip(),
        reflection_shared=reflection_shared,
        **audience,
    )
    record.full_clean(exclude=["evidence", "otj_entry"])
    record.save()
    record_event(
        action=AuditAction.SUPERVISION_RECORDED,
        obj=record,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        # Only that a record was made: what kind, when and what was said stay with the
        # people the apprentice shares the record with.
        summary="Recorded supervision in the supervision log",
        after=snapshot(record, SHARING_FIELDS),
    )
    return record


@transaction.atomic
def change_sharing(
    *,
    record: SupervisionRecord,
    by: User,
    shared_with_tutor: bool,
    shared_with_employer: bool,
    reflection_shared: bool,
) -> SupervisionRecord:
    """Change who sees the record. Takes effect at once for every page, list and export."""
    locked = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
    _require_apprentice(record.apprenticeship, by)
    before = snapshot(locked, SHARING_FIELDS)
    locked.shared_with_tutor = shared_with_tutor
    locked.shared_with_employer = shared_with_employer
    locked.reflection_shared = reflection_shared
    locked.save(update_fields=list(SHARING_FIELDS))
    record_event(
        action=AuditAction.SUPERVISION_SHARING_CHANGED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary="Changed who sees a supervision record",
        before=before,
        after=snapshot(locked, SHARING_FIELDS),
    )
    return locked


@transaction.atomic
def use_as_evidence(*, record: SupervisionRecord, by: User) -> Evidence:
    """Start an evidence draft that relies on the record, once. The draft holds no copy of
    the notes: its page shows what was agreed from the record itself. The apprentice then
    chooses its duties and KSBs and submits it like any evidence; sharing it with the
    tutor is what submitting does, so the record is shared with the tutor too."""
    _require_apprentice(record.apprenticeship, by)
    locked = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
    if locked.evidence_id is not None:
        raise SupervisionError("This record is already part of your evidence.")
    evidence = evidence_services.create_evidence(
        apprenticeship=record.apprenticeship,
        by=by,
        title=f"{locked.get_kind_display()} on {day_text(locked.held_on)}",
        kind=EvidenceKind.SUPERVISION_RECORD,
        activity_date=locked.held_on,
    )
    if not locked.shared_with_employer and evidence.visible_to_employer:
        evidence.visible_to_employer = False
        evidence.save(update_fields=["visible_to_employer"])
    locked.evidence = evidence
    locked.shared_with_tutor = True
    locked.save(update_fields=["evidence", "shared_with_tutor"])
    record_event(
        action=AuditAction.SUPERVISION_USED_AS_EVIDENCE,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Started evidence “{evidence.display_title}” from a supervision record",
        after={"evidence": evidence.pk},
    )
    return evidence


@transaction.atomic
def log_as_otj(
    *, record: SupervisionRecord, by: User, duty: Duty | None, today: dt.date | None = None
) -> OtjEntry:
    """Log the supervision's time as off-the-job training, once, keeping the link. The
    entry goes through the log's own rules (dates, breaks, gateway, 24 hours a day)."""
    _require_apprentice(record.apprenticeship, by)
    locked = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
    if locked.otj_entry_id is not None:
        raise SupervisionError("This supervision is already in your off-the-job log.")
    entry = otj_services.log_otj_entry(
        apprenticeship=record.apprenticeship,
        by=by,
        date=locked.held_on,
        minutes=locked.minutes,
        activity_type=ActivityType.SUPERVISION,
        duty=duty,
        description=f"{locked.get_kind_display()} ({locked.get_format_display().lower()}).",
        evidence=locked.evidence,
        today=today,
    )
    locked.otj_entry = entry
    locked.save(update_fields=["otj_entry"])
    record_event(
        action=AuditAction.SUPERVISION_LOGGED_AS_OTJ,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary="Logged a supervision record as off-the-job training",
        after={"otj_entry": entry.pk},
    )
    return entry
