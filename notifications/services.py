"""Writing notifications: one per event and person, emailed as each person chose.

A service lower down queues `notifications.tasks.notify` through the outbox
(`outbox.services.queue_notification`) in its own transaction, with a key naming that one
event. After commit the task calls `notify`, which works out who may see the object (the
same rules as the pages, from apprenticeship/access.py) and writes their notifications.
A person has at most one notification per event: the job running twice adds nothing,
and an email is queued only with a notification it has just written.

Emails name the kind of event and link to the page; they never carry evidence text,
wellbeing notes, names or anything else from the record.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship.access import ALLOWED, Action
from apprenticeship.models import Apprenticeship, Membership, Role
from epa.models import Appeal, AssessmentRound
from notifications.models import EmailChoice, Event, Notification, NotificationSetting
from outbox import services as outbox
from portfolio.evidence.models import Evidence, TestimonyRequest
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import Review, ReviewParty, ReviewVersion
from portfolio.training.models import OtjEntry
from quality.models import IqaItem

logger = logging.getLogger(__name__)

# Only notifications this recent go into a digest (someone who turns the digest on does
# not get months of old news).
DIGEST_WINDOW = dt.timedelta(days=2)
# A progress review ready to sign already emails the people who sign it (the review's own
# signature request), so its notification is in the app only.
IN_APP_ONLY = frozenset({Event.REVIEW_READY})


class NotificationError(Exception):
    """A change to notifications or their settings that is not allowed."""


@dataclass(frozen=True)
class Target:
    """Who to tell about one event, and where the page is."""

    apprenticeship: Apprenticeship
    url: str
    recipients: list[User]


def _people(apprenticeship: Apprenticeship, roles: Iterable[Role]) -> list[User]:
    """The active people holding any of `roles` on the apprenticeship (the apprentice for
    Role.APPRENTICE), in a fixed number of queries."""
    roles = set(roles)
    people: dict[int, User] = {}
    if Role.APPRENTICE in roles:
        people[apprenticeship.apprentice.pk] = apprenticeship.apprentice
    member_roles = roles - {Role.APPRENTICE}
    if member_roles:
        for membership in Membership.objects.filter(
            apprenticeship=apprenticeship, role__in=member_roles, is_active=True
        ).select_related("user"):
            people.setdefault(membership.user_id, membership.user)
    return [user for user in people.values() if user.is_active]


def _allowed(action: Action, *, among: Iterable[Role]) -> frozenset[Role]:
    """The roles in `among` that the access table allows `action`."""
    return frozenset(among) & ALLOWED[action]


def _detail(apprenticeship: Apprenticeship) -> str:
    return reverse("dashboards:apprenticeship-detail", args=[apprenticeship.pk])


def _target(event: str, object_id: int) -> Target | None:
    """The apprenticeship, page and people for one event, or None if the object has gone."""
    apprenticeships = Apprenticeship.objects.select_related("apprentice")
    if event in (Event.EVIDENCE_SUBMITTED, Event.EVIDENCE_ACCEPTED, Event.EVIDENCE_REFERRED):
        evidence = Evidence.objects.filter(pk=object_id).first()
        if evidence is None:
            return None
        a = apprenticeships.get(pk=evidence.apprenticeship_id)
        if event == Event.EVIDENCE_SUBMITTED:
            # Submitted evidence is visible to whoever reviews it.
            roles = ALLOWED[Action.REVIEW_EVIDENCE]
        else:
            roles = ALLOWED[Action.ADD_EVIDENCE]
        return Target(a, evidence.get_absolute_url(), _people(a, roles))
    if event == Event.OTJ_REJECTED:
        entry = OtjEntry.objects.filter(pk=object_id).first()
        if entry is None:
            return None
        a = apprenticeships.get(pk=entry.apprenticeship_id)
        return Target(a, entry.get_absolute_url(), _people(a, ALLOWED[Action.LOG_OTJ]))
    if event in (Event.TESTIMONY_REQUESTED, Event.TESTIMONY_WRITTEN):
        request = TestimonyRequest.objects.filter(pk=object_id).select_related("witness").first()
        if request is None:
            return None
        a = apprenticeships.get(pk=request.apprenticeship_id)
        if event == Event.TESTIMONY_WRITTEN:
            # The apprentice's portfolio gained it; the tutor hears of it as evidence
            # waiting for review.
            if request.evidence_id is None:
                return None
            url = reverse("portfolio:evidence-detail", args=[request.evidence_id])
            return Target(a, url, _people(a, {Role.APPRENTICE}))
        # Only the employer contact asked, while the request is open and they still are one.
        if request.witness is None or not request.is_open(timezone.now()):
            return None
        employers = _people(a, _allowed(Action.WRITE_TESTIMONY, among={Role.EMPLOYER}))
        people = [user for user in employers if user.pk == request.witness_id]
        url = reverse("portfolio:testimony-request-write", args=[request.pk])
        return Target(a, url, people)
    if event == Event.REVIEW_READY:
        version = ReviewVersion.objects.filter(pk=object_id).select_related("review").first()
        if version is None or version.review.status != Review.Status.AWAITING_SIGNATURES:
            return None
        review = version.review
        a = apprenticeships.get(pk=review.apprenticeship_id)
        review.apprenticeship = a
        signed = set(version.signatures.values_list("party", flat=True))
        signers: dict[int, User] = {}
        for user in _people(a, ALLOWED[Action.SIGN_REVIEW]):
            for party in ReviewParty:
                if party not in signed and review_selectors.may_sign_as(
                    user, review, version, party
                ):
                    signers[user.pk] = user
        return Target(a, review.get_absolute_url(), list(signers.values()))
    if event == Event.GATEWAY_PASSED:
        passed = apprenticeships.filter(pk=object_id).first()
        if passed is None:
            return None
        roles = _allowed(Action.VIEW_GATEWAY, among={Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER})
        return Target(passed, _detail(passed), _people(passed, roles))
    if event == Event.ASSESSOR_ASSIGNED:
        membership = (
            Membership.objects.filter(pk=object_id, role=Role.ASSESSOR, is_active=True)
            .select_related("user")
            .first()
        )
        if membership is None:
            return None
        a = apprenticeships.get(pk=membership.apprenticeship_id)
        if not a.is_post_gateway:
            return None  # an assessor sees an apprenticeship only after gateway
        people = [membership.user] if membership.user.is_active else []
        return Target(a, reverse("epa:assessment", args=[a.pk]), people)
    if event in (Event.RESULT_CONFIRMED, Event.APPEAL_DECIDED):
        if event == Event.RESULT_CONFIRMED:
            round_ = AssessmentRound.objects.filter(pk=object_id).first()
        else:
            appeal = Appeal.objects.filter(pk=object_id).select_related("round").first()
            round_ = appeal.round if appeal else None
        if round_ is None:
            return None
        a = apprenticeships.get(pk=round_.apprenticeship_id)
        # The outcome is on the apprenticeship page; an appeal is between the apprentice,
        # their provider and the assessment organisation.
        among = {Role.APPRENTICE, Role.TUTOR}
        if event == Event.RESULT_CONFIRMED:
            among.add(Role.EMPLOYER)
        return Target(a, _detail(a), _people(a, _allowed(Action.VIEW, among=among)))
    if event == Event.IQA_FOLLOW_UP:
        item = IqaItem.objects.filter(pk=object_id, follow_up=IqaItem.FollowUp.OPEN).first()
        if item is None:
            return None  # followed up already
        a = apprenticeships.get(pk=item.apprenticeship_id)
        # The tutors of the apprenticeship now: they see the verdict and follow it up.
        return Target(a, item.get_absolute_url(), _people(a, {Role.TUTOR}))
    logger.error("Unknown notification event %r.", event)
    return None


def email_choice(user: User) -> str:
    setting = NotificationSetting.objects.filter(user=user).first()
    return setting.email if setting else EmailChoice.EACH


def _email_body(notification: Notification, recipient: User) -> str:
    return render_to_string(
        "notifications/email.txt",
        {
            "recipient": recipient,
            "label": notification.get_event_display(),
            "url": f"{settings.SITE_URL}{notification.url}",
            "settings_url": f"{settings.SITE_URL}{reverse('notifications:profile')}",
        },
    )


@transaction.atomic
def notify(*, event: str, key: str, object_id: int, now: dt.datetime | None = None) -> int:
    """Write one notification per person who waits on this event and may see its object,
    once: a notification already written for `key` is left alone. Queues an email for each
    new one whose person chose an email each. Returns how many were written now."""
    now = now or timezone.now()
    target = _target(event, object_id)
    if target is None:
        logger.info("Notification %s for %s: nothing to tell (gone or not ready).", event, key)
        return 0
    already = set(
        Notification.objects.filter(key=key, recipient__in=target.recipients).values_list(
            "recipient_id", flat=True
        )
    )
    choices = dict(
        NotificationSetting.objects.filter(user__in=target.recipients).values_list(
            "user_id", "email"
        )
    )
    written = 0
    for recipient in target.recipients:
        if recipient.pk in already:
            continue
        notification = Notification(
            recipient=recipient,
            key=key,
            event=event,
            apprenticeship=target.apprenticeship,
            url=target.url,
            created_at=now,
        )
        notification.full_clean(validate_constraints=False)
        notification.save()
        written += 1
        if event in IN_APP_ONLY or choices.get(recipient.pk, EmailChoice.EACH) != EmailChoice.EACH:
            continue
        outbox.enqueue(
            "outbox.tasks.send_email",
            key=f"notification-email:{notification.pk}",
            apprenticeship_id=target.apprenticeship.pk,
            to=[recipient.email],
            subject=notification.get_event_display(),
            body=_email_body(notification, recipient),
        )
        notification.emailed_at = now
        notification.save(update_fields=["emailed_at"])
    return written


@transaction.atomic
def send_digests(*, now: dt.datetime | None = None) -> int:
    """One email a day to each person who chose the digest, listing the kinds of what is
    new since their last one (never the details). Safe to run twice: what went out is
    marked. Returns how many emails were queued."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(
        recipient__notification_setting__email=EmailChoice.DIGEST,
        recipient__is_active=True,
        emailed_at__isnull=True,
        created_at__gt=now - DIGEST_WINDOW,
        created_at__lte=now,
    )
    sent = 0
    recipients = waiting.values("recipient").annotate(last=Max("pk")).order_by("recipient")
    for row in recipients:
        recipient = User.objects.get(pk=row["recipient"])
        items = list(
            waiting.select_for_update()
            .filter(recipient=recipient, pk__lte=row["last"])
            .order_by("created_at", "pk")
        )
        if not items:
            continue
        outbox.enqueue(
            "outbox.tasks.send_email",
            key=f"notification-digest:{recipient.pk}:{row['last']}",
            to=[recipient.email],
            subject=f"Your portfolio today: {len(items)} new notification"
            + ("" if len(items) == 1 else "s"),
            body=render_to_string(
                "notifications/digest.txt",
                {
                    "recipient": recipient,
                    "lines": [
                        (n.get_event_display(), f"{settings.SITE_URL}{n.url}") for n in items
                    ],
                    "list_url": f"{settings.SITE_URL}{reverse('notifications:list')}",
                    "settings_url": f"{settings.SITE_URL}{reverse('notifications:profile')}",
                },
            ),
        )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        sent += 1
    return sent


def mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the person's own notifications read (the first time only)."""
    if notification.recipient_id != by.pk:
        raise NotificationError("This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the person read. Returns how many."""
    return Notification.objects.unread().filter(recipient=user).update(read_at=timezone.now())


@transaction.atomic
def set_email_choice(*, user: User, email: str) -> NotificationSetting:
    """Save how the person wants emails about notifications."""
    if email not in EmailChoice.values:
        raise NotificationError("Choose one of the options.")
    setting, _ = NotificationSetting.objects.select_for_update().get_or_create(user=user)
    setting.email = email
    setting.updated_at = timezone.now()
    setting.save(update_fields=["email", "updated_at"])
    return setting


def unread_count(user: User) -> int:
    return Notification.objects.unread().filter(recipient=user).count()
