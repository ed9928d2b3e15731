"""Booking the assessment: the assessment organisation schedules each method's session;
the apprentice or the employer may ask to rearrange one, with the reason."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from quality.errors import QualityError
from quality.models import AssessmentBooking, RearrangeRequest
from standards.models import AssessmentMethod


@transaction.atomic
def book_session(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    method: AssessmentMethod,
    starts_at: dt.datetime,
    place: str,
    video_link: str,
    assessor: User,
) -> AssessmentBooking:
    """Schedule a session of `method` with one of the apprenticeship's assigned assessors,
    in the future, at a place or by a video link."""
    locked = lock_apprenticeship(apprenticeship)
    if not locked.is_post_gateway:
        raise QualityError("The assessment can be booked only after gateway.")
    if method.plan.standard_version_id != locked.standard_version_id:
        raise QualityError("Choose a method of this apprenticeship's assessment plan.")
    if starts_at <= timezone.now():
        raise QualityError("Choose a date and time in the future.")
    place, video_link = place.strip(), video_link.strip()
    if not place and not video_link:
        raise QualityError("Give the place, or the video link, or both.")
    if not Membership.objects.filter(
        apprenticeship=locked, user=assessor, role=Role.ASSESSOR, is_active=True
    ).exists():
        raise QualityError("Choose an assessor assigned to this apprentice.")
    booking = AssessmentBooking(
        apprenticeship=locked,
        method=method,
        starts_at=starts_at,
        place=place,
        video_link=video_link,
        assessor=assessor,
        booked_by=by,
    )
    booking.full_clean()
    booking.save()
    record_event(
        action=AuditAction.EPA_SESSION_BOOKED,
        obj=booking,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Booked {method.name} for {timezone.localtime(starts_at):%-d %B %Y at %H:%M}",
        after={
            "method": method.code,
            "starts_at": starts_at.isoformat(),
            "place": place,
            "video_link": video_link,
            "assessor": assessor.full_name,
        },
    )
    return booking


@transaction.atomic
def ask_to_rearrange(*, booking: AssessmentBooking, by: User, reason: str) -> RearrangeRequest:
    """The apprentice or the employer asks for the session to be moved, saying why."""
    reason = reason.strip()
    if not reason:
        raise QualityError("Say why the session needs to move.")
    if booking.starts_at <= timezone.now():
        raise QualityError("This session has already happened.")
    request = RearrangeRequest(booking=booking, requested_by=by, reason=reason)
    request.full_clean()
    request.save()
    record_event(
        action=AuditAction.EPA_REARRANGE_REQUESTED,
        obj=request,
        actor=by,
        apprenticeship_id=booking.apprenticeship_id,
        summary=f"Asked to rearrange {booking.method.name}: {reason}",
        after={"reason": reason},
    )
    return request
