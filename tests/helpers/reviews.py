"""Recording and signing reviews through the services, as the app does, for tests."""

import datetime as dt

from django.utils import timezone

from portfolio.reviews.models import Review, ReviewParty
from portfolio.reviews.services import links as review_links
from portfolio.reviews.services import reviews

WELLBEING = "Sleeping badly since the move; wants to keep supervision weekly for now."


def record(personas, *, review: Review | None = None, **overrides) -> Review:
    """A review of the personas' apprenticeship, recorded by their tutor two days ago."""
    today = timezone.localdate()
    values = {
        "apprenticeship": personas["apprenticeship"],
        "by": personas["tutor"],
        "held_on": today - dt.timedelta(days=2),
        "format": "in_person",
        "employer_signatory": personas["employer"],
        "discussion": "Settling in; co-running the Tuesday peer group.",
        "employer_view": "Reliable and kind with people in crisis.",
        "wellbeing": WELLBEING,
        "targets": [("Write up one supervision session", today + dt.timedelta(days=30))],
        "review": review,
    }
    values.update(overrides)
    return reviews.record_review(**values)


def current(review: Review) -> Review:
    return Review.objects.with_current().get(pk=review.pk)


def sign(review: Review, user, party: str):
    review = current(review)
    return reviews.sign_review(
        review=review,
        by=user,
        party=party,
        seen_digest=reviews.seal_for(review.current_version, party),
    )


def sign_all(personas, review: Review) -> Review:
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    sign(review, personas["employer"], ReviewParty.EMPLOYER)
    sign(review, personas["tutor"], ReviewParty.TUTOR)
    return current(review)


def send_link(personas, review: Review, **kwargs):
    """A signing link for the employer; the returned link carries its `token`."""
    return review_links.send_signing_link(review=review, by=personas["tutor"], **kwargs)
