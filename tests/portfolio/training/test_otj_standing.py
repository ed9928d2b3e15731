"""The off-the-job standing (one row per apprenticeship that the caseload and the exports
read) follows each log service in the same transaction, and always equals what the
entries themselves say."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from portfolio.training import caseload
from portfolio.training.models import ActivityType, OtjEntry, OtjStanding
from portfolio.training.services import log as otj_log
from portfolio.training.services.standing import refresh_otj_standing
from tests import factories


def _standing(apprenticeship) -> dict:
    row = OtjStanding.objects.filter(apprenticeship=apprenticeship).values().first()
    return {k: v for k, v in (row or {}).items() if k != "apprenticeship_id"}


def _stored_equals_worked_out(apprenticeship) -> tuple:
    """The stored (logged, verified, last training, waiting to be verified), after checking
    that working it out again changes nothing."""
    stored = _standing(apprenticeship)
    refresh_otj_standing(apprenticeship_ids=[apprenticeship.pk])
    assert _standing(apprenticeship) == stored
    return stored["logged"], stored["verified"], stored["last_training"], stored["pending"]


@pytest.mark.django_db
def test_each_log_service_keeps_the_standing(personas):
    a, tutor = personas["apprenticeship"], personas["tutor"]
    apprentice = a.apprentice
    duty = a.standard_version.duties.order_by("number").first()
    today = timezone.localdate()
    day, later = today - dt.timedelta(days=9), today - dt.timedelta(days=3)
    assert _standing(a) == {}  # nothing yet: read as nothing logged

    def log(date, minutes, activity=ActivityType.TEACHING):
        return otj_log.log_otj_entry(
            apprenticeship=a,
            by=apprentice,
            date=date,
            minutes=minutes,
            activity_type=activity,
            duty=None if activity == ActivityType.ENGLISH_MATHS else duty,
            description="Workshop on recovery language.",
        )

    first = log(day, 60)
    assert _stored_equals_worked_out(a) == (60, 0, day, 1)
    # English and maths study is logged but never counts; it is verified all the same.
    log(later, 45, ActivityType.ENGLISH_MATHS)
    assert _stored_equals_worked_out(a) == (60, 0, day, 2)

    def change(entry, date, minutes):
        return otj_log.change_otj_entry(
            entry=entry,
            by=apprentice,
            date=date,
            minutes=minutes,
            activity_type=ActivityType.TEACHING,
            duty=duty,
            description="Workshop on recovery language.",
        )

    first = change(first, day, 90)  # waiting: changed in place
    assert _stored_equals_worked_out(a) == (90, 0, day, 2)

    second = log(later, 30)
    assert _stored_equals_worked_out(a) == (120, 0, later, 3)

    otj_log.verify_otj_entry(entry=first, by=tutor, as_role=Role.TUTOR)
    assert _stored_equals_worked_out(a) == (120, 90, later, 2)

    otj_log.reject_otj_entry(entry=second, by=tutor, as_role=Role.TUTOR, reason="Not training")
    assert _stored_equals_worked_out(a) == (90, 90, day, 1)

    # A decided entry changed becomes a new version, waiting: the old one stops counting.
    first = change(first, day, 75)
    assert _stored_equals_worked_out(a) == (75, 0, day, 2)

    otj_log.verify_otj_entries(
        apprenticeship=a, by=tutor, as_role=Role.TUTOR, seen=[(first.pk, first.revision)]
    )
    assert _stored_equals_worked_out(a) == (75, 75, day, 1)


@pytest.mark.django_db
def test_the_caseload_reads_the_standing_not_the_entries(personas):
    """However long the logs on the page, the caseload's figures read one row for each
    apprenticeship, and they are the ones worked out from the entries."""
    a = personas["apprenticeship"]
    factories.OtjEntryFactory(apprenticeship=a, minutes=120)
    rows = list(Apprenticeship.objects.select_related("standard_version").filter(pk=a.pk))
    with CaptureQueriesContext(connection) as context:
        totals = caseload.otj_totals(rows)
    assert not [q for q in context.captured_queries if "portfolio_otjentry" in q["sql"]]
    assert totals[a.pk].total.logged == 120


@pytest.mark.django_db
def test_refreshing_many_is_set_based():
    """Seeding refreshes thousands at once: a fixed number of queries a chunk, and a row for
    an apprenticeship with no entries says so."""
    many = [factories.ApprenticeshipFactory() for _ in range(3)]
    for apprenticeship in many[:2]:
        factories.OtjEntryFactory(apprenticeship=apprenticeship, minutes=60)
    OtjStanding.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        refresh_otj_standing(apprenticeship_ids=[a.pk for a in many])
    assert len(context.captured_queries) == 2
    assert [_standing(a)["logged"] for a in many] == [60, 60, 0]
    assert OtjEntry.objects.count() == 2
