"""Two saves at once: the rules hold because the services lock the rows they check."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apprenticeship.models import Role
from apprenticeship.services import lock_apprenticeship
from portfolio.training.errors import OtjError
from portfolio.training.models import ActivityType, OtjEntry, OtjStanding
from portfolio.training.services import log as otj_log
from portfolio.training.services import planning as otj_planning
from tests import factories
from tests.helpers import concurrency

# Real concurrency needs PostgreSQL's row locks; SQLite runs one writer at a time.
pytestmark = pytest.mark.postgres_only


def run_at_once(*calls):
    return concurrency.run_at_once(*calls, refused=(ValidationError, OtjError))


@pytest.mark.django_db(transaction=True)
def test_two_entries_saved_at_once_never_pass_24_hours_in_a_day(personas):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.first()
    day = timezone.localdate() - dt.timedelta(days=4)

    def thirteen_hours():
        return otj_log.log_otj_entry(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            date=day,
            minutes=13 * 60,
            activity_type=ActivityType.PRACTICAL,
            duty=duty,
            description="Shadowing a crisis team shift.",
        )

    outcomes = run_at_once(thirteen_hours, thirteen_hours)
    saved = [o for o in outcomes if isinstance(o, OtjEntry)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(saved), len(refused)) == (1, 1)
    assert OtjEntry.objects.filter(date=day).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_verifiers_at_once_give_exactly_one_decision(personas):
    entry = factories.OtjEntryFactory(apprenticeship=personas["apprenticeship"])
    outcomes = run_at_once(
        lambda: otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR),
        lambda: otj_log.reject_otj_entry(
            entry=entry, by=personas["employer"], as_role=Role.EMPLOYER, reason="Not training"
        ),
    )
    decided = [o for o in outcomes if isinstance(o, OtjEntry)]
    assert len(decided) == 1
    assert isinstance([o for o in outcomes if not isinstance(o, OtjEntry)][0], OtjError)
    entry.refresh_from_db()
    assert entry.status == decided[0].status


@pytest.mark.django_db(transaction=True)
def test_a_break_and_an_entry_in_it_saved_at_once_cannot_both_succeed(personas):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.first()
    today = timezone.localdate()
    day = today - dt.timedelta(days=10)
    outcomes = run_at_once(
        lambda: otj_log.log_otj_entry(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            date=day,
            minutes=60,
            activity_type=ActivityType.ONLINE,
            duty=duty,
            description="Online module on safeguarding.",
        ),
        lambda: otj_planning.record_break_in_learning(
            apprenticeship=apprenticeship,
            by=personas["tutor"],
            start_date=today - dt.timedelta(days=14),
            end_date=None,
        ),
    )
    failures = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(failures) == 1


@pytest.mark.django_db(transaction=True)
def test_two_entries_verified_at_once_both_count_in_the_standing(personas):
    """Each decision works the standing out again from all the apprenticeship's entries,
    holding the apprenticeship's lock. A second decision made while the first is still
    uncommitted waits for it, and is worked out from what the first committed, not from
    what it saw before."""
    apprenticeship = personas["apprenticeship"]
    first, second = [
        factories.OtjEntryFactory(apprenticeship=apprenticeship, minutes=60) for _ in range(2)
    ]

    def verify(entry):
        return otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)

    outcomes = concurrency.second_while_first_uncommitted(
        lambda: verify(first), lambda: verify(second), refused=(ValidationError, OtjError)
    )
    assert all(isinstance(o, OtjEntry) for o in outcomes), outcomes
    standing = OtjStanding.objects.get(apprenticeship=apprenticeship)
    assert (standing.logged, standing.verified) == (120, 120)


@pytest.mark.django_db(transaction=True)
def test_one_decision_and_verifying_many_at_once_never_wait_for_each_other(personas):
    """Verifying many locks the apprenticeship, then the entries. A single decision takes
    the same locks in the same order, so while verifying many holds the apprenticeship,
    the decision waits without holding the entry, and whichever comes second is refused
    in words instead of PostgreSQL ending one of them as a deadlock."""
    apprenticeship = personas["apprenticeship"]
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    apprenticeship_locked = threading.Event()

    def verify_many_holding_the_apprenticeship_first():
        with transaction.atomic():
            lock_apprenticeship(apprenticeship.pk)
            apprenticeship_locked.set()
            # The single decision starts meanwhile.
            time.sleep(0.5)
            return otj_log.verify_otj_entries(
                apprenticeship=apprenticeship,
                by=personas["tutor"],
                as_role=Role.TUTOR,
                seen=[(entry.pk, entry.revision)],
            )

    def decide_once_the_apprenticeship_is_locked():
        apprenticeship_locked.wait(timeout=10)
        return otj_log.verify_otj_entry(entry=entry, by=personas["employer"], as_role=Role.EMPLOYER)

    many, single = run_at_once(
        verify_many_holding_the_apprenticeship_first, decide_once_the_apprenticeship_is_locked
    )
    assert many == (1, 0)
    assert isinstance(single, OtjError), single
    entry.refresh_from_db()
    assert entry.decided_by == personas["tutor"]
