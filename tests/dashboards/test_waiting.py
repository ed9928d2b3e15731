"""The "Waiting for you" list on each role's home: what is there, where it links, and that
it goes once the thing is done. Figures are checked on SQLite too (bin/test runs them
again there)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from dashboards import waiting
from epa.services import gateway as gateway_services
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import decisions
from portfolio.reviews.models import ReviewParty
from portfolio.training.services import log as otj_log
from reports.models import Report
from tests import factories
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.reviews import record, sign
from tests.query_counts import MY_APPRENTICESHIPS_QUERIES, assert_flat_queries


@pytest.fixture
def recent(personas):
    """The personas' apprenticeship started three weeks ago: no review due yet."""
    start = timezone.localdate() - dt.timedelta(days=21)
    Apprenticeship.objects.filter(pk=personas["apprenticeship"].pk).update(start_date=start)
    personas["apprenticeship"].start_date = start
    return personas


def kinds(result: waiting.WaitingList) -> list[str]:
    return [item.kind for item in result.items]


def _home(client, user, url_name, *args):
    client.force_login(user)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_tutor_sees_evidence_to_review_until_it_is_reviewed(client, recent):
    personas = recent
    a = personas["apprenticeship"]
    evidence = make_evidence(a, status=Evidence.Status.SUBMITTED)
    result = waiting.for_tutor(personas["tutor"])
    assert kinds(result) == ["evidence_to_review"]
    item = result.items[0]
    assert item.label == "1 piece of evidence to review"
    assert item.url == reverse("portfolio:evidence-list", args=[a.pk]) + "?status=submitted"
    page = _home(client, personas["tutor"], "dashboards:caseload")
    assert "Waiting for you" in page and item.label in page

    decisions.review_evidence(
        evidence=evidence, by=personas["tutor"], decision="refer", feedback="Say more."
    )
    assert kinds(waiting.for_tutor(personas["tutor"])) == []
    # Now it waits for the apprentice instead.
    mine = waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))
    assert kinds(mine) == ["evidence_referred"]
    page = _home(client, personas["apprentice"], "dashboards:apprenticeship-detail", a.pk)
    assert "1 piece of evidence referred back to you" in page


def test_training_waits_for_the_verifiers_and_a_rejection_for_the_apprentice(personas):
    a = personas["apprenticeship"]
    entry = factories.OtjEntryFactory(apprenticeship=a)
    assert "otj_to_verify" in kinds(waiting.for_tutor(personas["tutor"]))
    assert "otj_to_verify" in kinds(waiting.for_employer(personas["employer"]))
    otj_log.reject_otj_entry(
        entry=entry, by=personas["employer"], as_role=Role.EMPLOYER, reason="Not on that day."
    )
    assert "otj_to_verify" not in kinds(waiting.for_tutor(personas["tutor"]))
    assert "otj_to_verify" not in kinds(waiting.for_employer(personas["employer"]))
    mine = waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))
    assert kinds(mine) == ["otj_rejected"]
    assert mine.items[0].url.endswith("?status=rejected")


def test_reviews_to_sign_and_those_waiting_for_others_are_counted_apart(client, personas):
    a = personas["apprenticeship"]
    first = record(personas)
    record(personas, held_on=timezone.localdate() - dt.timedelta(days=1))
    mine = waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))
    assert [i.label for i in mine.items] == ["2 progress reviews for you to sign"]
    assert mine.others == []
    assert "review_to_sign" in kinds(waiting.for_employer(personas["employer"]))
    assert "review_to_sign" in kinds(waiting.for_tutor(personas["tutor"]))

    sign(first, personas["apprentice"], ReviewParty.APPRENTICE)
    mine = waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))
    assert [i.label for i in mine.items] == ["1 progress review for you to sign"]
    assert [i.label for i in mine.others] == [
        "1 progress review you signed, waiting for the others to sign"
    ]
    page = _home(client, personas["apprentice"], "dashboards:apprenticeship-detail", a.pk)
    assert "1 progress review for you to sign" in page
    assert "Waiting for someone else" in page

    sign(first, personas["employer"], ReviewParty.EMPLOYER)
    employer_items = waiting.for_employer(personas["employer"]).items
    assert [i.label for i in employer_items if i.kind == "review_to_sign"] == [
        "1 progress review for you to sign"
    ]


def test_a_review_signed_only_by_someone_else_does_not_wait_for_another_employer(personas):
    record(personas)
    other_contact = factories.UserFactory()
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=other_contact, role=Role.EMPLOYER
    )
    # The review names the personas' employer as signatory: nothing waits for the other.
    assert "review_to_sign" not in kinds(waiting.for_employer(other_contact))


