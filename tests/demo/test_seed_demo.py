"""The demo data: every stage of the product, shown once however often seed_demo runs.

Building the demo takes several seconds, so it is built once for this module (see
tests/helpers/db.py). Each test runs seed_demo again on top, to show a second run adds
nothing; that run and anything else a test changes is rolled back when the test ends."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    BreakInLearning,
    CrosswalkSuggestion,
    Organisation,
    OrganisationMembership,
)
from audit.models import AuditEvent
from epa.models import AssessmentQuestion, AssessmentRound, ConflictDeclaration
from epa.selectors.rules import rules_in_force
from epa.selectors.summary import assessment_summary
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceFile,
    ProtectedName,
    WitnessTestimony,
)
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import Review, ReviewSignature, ReviewVersion
from portfolio.supervision.models import SupervisionRecord
from portfolio.supervision.selectors import supervision_gap, with_last_supervision
from portfolio.training.caseload import otj_totals
from portfolio.training.models import OtjEntry, OtjPlannedMonth
from portfolio.training.plan import Pace
from portfolio.training.selectors import otj_summary
from portfolio.wellbeing.models import ReasonableAdjustment, WellbeingPlan
from standards.models import CompetenceFramework, FrameworkUnit
from tests.helpers.db import kept_for_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker) -> str:
    """What seed_demo printed when it built the demo for this module."""
    with kept_for_scope(django_db_blocker):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()


def test_seed_demo_is_idempotent_and_prints_the_logins(first_run):
    second = io.StringIO()
    counts = (Organisation.objects.count(), OrganisationMembership.objects.count())
    call_command("seed_demo", "--password", "another-pass", stdout=second)
    assert (Organisation.objects.count(), OrganisationMembership.objects.count()) == counts
    for email in ("admin@", "tutor@", "employer@", "assessor@", "apprentice@", "operator@"):
        assert f"{email}example.org" in first_run
    assert "peer-worker-demo" in first_run
    assert User.objects.get(email="operator@example.org").is_superuser
    assert "another-pass" in second.getvalue()
    # Two-factor sign-in is on by default, so the demo says what a newcomer meets.
    assert "REQUIRE_TWO_FACTOR_FOR_STAFF=false" in first_run


def test_seed_demo_says_when_two_factor_sign_in_is_off(first_run, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Two-factor sign-in is not required in this demo" in out.getvalue()


def test_seed_demo_adds_evidence_in_every_state_with_real_files_once(first_run):
    states = set(Evidence.objects.values_list("status", flat=True))
    assert states == set(Evidence.Status.values)
    files = list(EvidenceFile.objects.all())
    assert {f.category for f in files} == {"image", "document"}
    for file in files:
        with file.file.open("rb") as handle:
            assert len(handle.read()) == file.size
    assert (
        DutySignOff.objects.active()
        .filter(apprenticeship__apprentice__email="apprentice@example.org")
        .count()
        == 2
    )
    assert WitnessTestimony.objects.filter(evidence__isnull=False).exists()
    assert ProtectedName.objects.exists()
    assert Evidence.objects.filter(visible_to_employer=False).exclude(status="draft").exists()
    counts = (Evidence.objects.count(), EvidenceFile.objects.count(), DutySignOff.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Evidence.objects.count(),
        EvidenceFile.objects.count(),
        DutySignOff.objects.count(),
    ) == counts


def test_the_demo_shows_months_of_off_the_job_training_and_one_apprentice_behind(first_run):
    counts = (OtjEntry.objects.count(), BreakInLearning.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (OtjEntry.objects.count(), BreakInLearning.objects.count()) == counts

    statuses = set(OtjEntry.objects.values_list("status", flat=True))
    assert statuses == {"pending", "verified", "rejected"}
    assert OtjEntry.objects.filter(version=2).exists()
    assert AuditEvent.objects.filter(action="otj.verified").exists()
    rows = list(Apprenticeship.objects.select_related("apprentice", "standard_version"))
    totals = otj_totals(rows)
    behind = [row.apprentice.full_name for row in rows if totals[row.pk].total.state == Pace.BEHIND]
    assert behind == ["Ruth Adeyemi"]
    morgan = Apprenticeship.objects.select_related("standard_version").get(
        apprentice__email="morgan.ellis@example.org"
    )
    summary = otj_summary(morgan)
    assert summary.total.state in (Pace.ON_TRACK, Pace.DONE)
    assert summary.prior_learning_minutes == 12 * 60
    assert summary.planned_end_with_breaks > summary.planned_end
    jamie = Apprenticeship.objects.select_related("standard_version").get(
        apprentice__email="apprentice@example.org"
    )
    # A 2025-26 start with the provider's interim minimum and no schedule: the pace is
    # shown for information, never as behind.
    assert otj_summary(jamie).total.state == Pace.NO_SCHEDULE


def test_seed_demo_adds_signed_partly_signed_and_overdue_reviews_once(first_run):
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


def test_seed_demo_shows_every_stage_of_the_end_point_assessment_once(first_run):
    assert "epao.admin@example.org" in first_run

    def stage(email):
        return Apprenticeship.objects.get(apprentice__email=email)

    waiting = stage("lena.kowalski@example.org")
    assert waiting.status == Apprenticeship.Status.GATEWAY
    assert assessment_summary(waiting).state == "Waiting for an assessor"

    mid = stage("marcus.bell@example.org")
    assert mid.status == Apprenticeship.Status.EPA
    assert assessment_summary(mid).state == "First attempt: 1 of 2 methods graded"

    distinction = stage("aisha.rahman@example.org")
    assert distinction.status == Apprenticeship.Status.COMPLETED
    assert assessment_summary(distinction).state == "Completed: distinction"

    resit = stage("tom.walsh@example.org")
    first, second = AssessmentRound.objects.filter(apprenticeship=resit).order_by("number")
    assert (first.overall_grade, second.kind, second.overall_grade) == ("fail", "resit", "pass")
    assert second.cap_applied and second.table_grade == "distinction"
    assert sorted(second.grades) == ["AM1", "AM2"] and second.grades["AM1"]["round"] == 1
    # Capped by Fairway's own recorded policy: ST0896's plan states no resit rules.
    assert second.resit_policy.name == "Resit and retake policy, version 2 (January 2025)"
    assert "Fairway End-Point Assessment's policy" in second.cap_basis
    # Past the typical period (SRC-PIER), which is guidance: not a breach.
    window = assessment_summary(resit).window
    assert window.beyond_typical and not window.breached

    # Tom's two results and Aisha's, Owen's (eras.py), and Hana's and Dan's (quality.py).
    assert AuditEvent.objects.filter(action="epa.result_confirmed").count() == 6
    counts = (
        AssessmentRound.objects.count(),
        AssessmentQuestion.objects.count(),
        ConflictDeclaration.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        AssessmentRound.objects.count(),
        AssessmentQuestion.objects.count(),
        ConflictDeclaration.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_demo_has_an_apprentice_in_each_era_of_the_rules(first_run):
    def era(email):
        a = Apprenticeship.objects.select_related("standard_version", "provider", "epao").get(
            apprentice__email=email
        )
        return a, rules_in_force(a)

    # Before 1 August 2022: the 20% rule (SRC-HASO-OTJ), completed in 2023.
    owen, owen_rules = era("owen.price@example.org")
    assert owen_rules.funding_year.year == "2021-22"
    assert owen.status == Apprenticeship.Status.COMPLETED
    assert any(r.figure.startswith("20% of contracted hours") for r in owen_rules.rules)
    # 2022-25: the 4-week rule (P36.2), and Ruth flagged for a gap of more than 4 weeks.
    ruth, ruth_rules = era("ruth.adeyemi@example.org")
    assert ruth_rules.funding_year.year == "2024-25"
    gap = otj_summary(ruth).current_gap
    assert gap is not None and gap.ongoing and gap.days > 35
    # 2025-26: Nadia trains unevenly, as her tutor's month-by-month schedule plans.
    nadia, nadia_rules = era("nadia.hussain@example.org")
    assert nadia_rules.funding_year.year == "2025-26"
    summary = otj_summary(nadia)
    assert summary.uneven and summary.has_schedule
    assert summary.total.state == Pace.ON_TRACK
    assert summary.total.logged == summary.total.expected
    monthly = {}
    for row in OtjPlannedMonth.objects.filter(plan__apprenticeship=nadia):
        monthly[row.month] = monthly.get(row.month, 0) + row.minutes
    assert max(monthly.values()) >= 3 * min(v for v in monthly.values() if v)  # uneven
    # After 1 August 2026: the 2026-27 rules are not loaded, and the page says so.
    sam, sam_rules = era("sam.carter@example.org")
    assert not sam_rules.funding_year.loaded and sam_rules.funding_year.applied == "2025-26"
    # The interim minimum is the provider's own, and labelled so.
    minimum = otj_summary(sam).minimum
    assert minimum is not None and not minimum.official and minimum.provenance == "provider"
    otj_rule = next(r for r in sam_rules.rules if r.key == "otj_required")
    assert otj_rule.figure == "280 hours (the provider's interim figure)"
    counts = (OtjEntry.objects.count(), OtjPlannedMonth.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (OtjEntry.objects.count(), OtjPlannedMonth.objects.count()) == counts


def test_a_second_provider_shows_that_tenancy_holds(first_run):
    from apprenticeship import access
    from portfolio.training.selectors import otj_summary

    assert "eastgate.admin@example.org" in first_run
    eastgate_admin = User.objects.get(email="eastgate.admin@example.org")
    theirs = list(access.visible_apprenticeships(eastgate_admin))
    assert [a.apprentice.email for a in theirs] == ["lena.moss@example.org"]
    northfield = Apprenticeship.objects.select_related("standard_version").get(
        apprentice__email="apprentice@example.org"
    )
    eastgate = Apprenticeship.objects.select_related("standard_version").get(pk=theirs[0].pk)
    # Northfield's interim off-the-job minimum applies to its own apprentices only.
    assert otj_summary(northfield).total.required is not None
    assert otj_summary(eastgate).total.required is None


def test_the_demo_shows_the_supervision_log_once(first_run):
    call_command("seed_demo", stdout=io.StringIO())
    jamie = Apprenticeship.objects.get(apprentice__email="apprentice@example.org")
    records = list(jamie.supervision_records.order_by("held_on"))
    assert [r.kind for r in records] == ["managerial", "peer", "peer"]
    assert records[0].held_on < records[1].held_on < records[2].held_on < timezone.localdate()
    assert records[1].evidence is not None and records[1].evidence.account == ""
    assert records[2].otj_entry is not None and records[2].reflection_shared
    assert not records[1].reflection_shared and not records[1].shared_with_employer
    assert SupervisionRecord.objects.count() == 5
    gaps = {
        a.apprentice.email: supervision_gap(a)
        for a in with_last_supervision(Apprenticeship.objects.select_related("apprentice"))
    }
    assert gaps["apprentice@example.org"] is None
    assert gaps["kofi.mensah@example.org"] is not None


def test_the_demo_has_notifications_some_unread_once(first_run):
    from notifications.models import Notification

    tutor = User.objects.get(email="tutor@example.org")
    apprentice = User.objects.get(email="apprentice@example.org")
    before = Notification.objects.count()
    assert Notification.objects.unread().filter(recipient=tutor).exists()
    assert Notification.objects.unread().filter(recipient=apprentice).exists()
    assert Notification.objects.filter(recipient=tutor, read_at__isnull=False).exists()
    call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.count() == before


def test_the_demo_shows_a_wellbeing_plan_shared_in_part(first_run):
    call_command("seed_demo", stdout=io.StringIO())
    jamie = Apprenticeship.objects.get(apprentice__email="apprentice@example.org")
    plan = WellbeingPlan.objects.get(apprenticeship=jamie)
    assert plan.versions.count() == 2
    active = set(plan.shares.filter(withdrawn_at__isnull=True).values_list("section", "audience"))
    assert active == {("what_helps", "tutor")}
    assert plan.shares.filter(withdrawn_at__isnull=False).count() == 1


def test_the_demo_shows_reasonable_adjustments_in_each_place(first_run):
    call_command("seed_demo", stdout=io.StringIO())
    jamie = Apprenticeship.objects.get(apprentice__email="apprentice@example.org")
    rows = {a.area: a.status for a in ReasonableAdjustment.objects.filter(apprenticeship=jamie)}
    assert rows == {"work": "agreed", "learning": "agreed", "assessment": "requested"}
    # Marcus's request went with his gateway, and the assessment organisation agreed it.
    marcus = ReasonableAdjustment.objects.get(
        apprenticeship__apprentice__email="marcus.bell@example.org"
    )
    assert marcus.status == "agreed" and marcus.passed_by.email == "tutor@example.org"
    assert marcus.decided_by.email == "epao.admin@example.org"


def test_the_demo_loads_the_nccmh_framework_once(first_run):
    call_command("seed_demo", stdout=io.StringIO())
    assert CompetenceFramework.objects.count() == 1
    assert FrameworkUnit.objects.count() == 29
    jamie = Apprenticeship.objects.get(apprentice__email="apprentice@example.org")
    assert jamie.competence_frameworks.count() == 1
    mapped = Evidence.objects.filter(apprenticeship=jamie, framework_units__isnull=False)
    assert sorted(mapped.values_list("framework_units__code", flat=True)) == ["2.4", "3.2"]
    # Northfield's own mapping, started from the suggestion; Eastgate has none.
    suggested = CrosswalkSuggestion.objects.filter(provider_id=jamie.provider_id)
    assert suggested.filter(duty__number=8, unit__code="3.2").exists()
    assert CrosswalkSuggestion.objects.exclude(provider_id=jamie.provider_id).count() == 0


def test_the_demo_shows_a_moderated_result_and_one_waiting(first_run):
    from quality.models import ModerationCase, ModerationDecision

    assert "moderator@example.org" in first_run
    moderated = Apprenticeship.objects.get(apprentice__email="hana.osei@example.org")
    assert moderated.status == Apprenticeship.Status.COMPLETED
    assert assessment_summary(moderated).state == "Completed: distinction"
    waiting = Apprenticeship.objects.get(apprentice__email="dan.morris@example.org")
    assert waiting.status == Apprenticeship.Status.EPA
    assert "waiting for moderation" in assessment_summary(waiting).state
    assert assessment_summary(waiting).results == []
    statuses = dict(ModerationCase.objects.values_list("apprenticeship_id", "status"))
    assert statuses == {moderated.pk: "confirmed", waiting.pk: "waiting"}
    assert ModerationDecision.objects.count() == 1
    from quality.models import CertificateRequest

    certificate = CertificateRequest.objects.get()
    assert certificate.apprenticeship == moderated
    assert timezone.localdate(certificate.round.released_at) < certificate.requested_on
    assert certificate.requested_on < timezone.localdate()
    # Results confirmed before the policy were released when confirmed.
    assert (
        not AssessmentRound.objects.filter(confirmed_at__isnull=False, released_at__isnull=True)
        .exclude(apprenticeship=waiting)
        .exists()
    )
    # Every date is in the past and in order.
    case = ModerationCase.objects.get(apprenticeship=moderated)
    assert waiting.gateway_passed_at < ModerationCase.objects.get(apprenticeship=waiting).sampled_at
    assert case.sampled_at < case.decided_at < timezone.now()
    call_command("seed_demo", stdout=io.StringIO())
    assert ModerationCase.objects.count() == 2 and ModerationDecision.objects.count() == 1
    assert CertificateRequest.objects.count() == 1


def test_the_demo_shows_a_sampled_cohort_with_verdicts(first_run):
    from quality.models import IqaDraw, IqaItem, SamplingPlan

    assert "iqa.lead@example.org" in first_run
    plan = SamplingPlan.objects.get()
    assert IqaDraw.objects.filter(plan=plan).count() == 1
    verdicts = sorted(IqaItem.objects.exclude(verdict="").values_list("verdict", flat=True))
    assert verdicts == ["agree", "agree_action", "disagree"]
    disagreed = IqaItem.objects.get(verdict="disagree")
    assert disagreed.stage == "sign_off" and disagreed.follow_up == "open"
    assert IqaItem.objects.filter(verdict="").exists()
    counts = (SamplingPlan.objects.count(), IqaItem.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (SamplingPlan.objects.count(), IqaItem.objects.count()) == counts


def test_the_demo_shows_an_auditor_with_open_access(first_run):
    from audit.actions import AuditAction
    from audit.models import AuditEvent
    from quality.auditors import apprenticeships_in_scope, open_grants

    assert "auditor@example.org" in first_run
    auditor = User.objects.get(email="auditor@example.org")
    (grant,) = open_grants(auditor)
    assert grant.organisation.name == "Northfield Peer Training"
    assert apprenticeships_in_scope(grant).exists()
    assert (
        AuditEvent.objects.filter(action=AuditAction.AUDITOR_READ, object_id=str(grant.pk)).count()
        == 4
    )


def test_the_demo_books_marcuss_discussion_with_his_adjustments_beside_it(first_run, client):
    from django.urls import reverse

    from quality.models import AssessmentBooking

    (booking,) = AssessmentBooking.objects.filter(
        apprenticeship__apprentice__email="marcus.bell@example.org"
    )
    assert booking.starts_at > timezone.now() and booking.assessor.email == "assessor@example.org"
    client.force_login(booking.assessor)
    page = client.get(reverse("quality:booking-list", args=[booking.apprenticeship_id]))
    content = page.content.decode()
    assert "Adjustments agreed for the assessment" in content
    assert "questions in writing ten minutes before" in content


def test_the_demo_has_a_testimony_waiting_for_the_employer(first_run):
    from dashboards import waiting
    from portfolio.evidence.models import TestimonyRequest

    asked = TestimonyRequest.objects.open().get(witness__email="employer@example.org")
    assert asked.apprenticeship.apprentice.email == "apprentice@example.org"
    employer = User.objects.get(email="employer@example.org")
    kinds = [item.kind for item in waiting.for_employer(employer).items]
    assert "testimony_asked" in kinds
