"""Notifications: a few for the main demo people, some read and some not, each dated when
the thing it is about happened (never after today)."""

from django.db import transaction
from django.urls import reverse

from epa.models import AssessmentRound
from notifications.models import Event, Notification
from portfolio.evidence.models import Evidence
from portfolio.reviews.models import Review


def _add(*, recipient, key, event, apprenticeship, url, at, read) -> None:
    Notification.objects.get_or_create(
        key=f"demo:{key}",
        recipient=recipient,
        defaults={
            "event": event,
            "apprenticeship": apprenticeship,
            "url": url,
            "created_at": at,
            "read_at": at if read else None,
            "emailed_at": at,
        },
    )


@transaction.atomic
def seed(context) -> None:
    people, jamie = context.people, context.apprenticeships["apprentice"]
    submitted = Evidence.objects.filter(
        apprenticeship=jamie, status=Evidence.Status.SUBMITTED
    ).order_by("submitted_at")
    for n, evidence in enumerate(submitted):
        _add(
            recipient=people["tutor"],
            key=f"submitted:{evidence.pk}",
            event=Event.EVIDENCE_SUBMITTED,
            apprenticeship=jamie,
            url=evidence.get_absolute_url(),
            at=evidence.submitted_at,
            read=n > 0,
        )
    for evidence in Evidence.objects.filter(
        apprenticeship=jamie, reviewed_at__isnull=False
    ).exclude(status=Evidence.Status.SUBMITTED):
        referred = evidence.status == Evidence.Status.REFERRED
        _add(
            recipient=people["apprentice"],
            key=f"decided:{evidence.pk}",
            event=Event.EVIDENCE_REFERRED if referred else Event.EVIDENCE_ACCEPTED,
            apprenticeship=jamie,
            url=evidence.get_absolute_url(),
            at=evidence.reviewed_at,
            read=not referred,
        )
    waiting = (
        Review.objects.filter(apprenticeship=jamie, status=Review.Status.AWAITING_SIGNATURES)
        .select_related("current_version")
        .first()
    )
    if waiting is not None and waiting.current_version is not None:
        for key in ("apprentice", "employer"):
            _add(
                recipient=people[key],
                key=f"review:{waiting.current_version_id}",
                event=Event.REVIEW_READY,
                apprenticeship=jamie,
                url=waiting.get_absolute_url(),
                at=waiting.current_version.created_at,
                read=False,
            )
    confirmed = (
        AssessmentRound.objects.filter(confirmed_at__isnull=False)
        .select_related("apprenticeship")
        .order_by("confirmed_at")
        .first()
    )
    if confirmed is not None:
        a = confirmed.apprenticeship
        _add(
            recipient=people["tutor"],
            key=f"result:{confirmed.pk}",
            event=Event.RESULT_CONFIRMED,
            apprenticeship=a,
            url=reverse("dashboards:apprenticeship-detail", args=[a.pk]),
            at=confirmed.confirmed_at,
            read=True,
        )
