"""Planning progress reviews (scheduling, moving and calling them off) and agreeing a
different interval between them. When they are due is worked out in `reviews/schedule.py`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, Membership, Role
from audit.actions import AuditAction
from audit.changes import end_row
from audit.services import record_event
from portfolio.reviews.models import AgreedReviewInterval, Review
from portfolio.reviews.services import reviews
from portfolio.reviews.services.standing import refresh_standing

# The most a tutor may agree between reviews.
MAX_AGREED_WEEKS = 26
MAX_AGREED_MONTHS = 6


# -- due dates -------------------------------------------------------------------------


# -- flags for the provider overview ---------------------------------------------------


# -- planning --------------------------------------------------------------------------


@transaction.atomic
def schedule_review(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    scheduled_for: dt.date,
    today: dt.date | None = None,
) -> Review:
    """Plan a review. One planned review at a time: change that one instead of adding more."""
    today = today or timezone.localdate()
    Apprenticeship.objects.select_for_update().filter(pk=apprenticeship.pk).first()
    if apprenticeship.status != Apprenticeship.Status.ON_PROGRAMME:
        raise reviews.ReviewError(
            "Progress reviews are planned only while the apprentice is in training."
        )
    if scheduled_for < today:
        raise ValidationError({"scheduled_for": "Choose today or a later date."})
    existing = Review.objects.filter(
        apprenticeship=apprenticeship, status=Review.Status.SCHEDULED
    ).first()
    if existing is not None:
        raise reviews.ReviewError(
            f"A review is already planned for {existing.scheduled_for:%-d %B %Y}. "
            "Change that one instead."
        )
    review = Review(
        apprenticeship=apprenticeship,
        status=Review.Status.SCHEDULED,
        scheduled_for=scheduled_for,
        created_by=by,
    )
    review.full_clean()
    review.save()
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    record_event(
        action=AuditAction.REVIEW_SCHEDULED,
        obj=review,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Planned a progress review for {scheduled_for:%-d %B %Y}",
        after={"scheduled_for": scheduled_for},
    )
    return review


@transaction.atomic
def reschedule_review(
    *, review: Review, by: User, scheduled_for: dt.date, today: dt.date | None = None
) -> Review:
    today = today or timezone.localdate()
    locked = reviews.lock_review(review)
    if locked.status != Review.Status.SCHEDULED:
        raise reviews.ReviewError("Only a planned review can move to another date.")
    if scheduled_for < today:
        raise ValidationError({"scheduled_for": "Choose today or a later date."})
    before = locked.scheduled_for
    locked.scheduled_for = scheduled_for
    locked.save(update_fields=["scheduled_for"])
    refresh_standing(apprenticeship_ids=[locked.apprenticeship_id])
    record_event(
        action=AuditAction.REVIEW_RESCHEDULED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Moved a progress review from {before:%-d %B %Y} to {scheduled_for:%-d %B %Y}",
        before={"scheduled_for": before},
        after={"scheduled_for": scheduled_for},
    )
    return locked


@transaction.atomic
def cancel_review(*, review: Review, by: User, reason: str) -> Review:
    """Call off a planned review. The row stays, marked called off, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review is called off."})
    locked = reviews.lock_review(review)
    if locked.status != Review.Status.SCHEDULED:
        raise reviews.ReviewError(
            "Only a planned review can be called off; this one has taken place."
        )
    end_row(
        locked,
        by=by,
        reason=reason,
        action=AuditAction.REVIEW_CANCELLED,
        summary=f"Called off the progress review planned for {locked.scheduled_for:%-d %B %Y}",
        apprenticeship_id=locked.apprenticeship_id,
        already=reviews.ReviewError("This review has already been called off."),
        also={"status": Review.Status.CANCELLED},
        before={"status": Review.Status.SCHEDULED},
        after={"status": Review.Status.CANCELLED, "reason": reason},
    )
    refresh_standing(apprenticeship_ids=[locked.apprenticeship_id])
    return locked


