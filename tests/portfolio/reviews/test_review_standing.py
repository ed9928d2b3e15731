"""The review standing (one row per apprenticeship that every review list and count
reads) follows each review service in the same transaction, and always equals what the
reviews and agreed intervals themselves say."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews.models import ReviewStanding
from portfolio.reviews.services import scheduling
from portfolio.reviews.services.standing import refresh_standing
from tests import factories
from tests.helpers.reviews import record, sign_all


def _standing(apprenticeship) -> dict:
    row = ReviewStanding.objects.filter(apprenticeship=apprenticeship).values().first()
    return {k: v for k, v in (row or {}).items() if k != "apprenticeship_id"}


def _stored_equals_worked_out(apprenticeship) -> dict:
    """The stored standing, after checking that working it out again changes nothing."""
    stored = _standing(apprenticeship)
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    assert _standing(apprenticeship) == stored
    return stored


@pytest.mark.django_db
def test_each_review_service_keeps_the_standing(personas):
    a, tutor = personas["apprenticeship"], personas["tutor"]
    today = timezone.localdate()
    assert _standing(a) == {}  # nothing yet: read as no review and the funding rule

    planned = scheduling.schedule_review(
        apprenticeship=a, by=tutor, scheduled_for=today + dt.timedelta(days=10)
    )
    assert _stored_equals_worked_out(a)["next_planned"] == today + dt.timedelta(days=10)

    scheduling.reschedule_review(
        review=planned, by=tutor, scheduled_for=today + dt.timedelta(days=20)
    )
    assert _stored_equals_worked_out(a)["next_planned"] == today + dt.timedelta(days=20)

    scheduling.cancel_review(review=planned, by=tutor, reason="The apprentice is off sick.")
    assert _stored_equals_worked_out(a)["next_planned"] is None

    held_on = today - dt.timedelta(days=20)
    review = record(personas, held_on=held_on)
    stored = _stored_equals_worked_out(a)
    assert (stored["last_held_on"], stored["awaiting_signatures"]) == (held_on, 1)
    assert stored["signed_late"] is False

    sign_all(personas, review)  # today: 20 days after it was held
    stored = _stored_equals_worked_out(a)
    assert (stored["awaiting_signatures"], stored["signed_late"]) == (0, True)

    scheduling.agree_review_interval(
        apprenticeship=a, by=tutor, every=6, unit="weeks", reason="Settling into a new team."
    )
    stored = _stored_equals_worked_out(a)
    assert (stored["agreed_months"], stored["agreed_weeks"]) == (0, 6)

    scheduling.use_funding_rule_interval(apprenticeship=a, by=tutor)
    stored = _stored_equals_worked_out(a)
    assert (stored["agreed_months"], stored["agreed_weeks"]) == (None, None)


@pytest.mark.django_db
def test_the_flags_follow_the_services(personas):
    """The overview's counts move with each service, with no other step in between."""
    a = personas["apprenticeship"]
    scope = Apprenticeship.objects.filter(pk=a.pk)
    review = record(personas, held_on=timezone.localdate() - dt.timedelta(days=20))
    assert review_schedule.review_flags(scope)["unsigned"] == 1
    sign_all(personas, review)
    flags = review_schedule.review_flags(scope)
    assert (flags["unsigned"], flags["late"]) == (0, 1)


@pytest.mark.django_db
def test_refreshing_many_is_set_based():
    """Seeding and imports refresh thousands at once: a fixed number of queries a chunk."""
    many = [factories.ApprenticeshipFactory() for _ in range(3)]
    for apprenticeship in many:
        factories.ReviewFactory(apprenticeship=apprenticeship)
    with CaptureQueriesContext(connection) as context:
        refresh_standing(apprenticeship_ids=[a.pk for a in many])
    assert len(context.captured_queries) == 3
    assert (
        ReviewStanding.objects.filter(apprenticeship__in=many, next_planned__isnull=False).count()
        == 3
    )
