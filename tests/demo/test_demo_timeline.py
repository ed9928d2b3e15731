"""The demo tells a true story: every action is dated in the past, and nothing is dated
after anything that depends on it. A frozen portfolio "as it stood" on gateway day must
not hold sign-offs or acceptances dated later, a signature can't precede its review, an
assessment can't precede gateway."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from epa.models import AssessmentSession, ConflictDeclaration, GatewayDeclaration, GatewaySnapshot
from portfolio.evidence.models import DutySignOff, Evidence, EvidenceVersion, WitnessTestimony
from portfolio.reviews.models import ReviewSignature
from portfolio.training.models import OtjEntry
from tests.helpers.db import kept_for_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with kept_for_scope(django_db_blocker):
        call_command("seed_demo", stdout=io.StringIO())
        yield


def later_than(pairs) -> list[str]:
    return [
        f"{what}: {earlier} is after {later}" for what, earlier, later in pairs if earlier > later
    ]


def test_nothing_in_the_demo_is_dated_in_the_future(demo):
    now = timezone.now()
    today = timezone.localdate()
    assert not AuditEvent.objects.filter(at__gt=now).exists()
    assert not Evidence.objects.filter(submitted_at__gt=now).exists()
    assert not Evidence.objects.filter(activity_date__gt=today).exists()
    assert not DutySignOff.objects.filter(signed_at__gt=now).exists()
    assert not ReviewSignature.objects.filter(signed_at__gt=now).exists()
    assert not AssessmentSession.objects.filter(held_on__gt=today).exists()


def test_evidence_is_done_then_written_then_submitted_then_accepted_then_signed_off(demo):
    problems = later_than(
        (f"“{v.title}” submitted vs accepted", v.submitted_at, v.accepted_at)
        for v in EvidenceVersion.objects.all()
    )
    problems += later_than(
        (f"“{v.title}” activity vs accepted", v.activity_date, timezone.localdate(v.accepted_at))
        for v in EvidenceVersion.objects.exclude(activity_date=None)
    )
    problems += later_than(
        (f"“{e.title}” activity vs submitted", e.activity_date, timezone.localdate(e.submitted_at))
        for e in Evidence.objects.exclude(submitted_at=None).exclude(activity_date=None)
    )
    for sign_off in DutySignOff.objects.prefetch_related("evidence_versions"):
        problems += later_than(
            (f"acceptance of “{v.title}” vs its sign-off", v.accepted_at, sign_off.signed_at)
            for v in sign_off.evidence_versions.all()
        )
    problems += later_than(
        ("testimony witnessed vs written", t.witnessed_on, timezone.localdate(t.created_at))
        for t in WitnessTestimony.objects.all()
    )
    assert not problems, problems


def test_everything_gateway_relied_on_came_before_it_and_the_assessment_after(demo):
    problems = []
    for a in Apprenticeship.objects.exclude(gateway_passed_at=None):
        passed = a.gateway_passed_at
        snapshot = GatewaySnapshot.objects.get(apprenticeship=a)
        problems += later_than([(f"{a} gateway vs its snapshot", passed, snapshot.taken_at)])
        problems += later_than(
            (f"{a} sign-off of duty {s.duty_id} vs gateway", s.signed_at, passed)
            for s in DutySignOff.objects.filter(apprenticeship=a)
        )
        problems += later_than(
            (f"{a} acceptance vs gateway", v.accepted_at, passed)
            for v in EvidenceVersion.objects.filter(evidence__apprenticeship=a)
        )
        problems += later_than(
            (f"{a} confirmation vs gateway", d.declared_at, passed)
            for d in GatewayDeclaration.objects.filter(apprenticeship=a)
        )
        problems += later_than(
            (f"{a} training verified vs gateway", e.decided_at, passed)
            for e in OtjEntry.objects.filter(apprenticeship=a).exclude(decided_at=None)
        )
        problems += later_than(
            (f"{a} gateway vs conflict declaration", passed, d.declared_at)
            for d in ConflictDeclaration.objects.filter(apprenticeship=a)
        )
        problems += later_than(
            (f"{a} gateway vs assessment session", timezone.localdate(passed), s.held_on)
            for s in AssessmentSession.objects.filter(method_assessment__round__apprenticeship=a)
        )
    assert not problems, problems


def test_review_signatures_come_on_or_after_the_review(demo):
    problems = later_than(
        (
            f"review {s.version.review_id} held vs signed",
            s.version.held_on,
            timezone.localdate(s.signed_at),
        )
        for s in ReviewSignature.objects.select_related("version")
    )
    problems += later_than(
        (f"training on {e.date} vs verified", e.date, timezone.localdate(e.decided_at))
        for e in OtjEntry.objects.exclude(decided_at=None)
    )
    assert not problems, problems