def test_testimonies_wait_until_used_in_evidence(personas):
    a = personas["apprenticeship"]
    testimony = factories.WitnessTestimonyFactory(apprenticeship=a, author=personas["employer"])
    mine = waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))
    assert kinds(mine) == ["testimony_received"]
    evidence = make_evidence(a)
    evidence.testimonies.add(testimony)
    assert kinds(waiting.for_apprentice(Apprenticeship.objects.filter(pk=a.pk))) == []


def test_an_overdue_review_waits_for_the_tutor_and_the_admin(personas):
    a = personas["apprenticeship"]
    Apprenticeship.objects.filter(pk=a.pk).update(
        start_date=timezone.localdate() - dt.timedelta(days=200)
    )
    tutor_items = waiting.for_tutor(personas["tutor"]).items
    assert [i.kind for i in tutor_items] == ["review_due"]
    assert tutor_items[0].label.startswith("Progress review overdue: due by ")
    admin = waiting.for_admin(personas["admin"])
    assert [i.label for i in admin.items] == ["1 apprentice has a progress review overdue"]
    assert admin.items[0].url == reverse("dashboards:overview") + "?review=overdue"


def test_gateway_confirmations_wait_for_the_employer_then_the_provider(personas):
    a = make_ready(personas["apprenticeship"], personas["tutor"])
    assert "gateway_employer" in kinds(waiting.for_employer(personas["employer"]))
    assert "gateway_provider" not in kinds(waiting.for_tutor(personas["tutor"]))
    gateway_services.declare(
        apprenticeship=a, party="employer", by=personas["employer"], confirmed=True
    )
    assert "gateway_employer" not in kinds(waiting.for_employer(personas["employer"]))
    tutor_items = waiting.for_tutor(personas["tutor"]).items
    assert [i.url for i in tutor_items if i.kind == "gateway_provider"] == [
        reverse("epa:gateway", args=[a.pk])
    ]
    gateway_services.declare(
        apprenticeship=a, party="provider", by=personas["tutor"], confirmed=True
    )
    assert "gateway_provider" not in kinds(waiting.for_tutor(personas["tutor"]))


def test_the_assessor_sees_assessments_not_yet_confirmed(client, post_gateway, personas):
    result = waiting.for_assessor(personas["assessor"])
    assert kinds(result) == ["assessment"]
    assert result.items[0].url == reverse("epa:assessment", args=[post_gateway.pk])
    page = _home(client, personas["assessor"], "dashboards:assessor-home")
    assert result.items[0].label in page
    Apprenticeship.objects.filter(pk=post_gateway.pk).update(status=Apprenticeship.Status.COMPLETED)
    assert kinds(waiting.for_assessor(personas["assessor"])) == []


def test_the_admin_sees_enrolments_without_a_tutor_and_failed_reports(client, recent):
    personas = recent
    a = personas["apprenticeship"]
    other = factories.ApprenticeshipFactory(
        provider=a.provider,
        employer=a.employer,
        standard_version=a.standard_version,
        start_date=a.start_date,
    )
    failed = Report.objects.create(
        apprenticeship=a,
        kind=Report.Kind.PORTFOLIO,
        audience=Report.Audience.FULL,
        fingerprint="a" * 64,
        status=Report.Status.FAILED,
        requested_at=timezone.now() - dt.timedelta(hours=1),
    )
    result = waiting.for_admin(personas["admin"])
    assert ("unassigned", other.apprentice.full_name) in [
        (i.kind, i.apprentice) for i in result.items
    ]
    assert ("report_failed", failed.get_absolute_url()) in [(i.kind, i.url) for i in result.items]
    # Another provider's admin sees none of it.
    outsiders = {i.apprentice for i in waiting.for_admin(personas["outsider"]).items}
    assert not outsiders & {a.apprentice.full_name, other.apprentice.full_name}
    # Asked for again: the failure is no longer waiting.
    Report.objects.create(
        apprenticeship=a,
        kind=Report.Kind.PORTFOLIO,
        audience=Report.Audience.FULL,
        fingerprint="b" * 64,
        status=Report.Status.READY,
    )
    factories.MembershipFactory(apprenticeship=other, user=personas["tutor"], role=Role.TUTOR)
    assert {"unassigned", "report_failed"} & set(kinds(waiting.for_admin(personas["admin"]))) == (
        set()
    )
    page = _home(client, personas["admin"], "dashboards:overview")
    assert "Nothing is waiting for you." in page


def test_outsiders_see_nothing_of_the_personas(personas):
    make_evidence(personas["apprenticeship"], status=Evidence.Status.SUBMITTED)
    factories.OtjEntryFactory(apprenticeship=personas["apprenticeship"])
    theirs = personas["apprentice"].full_name
    for result in (
        waiting.for_tutor(personas["outsider"]),
        waiting.for_employer(personas["outsider"]),
        waiting.for_assessor(personas["outsider"]),
        waiting.for_admin(personas["outsider"]),
    ):
        assert theirs not in {i.apprentice for i in result.items}


