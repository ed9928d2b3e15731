"""Emails about progress reviews, so nobody has to chase: a request to sign when a review is
recorded, and reminders when a review is due soon, overdue, or still waiting for a
signature SIGNATURE_REMINDER_AFTER_DAYS after it was recorded.

Each email is sent once per due event and person. Its ReviewReminder row and its outbox
message are written in one transaction, and the row's unique constraint (and the message's
key) make a second worker queueing the same email at the same moment wait for the first,
then skip it. The outbox delivers the email after commit, never inside this transaction:
if the mail server is away it tries again, and a worker that dies after the server took
the email does not make the next run send it again.

No email carries what was discussed or the wellbeing check-in: only names, dates and a
link to the page, which checks who may read what.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from outbox import services as outbox
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import (
    Review,
    ReviewParty,
    ReviewReminder,
    ReviewSigningLink,
    ReviewVersion,
)
from portfolio.reviews.services import links as review_links

logger = logging.getLogger(__name__)

SIGNATURE_REMINDER_AFTER_DAYS = 3


def _url(name: str, pk: int) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=[pk])}"


def send_once(
    *,
    kind: str,
    key: str,
    recipient: User,
    apprenticeship_id: int,
    review_id: int | None,
    subject: str,
    template: str,
    context: dict,
) -> bool:
    """Queue one email for one event, unless it has been queued already. True if queued
    now. The outbox sends it after commit."""
    body = render_to_string(template, {"recipient": recipient, **context})
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(
                kind=kind,
                key=key,
                recipient=recipient,
                apprenticeship_id=apprenticeship_id,
                review_id=review_id,
            )
            outbox.enqueue(
                "outbox.tasks.send_email",
                key=f"review-email:{kind}:{apprenticeship_id}:{key}:{recipient.pk}",
                apprenticeship_id=apprenticeship_id,
                to=[recipient.email],
                subject=subject,
                body=body,
            )
    except IntegrityError:
        return False  # already queued, perhaps by another worker a moment ago
    return True


def _sent(kinds: Sequence[str], apprenticeship_ids: Sequence[int]) -> set[tuple]:
    """(kind, apprenticeship id, key, recipient id) already sent: one query, so a daily
    run does not try thousands of inserts it knows will be refused."""
    return set(
        ReviewReminder.objects.filter(
            kind__in=kinds, apprenticeship_id__in=apprenticeship_ids
        ).values_list("kind", "apprenticeship_id", "key", "recipient_id")
    )


# -- asking to sign, when a review is recorded ------------------------------------------


def send_signature_requests(*, version_id: int) -> int:
    """Ask the apprentice, and the employer signatory if they can sign in, to read and sign
    this version. Nothing if it is no longer the current version waiting for signatures.
    (An employer contact without an account signs through the link the tutor sends.)
    Returns how many emails were sent."""
    version = (
        ReviewVersion.objects.select_related(
            "review__apprenticeship__apprentice", "employer_signatory", "created_by"
        )
        .prefetch_related("signatures")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        logger.info("Review version %s no longer exists; nothing to send.", version_id)
        return 0
    review = version.review
    if (
        review.current_version_id != version.pk
        or review.status != Review.Status.AWAITING_SIGNATURES
    ):
        return 0
    apprenticeship = review.apprenticeship
    recipients = []
    if ReviewParty.APPRENTICE not in version.signed_parties:
        recipients.append(apprenticeship.apprentice)
    signer = version.employer_signatory
    if (
        ReviewParty.EMPLOYER not in version.signed_parties
        and signer.has_usable_password()
        and review_selectors.is_active_member(signer, apprenticeship.pk, Role.EMPLOYER)
    ):
        recipients.append(signer)
    sent = 0
    for recipient in recipients:
        sent += send_once(
            kind=ReviewReminder.Kind.SIGNATURE_REQUEST,
            key=f"version:{version.pk}",
            recipient=recipient,
            apprenticeship_id=apprenticeship.pk,
            review_id=review.pk,
            subject=f"Please sign the progress review of {version.held_on:%-d %B %Y}",
            template="portfolio/reviews/email/review_signature_request.txt",
            context={
                "apprentice": apprenticeship.apprentice,
                "version": version,
                "tutor": version.created_by,
                "url": _url("portfolio:review-detail", review.pk),
            },
        )
    return sent


# -- due soon and overdue ---------------------------------------------------------------


def send_due_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Tell the tutors of every apprenticeship in training whose next review is due within
    DUE_SOON_DAYS, or overdue. Once per due date and kind."""
    today = today or timezone.localdate()
    due = list(
        review_schedule.with_review_status(
            Apprenticeship.objects.filter(status=Apprenticeship.Status.ON_PROGRAMME).with_people()
        )
        .filter(review_schedule.due_by(today))
        .order_by("pk")
    )
    kinds = [ReviewReminder.Kind.DUE_SOON, ReviewReminder.Kind.OVERDUE]
    sent_before = _sent(kinds, [a.pk for a in due])
    counts = dict.fromkeys(kinds, 0)
    for apprenticeship in due:
        due_on = apprenticeship.next_review_due
        if due_on is None:
            # Overdue and due soon are both comparisons with the due date, so it is set.
            raise ValueError(f"Apprenticeship {apprenticeship.pk} has no review due date.")
        overdue = review_schedule.review_due_state(due_on, today=today) == "overdue"
        kind = ReviewReminder.Kind.OVERDUE if overdue else ReviewReminder.Kind.DUE_SOON
        key = f"due:{due_on.isoformat()}"
        name = apprenticeship.apprentice.full_name
        for tutor in apprenticeship.tutors:
            if (kind, apprenticeship.pk, key, tutor.pk) in sent_before:
                continue
            counts[kind] += send_once(
                kind=kind,
                key=key,
                recipient=tutor,
                apprenticeship_id=apprenticeship.pk,
                review_id=None,
                subject=(
                    f"Progress review overdue: {name}"
                    if overdue
                    else f"Progress review due by {due_on:%-d %B}: {name}"
                ),
                template="portfolio/reviews/email/review_due.txt",
                context={
                    "apprenticeship": apprenticeship,
                    "overdue": overdue,
                    "due_on": due_on,
                    "planned_for": apprenticeship.next_review_planned,
                    "url": _url("portfolio:review-list", apprenticeship.pk),
                },
            )
    return {"due_soon": counts[kinds[0]], "overdue": counts[kinds[1]]}


