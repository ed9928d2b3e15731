"""Off-the-job training: the apprentice's log and its verification. Each change is
recorded with `record_event` in the same transaction; see portfolio/training/selectors.py for the
locking that keeps the rules true when two saves happen at once."""

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, Role
from apprenticeship.services import lock_apprenticeship
from audit.actions import OTJ_DECIDED, AuditAction
from audit.changes import snapshot
from audit.services import EventRecord, record_event, record_events
from outbox import services as outbox
from portfolio.evidence.models import Evidence
from portfolio.training.errors import OtjError
from portfolio.training.formatting import day_text, format_minutes
from portfolio.training.models import NOT_COUNTED_ACTIVITIES, ActivityType, OtjEntry
from portfolio.training.selectors import break_spans, log_is_closed
from portfolio.training.services.standing import refresh_otj_standing
from standards.models import Duty

VERIFIER_ROLES = (Role.TUTOR, Role.EMPLOYER)


# -- the log ---------------------------------------------------------------------------


class EntryValues(TypedDict):
    """What the apprentice enters for one entry: the fields a change may alter."""

    date: dt.date
    minutes: int
    activity_type: str
    duty: Duty | None
    description: str
    evidence: Evidence | None


def _validate_entry(
    *,
    apprenticeship: Apprenticeship,
    date: dt.date,
    minutes: int,
    activity_type: str,
    duty: Duty | None,
    description: str,
    evidence: Evidence | None,
    today: dt.date,
    replacing: OtjEntry | None = None,
) -> None:
    """Raise ValidationError, keyed by field, for anything the rules refuse. Call it with
    the apprenticeship row locked, so the day's total cannot change underneath."""
    closed = log_is_closed(apprenticeship)
    if closed:
        raise OtjError(closed)
    errors: dict[str, str] = {}
    if date > today:
        errors["date"] = "That date is in the future. Log training once it has happened."
    elif date < apprenticeship.start_date:
        errors["date"] = (
            f"Your apprenticeship started on {day_text(apprenticeship.start_date)}. "
            "Training before the start does not count."
        )
    elif apprenticeship.gateway_passed_at is not None and date > timezone.localdate(
        apprenticeship.gateway_passed_at
    ):
        errors["date"] = "Training after gateway does not count."
    else:
        current = funding_rules.on_break(break_spans(apprenticeship.pk), today=date)
        if current is not None:
            until = f" to {day_text(current[1])}" if current[1] else ""
            errors["date"] = (
                f"{day_text(date)} is during a break in learning "
                f"(from {day_text(current[0])}{until}). Training during a break does not count."
            )
    if minutes <= 0:
        errors["minutes"] = "Enter how long the training took: more than 0 minutes."
    elif minutes > 24 * 60:
        errors["minutes"] = "One entry cannot be longer than 24 hours."
    elif "date" not in errors:
        same_day = OtjEntry.objects.current().filter(apprenticeship=apprenticeship, date=date)
        same_day = same_day.exclude(status=OtjEntry.Status.REJECTED)
        if replacing is not None:
            same_day = same_day.exclude(lineage=replacing.lineage)
        already = same_day.aggregate(total=Sum("minutes"))["total"] or 0
        if already + minutes > 24 * 60:
            errors["minutes"] = (
                f"{format_minutes(already)} is already logged on {day_text(date)}. With this "
                "entry it would be more than 24 hours in one day."
            )
    if activity_type not in ActivityType.values:
        errors["activity_type"] = "Choose the kind of training."
    if duty is None:
        if activity_type not in NOT_COUNTED_ACTIVITIES:
            errors["duty"] = "Choose the duty this training is for."
    elif duty.standard_version_id != apprenticeship.standard_version_id:
        errors["duty"] = "Choose one of the duties of your standard."
    if evidence is not None and evidence.apprenticeship_id != apprenticeship.pk:
        errors["evidence"] = "Choose evidence from this apprenticeship."
    if not description.strip():
        errors["description"] = "Say what you did and what you learned."
    if errors:
        raise ValidationError(errors)


# What the history keeps of an entry's content and state.
ENTRY_FIELDS = (
    "date",
    "minutes",
    "activity_type",
    "duty",
    "description",
    "evidence",
    "status",
    "version",
)