@transaction.atomic
def agree_review_interval(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    every: int,
    unit: str,
    reason: str,
    employer_contact: User | None = None,
    employer_agreed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> AgreedReviewInterval:
    """Agree a different interval between reviews for this apprenticeship, with the reason.
    An interval longer than the funding rules' also needs the employer's agreement: which
    of the apprenticeship's employer contacts agreed, and on what day. It replaces any
    interval agreed before (which is kept, ended). Nothing changes on a refusal."""
    today = today or timezone.localdate()
    reason = reason.strip()
    errors = {}
    if unit not in AgreedReviewInterval.Unit.values:
        errors["unit"] = "Choose weeks or months."
    else:
        most = MAX_AGREED_WEEKS if unit == AgreedReviewInterval.Unit.WEEKS else MAX_AGREED_MONTHS
        if not 1 <= every <= most:
            errors["every"] = f"Choose between 1 and {most} {unit}."
    if not reason:
        errors["reason"] = "Record why this interval was agreed."
    rule = funding_rules.progress_review_interval(apprenticeship.start_date)
    longer = not errors and funding_rules.ReviewInterval(every, unit).longer_than(rule)
    contacts = Membership.objects.filter(
        apprenticeship=apprenticeship, role=Role.EMPLOYER, is_active=True
    )
    if employer_contact is not None and not contacts.filter(user=employer_contact).exists():
        errors["employer_contact"] = "Choose one of this apprentice's employer contacts."
    elif longer and employer_contact is None:
        errors["employer_contact"] = (
            f"Reviews further apart than the funding rules' {rule} need the employer's "
            "agreement: say which employer contact agreed."
        )
    if employer_agreed_on is not None and employer_agreed_on > today:
        errors["employer_agreed_on"] = "The day they agreed cannot be in the future."
    elif (employer_contact is not None or longer) and employer_agreed_on is None:
        errors["employer_agreed_on"] = "Give the day the employer contact agreed."
    if errors:
        raise ValidationError(errors)
    before = _end_agreed_interval(apprenticeship=apprenticeship, by=by)
    agreed = AgreedReviewInterval(
        apprenticeship=apprenticeship,
        every=every,
        unit=unit,
        reason=reason,
        agreed_by=by,
        employer_agreed_by=employer_contact,
        employer_agreed_on=employer_agreed_on if employer_contact is not None else None,
    )
    agreed.full_clean()
    agreed.save()
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    after: dict = {"every": every, "unit": unit, "reason": reason}
    if employer_contact is not None:
        after["employer_agreed_by"] = {
            "id": employer_contact.pk,
            "name": employer_contact.full_name,
        }
        after["employer_agreed_on"] = employer_agreed_on
    record_event(
        action=AuditAction.REVIEW_INTERVAL_AGREED,
        obj=agreed,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Agreed progress reviews every {agreed.interval}"
        + (
            f", agreed by {employer_contact.full_name} for the employer"
            if employer_contact is not None
            else ""
        ),
        before=before,
        after=after,
    )
    return agreed


def _end_agreed_interval(*, apprenticeship: Apprenticeship, by: User) -> dict:
    current = (
        AgreedReviewInterval.objects.select_for_update()
        .filter(apprenticeship=apprenticeship, ended_at__isnull=True)
        .first()
    )
    if current is None:
        return {}
    current.ended_at = timezone.now()
    current.ended_by = by
    current.save(update_fields=["ended_at", "ended_by"])
    return {"every": current.every, "unit": current.unit, "reason": current.reason}


@transaction.atomic
def use_funding_rule_interval(*, apprenticeship: Apprenticeship, by: User) -> None:
    """Go back to the funding rule's interval. The agreed interval is kept, ended."""
    before = _end_agreed_interval(apprenticeship=apprenticeship, by=by)
    if not before:
        return
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    record_event(
        action=AuditAction.REVIEW_INTERVAL_ENDED,
        obj=apprenticeship,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary="Went back to the funding rules' interval between progress reviews",
        before=before,
    )