# -- still waiting for a signature ------------------------------------------------------


def _waiting_reviews(cutoff: dt.datetime) -> list[Review]:
    return list(
        Review.objects.filter(
            status=Review.Status.AWAITING_SIGNATURES, current_version__created_at__lte=cutoff
        )
        .select_related("apprenticeship__apprentice", "current_version__employer_signatory")
        .prefetch_related(
            "current_version__signatures",
            models.Prefetch(
                "current_version__signing_links",
                queryset=ReviewSigningLink.objects.select_related("created_by"),
            ),
            models.Prefetch(
                "apprenticeship__memberships",
                queryset=Membership.objects.filter(is_active=True).select_related("user"),
                to_attr="active_memberships",
            ),
        )
        .order_by("pk")
    )


def send_signature_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind each person still to sign a version that has waited more than
    SIGNATURE_REMINDER_AFTER_DAYS, once per version; and tell its tutors who is missing.
    Returns how many emails were sent."""
    now = now or timezone.now()
    waiting = _waiting_reviews(now - dt.timedelta(days=SIGNATURE_REMINDER_AFTER_DAYS))
    kind = ReviewReminder.Kind.SIGNATURE_WAITING
    sent_before = _sent([kind], [r.apprenticeship_id for r in waiting])
    sent = 0
    for review in waiting:
        version, apprenticeship = review.recorded_version(), review.apprenticeship
        key = f"version:{version.pk}"
        missing = [p for p in ReviewParty if p not in version.signed_parties]
        signer = version.employer_signatory
        signer_is_contact = signer.pk in {u.pk for u in apprenticeship.employer_contacts}
        link = review_links.open_link_for(version, now)
        # Who gets a reminder, and what it says.
        emails: list[tuple[User, str, dict]] = []
        if ReviewParty.APPRENTICE in missing:
            emails.append((apprenticeship.apprentice, "you", {}))
        if ReviewParty.EMPLOYER in missing and signer_is_contact:
            if signer.has_usable_password():
                emails.append((signer, "you", {}))
            elif link is not None:
                emails.append((signer, "link", {"link": link}))
        needs_link = (
            ReviewParty.EMPLOYER in missing
            and signer_is_contact
            and not signer.has_usable_password()
            and link is None
        )
        labels = {
            ReviewParty.APPRENTICE: f"{apprenticeship.apprentice.full_name}, the apprentice",
            ReviewParty.EMPLOYER: f"{signer.full_name}, for the employer",
            ReviewParty.TUTOR: "a tutor",
        }
        waiting_for = [labels[party] for party in missing]
        for tutor in apprenticeship.tutors:
            emails.append((tutor, "tutor", {"waiting_for": waiting_for, "needs_link": needs_link}))
        for recipient, variant, extra in emails:
            if (kind, apprenticeship.pk, key, recipient.pk) in sent_before:
                continue
            sent += send_once(
                kind=kind,
                key=key,
                recipient=recipient,
                apprenticeship_id=apprenticeship.pk,
                review_id=review.pk,
                subject=f"Waiting for signatures: progress review of {version.held_on:%-d %B %Y}",
                template=f"portfolio/reviews/email/review_waiting_{variant}.txt",
                context={
                    "apprentice": apprenticeship.apprentice,
                    "version": version,
                    "signer": signer,
                    "url": _url("portfolio:review-detail", review.pk),
                    **extra,
                },
            )
    return sent


def send_review_reminders(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Every reminder that is due and not yet sent. Safe to run twice, or twice at once."""
    counts = send_due_reminders(today=today)
    counts["signature_waiting"] = send_signature_reminders(now=now)
    return counts
