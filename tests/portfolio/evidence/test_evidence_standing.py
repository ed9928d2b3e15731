"""The evidence standing (one row per apprenticeship that the caseload and the tutor's
"Waiting for you" read) follows each service that changes what waits for the tutor, in the
same transaction, and always equals what the items themselves say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apprenticeship import access
from apprenticeship.models import Role
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.models import Evidence, EvidenceStanding
from portfolio.evidence.services import decisions, testimony_requests
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.standing import refresh_evidence_standing
from tests import factories
from tests.helpers.concurrency import second_while_first_uncommitted
from tests.helpers.evidence import make_evidence


def _stored_equals_worked_out(apprenticeship) -> tuple:
    """The stored (waiting, oldest waiting), after checking that working it out again
    changes nothing. No row reads as nothing waiting."""
    row = EvidenceStanding.objects.filter(apprenticeship=apprenticeship).first()
    stored = (row.waiting, row.oldest_waiting) if row else (0, None)
    refresh_evidence_standing(apprenticeship_ids=[apprenticeship.pk])
    again = EvidenceStanding.objects.get(apprenticeship=apprenticeship)
    assert (again.waiting, again.oldest_waiting) == stored
    return stored


def _submitted_at(*items) -> list:
    return [Evidence.objects.get(pk=item.pk).submitted_at for item in items]


@pytest.mark.django_db
def test_each_evidence_service_keeps_the_standing(personas):
    a, tutor = personas["apprenticeship"], personas["tutor"]
    assert _stored_equals_worked_out(a) == (0, None)
    first = make_evidence(a)
    assert _stored_equals_worked_out(a) == (0, None)  # a draft waits for no one

    def submit(item):
        return services.submit_evidence(
            evidence=item, by=a.apprentice, own_work=True, names_no_one=True
        )

    first = submit(first)
    assert _stored_equals_worked_out(a) == (1, first.submitted_at)
    second = submit(make_evidence(a))
    assert _stored_equals_worked_out(a) == (2, first.submitted_at)

    first = services.take_back_evidence(evidence=first, by=a.apprentice)
    assert _stored_equals_worked_out(a) == (1, second.submitted_at)

    decisions.review_evidence(
        evidence=second, by=tutor, decision=decisions.Decision.REFER, feedback="Say more."
    )
    assert _stored_equals_worked_out(a) == (0, None)

    second = submit(Evidence.objects.get(pk=second.pk))
    assert _stored_equals_worked_out(a) == (1, second.submitted_at)
    decisions.review_evidence(
        evidence=second, by=tutor, decision=decisions.Decision.ACCEPT, feedback=""
    )
    assert _stored_equals_worked_out(a) == (0, None)

    # A testimony written for a request is sent to the tutor as evidence at once.
    asked = testimony_requests.request_testimony(
        apprenticeship=a,
        by=a.apprentice,
        activity="Running the Tuesday peer group",
        witness_name="Sam Outside",
        witness_email="sam@partner.example",
    )
    written = testimony_requests.write_requested_testimony(
        request=asked,
        by=None,
        author_role="Charity worker",
        witnessed_on=timezone.localdate(),
        text="I saw the apprentice run the group calmly and kindly.",
    )
    assert _stored_equals_worked_out(a) == (1, written.submitted_at)


@pytest.mark.django_db
def test_the_caseload_and_the_waiting_list_read_the_standing_not_the_items(personas):
    """However many items the apprentices on the page have, the caseload's evidence
    figures and its order read one row for each apprenticeship, and they are the ones
    worked out from the items."""
    a, tutor = personas["apprenticeship"], personas["tutor"]
    older = make_evidence(a, status=Evidence.Status.SUBMITTED)
    make_evidence(a, status=Evidence.Status.SUBMITTED)
    scope = evidence_selectors.annotate_caseload(access.apprenticeships_as(tutor, Role.TUTOR))
    with CaptureQueriesContext(connection) as context:
        (row,) = list(scope.filter(pk=a.pk))
    (sql,) = (q["sql"] for q in context.captured_queries)
    assert '"portfolio_evidence"' not in sql
    assert (row.evidence_waiting, row.oldest_waiting) == (2, *_submitted_at(older))


@pytest.mark.django_db
def test_refreshing_many_is_set_based():
    """Seeding refreshes thousands at once: a fixed number of queries a chunk, and a row for
    an apprenticeship with nothing waiting says so."""
    many = [factories.ApprenticeshipFactory() for _ in range(3)]
    for apprenticeship in many[:2]:
        factories.EvidenceFactory(
            apprenticeship=apprenticeship,
            status=Evidence.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    EvidenceStanding.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        refresh_evidence_standing(apprenticeship_ids=[a.pk for a in many])
    assert len(context.captured_queries) == 2
    stored = {s.apprenticeship_id: s.waiting for s in EvidenceStanding.objects.all()}
    assert [stored[a.pk] for a in many] == [1, 1, 0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_items_sent_at_once_both_wait_in_the_standing(personas):
    """Each change works the standing out again from all the apprenticeship's items,
    holding the apprenticeship's lock. A second item sent while the first is still
    uncommitted waits for it, and is worked out from what the first committed, not from
    what it saw before."""
    a = personas["apprenticeship"]
    first, second = make_evidence(a), make_evidence(a)

    def submit(item):
        return services.submit_evidence(
            evidence=item, by=a.apprentice, own_work=True, names_no_one=True
        )

    outcomes = second_while_first_uncommitted(lambda: submit(first), lambda: submit(second))
    assert all(isinstance(o, Evidence) for o in outcomes), outcomes
    assert EvidenceStanding.objects.get(apprenticeship=a).waiting == 2