@transaction.atomic
def log_otj_entry(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    date: dt.date,
    minutes: int,
    activity_type: str,
    duty: Duty | None,
    description: str,
    evidence: Evidence | None = None,
    today: dt.date | None = None,
) -> OtjEntry:
    """Add one entry to the apprentice's log, waiting for verification."""
    if by.pk != apprenticeship.apprentice_id:
        raise OtjError("Only the apprentice logs their off-the-job training.")
    today = today or timezone.localdate()
    locked = lock_apprenticeship(apprenticeship)
    values: EntryValues = {
        "date": date,
        "minutes": minutes,
        "activity_type": activity_type,
        "duty": duty,
        "description": description.strip(),
        "evidence": evidence,
    }
    _validate_entry(apprenticeship=locked, today=today, **values)
    entry = OtjEntry(apprenticeship=locked, created_by=by, **values)
    # The rules above cover the constraints, which the database enforces as well; skipping
    # their one-query-each re-check keeps logging cheap.
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save()
    refresh_otj_standing(apprenticeship_ids=[locked.pk])
    record_event(
        action=AuditAction.OTJ_LOGGED,
        obj=entry,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Logged {format_minutes(minutes)} of off-the-job training on {day_text(date)}",
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return entry


@transaction.atomic
def change_otj_entry(
    *,
    entry: OtjEntry,
    by: User,
    date: dt.date,
    minutes: int,
    activity_type: str,
    duty: Duty | None,
    description: str,
    evidence: Evidence | None = None,
    today: dt.date | None = None,
) -> OtjEntry:
    """Change an entry. One waiting for verification changes in place; one that was
    verified or rejected is kept as it was and the change becomes a new version, waiting
    for verification. Returns the current version (unchanged if nothing differs)."""
    today = today or timezone.localdate()
    locked_apprenticeship = lock_apprenticeship(entry.apprenticeship)
    if by.pk != locked_apprenticeship.apprentice_id:
        raise OtjError("Only the apprentice changes their off-the-job log.")
    current = OtjEntry.objects.select_for_update().get(pk=entry.pk)
    if not current.is_current:
        raise OtjError("This is an earlier version. Change the latest version instead.")
    values: EntryValues = {
        "date": date,
        "minutes": minutes,
        "activity_type": activity_type,
        "duty": duty,
        "description": description.strip(),
        "evidence": evidence,
    }
    before = snapshot(current, ENTRY_FIELDS)
    if all(getattr(current, name) == value for name, value in values.items()):
        return current
    _validate_entry(apprenticeship=locked_apprenticeship, today=today, replacing=current, **values)
    if current.is_pending:
        for name, value in values.items():
            setattr(current, name, value)
        current.revision += 1
        current.updated_at = timezone.now()
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(update_fields=[*values, "revision", "updated_at"])
        refresh_otj_standing(apprenticeship_ids=[locked_apprenticeship.pk])
        after = snapshot(current, ENTRY_FIELDS)
        record_event(
            action=AuditAction.OTJ_CHANGED,
            obj=current,
            actor=by,
            apprenticeship_id=current.apprenticeship_id,
            summary=f"Changed the off-the-job entry for {day_text(current.date)}",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
        return current
    current.is_current = False
    current.save(update_fields=["is_current"])
    new = OtjEntry(
        apprenticeship=locked_apprenticeship,
        created_by=by,
        lineage=current.lineage,
        version=current.version + 1,
        replaces=current,
        **values,
    )
    new.full_clean(validate_unique=False, validate_constraints=False)
    new.save()
    refresh_otj_standing(apprenticeship_ids=[locked_apprenticeship.pk])
    record_event(
        action=AuditAction.OTJ_NEW_VERSION,
        obj=new,
        actor=by,
        apprenticeship_id=new.apprenticeship_id,
        summary=(
            f"Changed a {current.get_status_display().lower()} off-the-job entry: version "
            f"{new.version} waits for verification"
        ),
        before=before,
        after=snapshot(new, ENTRY_FIELDS),
    )
    return new


def _decide(
    *,
    entry: OtjEntry,
    by: User,
    as_role: Role,
    status: str,
    reason: str = "",
    revision: int | None = None,
) -> OtjEntry:
    if as_role not in VERIFIER_ROLES:
        raise OtjError("Only the tutor or the employer contact verifies off-the-job training.")
    # The apprenticeship's lock first and then the entry's, in the order every change to
    # the log takes them (verifying many at once included), so that two never wait for
    # each other; the standing below is worked out from all its entries under it.
    apprenticeship = lock_apprenticeship(entry.apprenticeship_id)
    locked = OtjEntry.objects.select_for_update().get(pk=entry.pk)
    locked.apprenticeship = apprenticeship
    closed = log_is_closed(locked.apprenticeship)
    if closed:
        raise OtjError(closed)
    if by.pk == locked.apprenticeship.apprentice_id:
        raise OtjError("Apprentices cannot verify their own training.")
    if not locked.is_current:
        raise OtjError("This is an earlier version of the entry; a newer one replaced it.")
    if not locked.is_pending:
        who = locked.decided_by.full_name if locked.decided_by else "someone"
        raise OtjError(f"{who} already {locked.get_status_display().lower()} this entry.")
    if revision is not None and revision != locked.revision:
        raise OtjError("The apprentice changed this entry after you opened it. Check it again.")
    locked.status = status
    locked.decided_by = by
    locked.decided_as = as_role.value
    locked.decided_at = timezone.now()
    locked.rejection_reason = reason
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(
        update_fields=["status", "decided_by", "decided_as", "decided_at", "rejection_reason"]
    )
    refresh_otj_standing(apprenticeship_ids=[locked.apprenticeship_id])
    verb = "Verified" if status == OtjEntry.Status.VERIFIED else "Rejected"
    record_event(
        action=OTJ_DECIDED[status],
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=(
            f"{verb} {format_minutes(locked.minutes)} of off-the-job training on "
            f"{day_text(locked.date)} as {as_role.label.lower()}"
        ),
        before={"status": OtjEntry.Status.PENDING},
        after={"status": status, "reason": reason, "as": as_role.value},
    )
    if status == OtjEntry.Status.REJECTED:
        outbox.queue_notification(
            "otj_rejected",
            occurrence=str(locked.pk),
            object_id=locked.pk,
            apprenticeship_id=locked.apprenticeship_id,
        )
    return locked


@transaction.atomic
def verify_otj_entry(
    *, entry: OtjEntry, by: User, as_role: Role, revision: int | None = None
) -> OtjEntry:
    """Confirm the training happened as logged. Only an entry waiting for verification can
    be verified, and only in the revision the verifier saw."""
    return _decide(
        entry=entry, by=by, as_role=as_role, status=OtjEntry.Status.VERIFIED, revision=revision
    )


@transaction.atomic
def reject_otj_entry(
    *, entry: OtjEntry, by: User, as_role: Role, reason: str, revision: int | None = None
) -> OtjEntry:
    """Refuse an entry, saying why. It stops counting; the apprentice can change it, which
    makes a new version to verify."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the apprentice can put it right."})
    return _decide(
        entry=entry,
        by=by,
        as_role=as_role,
        status=OtjEntry.Status.REJECTED,
        reason=reason,
        revision=revision,
    )


@transaction.atomic
def verify_otj_entries(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    as_role: Role,
    seen: Iterable[tuple[int, int]],
) -> tuple[int, int]:
    """Verify several entries of one apprenticeship at once: (entry id, revision seen).
    Entries that changed, were decided meanwhile or belong elsewhere are skipped.
    Returns (verified, skipped).

    A constant number of queries however many entries are ticked: the apprenticeship is
    locked first (as every change to its log does), then the chosen entries in one
    query; one UPDATE decides those still waiting in the revision seen, two queries work
    out and store the standing again, and one INSERT records each in the history."""
    seen_revisions = dict(seen)
    if as_role not in VERIFIER_ROLES or not seen_revisions:
        return 0, len(seen_revisions)
    locked_apprenticeship = lock_apprenticeship(apprenticeship)
    if log_is_closed(locked_apprenticeship) or by.pk == locked_apprenticeship.apprentice_id:
        return 0, len(seen_revisions)
    chosen = list(
        OtjEntry.objects.select_for_update(of=("self",))
        .filter(
            apprenticeship=locked_apprenticeship,
            pk__in=list(seen_revisions),
            is_current=True,
            status=OtjEntry.Status.PENDING,
        )
        .order_by("pk")
    )
    chosen = [entry for entry in chosen if entry.revision == seen_revisions[entry.pk]]
    if not chosen:
        return 0, len(seen_revisions)
    decided_at = timezone.now()
    OtjEntry.objects.filter(pk__in=[entry.pk for entry in chosen]).update(
        status=OtjEntry.Status.VERIFIED,
        decided_by=by,
        decided_as=as_role.value,
        decided_at=decided_at,
        rejection_reason="",
    )
    refresh_otj_standing(apprenticeship_ids=[locked_apprenticeship.pk])
    status = OtjEntry.Status.VERIFIED
    record_events(
        action=OTJ_DECIDED[status],
        actor=by,
        records=[
            EventRecord(
                obj=entry,
                apprenticeship_id=entry.apprenticeship_id,
                summary=(
                    f"Verified {format_minutes(entry.minutes)} of off-the-job training on "
                    f"{day_text(entry.date)} as {as_role.label.lower()}"
                ),
                before={"status": OtjEntry.Status.PENDING},
                after={"status": status, "reason": "", "as": as_role.value},
            )
            for entry in chosen
        ],
    )
    return len(chosen), len(seen_revisions) - len(chosen)
