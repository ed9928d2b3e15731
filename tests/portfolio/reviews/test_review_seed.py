"""The demo data shows signed, partly signed and overdue reviews."""

import io

import pytest
from django.core.management import call_command

from apprenticeship.models import Apprenticeship
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import Review, ReviewSignature, ReviewVersion


@pytest.mark.django_db
def test_seed_demo_adds_signed_partly_signed_and_overdue_reviews_once():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Review.objects.count(),
        ReviewVersion.objects.count(),
        ReviewSignature.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Review.objects.count(),
        ReviewVersion.objects.count(),
        ReviewSignature.objects.count(),
    ) == counts

    statuses = set(Review.objects.values_list("status", flat=True))
    assert {"signed", "awaiting_signatures", "scheduled"} <= statuses
    assert ReviewVersion.objects.filter(number=2).exists()
    scope = Apprenticeship.objects.all()
    flags = review_schedule.review_flags(scope)
    assert flags["overdue"] >= 2 and flags["unsigned"] >= 1 and flags["late"] >= 1
    for signature in ReviewSignature.objects.select_related("version"):
        version = review_selectors.version_with_details(
            signature.version.review, signature.version.number
        )
        assert review_selectors.check_seal(signature, version).intact