def _grow_waiting(personas, n=6):
    a = personas["apprenticeship"]

    def grow():
        for _ in range(n):
            other = factories.ApprenticeshipFactory(
                provider=a.provider, employer=a.employer, standard_version=a.standard_version
            )
            for role in (Role.TUTOR, Role.EMPLOYER):
                factories.MembershipFactory(apprenticeship=other, user=personas[role], role=role)
            make_evidence(other, status=Evidence.Status.SUBMITTED)
            factories.OtjEntryFactory(apprenticeship=other)
            factories.WitnessTestimonyFactory(apprenticeship=other)

    return grow


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [("tutor", "dashboards:caseload"), ("employer", "dashboards:employer-home")],
)
def test_the_list_keeps_the_homes_flat(client, personas, persona, url_name):
    from tests.query_counts import CASELOAD_QUERIES, EMPLOYER_HOME_QUERIES

    expected = {"tutor": CASELOAD_QUERIES, "employer": EMPLOYER_HOME_QUERIES}[persona]
    _grow_waiting(personas, 2)()
    client.force_login(personas[persona])
    assert_flat_queries(client, reverse(url_name), _grow_waiting(personas), expected)


def test_the_apprentices_list_keeps_a_flat_query_count(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["apprentice"])

    def grow():
        for _ in range(5):
            make_evidence(a, status=Evidence.Status.REFERRED, tutor=personas["tutor"])
            factories.WitnessTestimonyFactory(apprenticeship=a)
        record(personas)

    grow()
    url = reverse("dashboards:my-apprenticeships")
    assert_flat_queries(client, url, grow, MY_APPRENTICESHIPS_QUERIES)


def test_a_long_list_stops_and_says_there_is_more(personas, monkeypatch):
    monkeypatch.setattr(waiting, "LIMIT", 2)
    _grow_waiting(personas, 3)()
    result = waiting.for_tutor(personas["tutor"])
    assert result.more
    assert len({i.apprentice for i in result.items}) == 2


def test_the_rows_are_picked_by_whether_anything_waits_and_counted_once(personas):
    """Counting everything waiting on each of a caseload's apprenticeships to pick the rows
    read every waiting row (a tutor's 300 apprenticeships, every entry to verify); EXISTS
    stops at the first. Each count is worked out once, for the rows shown. The evidence
    and the entries waiting are not counted at all: their standing rows keep the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        waiting.for_tutor(personas["tutor"])
    (sql,) = (q["sql"].upper() for q in context.captured_queries)
    counted = 3  # reviews to sign, IQA follow-ups, testimonies asked for
    assert sql.count("COUNT(*)") == counted
    assert sql.count("EXISTS") >= counted
    assert '"PORTFOLIO_EVIDENCE"' not in sql
    assert '"PORTFOLIO_OTJENTRY"' not in sql
    assert '"PORTFOLIO_EVIDENCESTANDING"."WAITING"' in sql
    assert '"PORTFOLIO_OTJSTANDING"."PENDING"' in sql


def test_the_employers_list_reads_only_what_its_rules_need(personas):
    """The employer's list counts entries to verify from the off-the-job standing and
    reads the duties for its gateway rule; it joins no evidence standing, which none of
    its rules reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        waiting.for_employer(personas["employer"])
    (sql,) = (q["sql"].upper() for q in context.captured_queries)
    assert '"PORTFOLIO_OTJSTANDING"."PENDING"' in sql
    assert "PORTFOLIO_EVIDENCESTANDING" not in sql
    assert '"PORTFOLIO_OTJENTRY"' not in sql


def test_a_review_due_soon_waits_until_one_is_planned_and_an_overdue_one_always(personas):
    from portfolio.reviews import schedule as review_schedule

    a = personas["apprenticeship"]
    due = (
        review_schedule.with_review_status(Apprenticeship.objects.filter(pk=a.pk))
        .get()
        .next_review_due
    )
    soon, late = due - dt.timedelta(days=5), due + dt.timedelta(days=1)

    def labels(today):
        return [i.label for i in waiting.for_tutor(personas["tutor"], today=today).items]

    assert labels(due - dt.timedelta(days=30)) == []
    assert labels(soon) == [f"Progress review due: due by {due:%-d %B %Y}"]
    factories.ReviewFactory(apprenticeship=a, scheduled_for=due, created_by=personas["tutor"])
    assert labels(soon) == []
    assert labels(late) == [f"Progress review overdue: due by {due:%-d %B %Y}"]
