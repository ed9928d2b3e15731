"""The gateway checklist, the sealed declarations, passing gateway and the frozen
portfolio."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import Apprenticeship, BreakInLearning
from audit.models import AuditEvent
from epa.models import EnglishMaths, GatewayDeclaration, GatewaySnapshot
from epa.selectors import frozen
from epa.selectors import gateway as selectors
from epa.services import gateway as services
from epa.services.gateway import GatewayError
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as evidence_services
from portfolio.evidence.services import sign_offs
from portfolio.reviews import schedule as review_schedule
from portfolio.training import selectors as otj
from tests import factories
from tests.helpers.evidence import make_evidence

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER


def item(apprenticeship, key, today=None):
    return next(i for i in selectors.checklist(apprenticeship, today=today) if i.key == key)


@pytest.mark.parametrize(
    ("age", "on", "required"),
    [
        (16, dt.date(2026, 1, 1), True),
        (18, dt.date(2026, 1, 1), True),
        (19, dt.date(2026, 1, 1), False),
        (45, dt.date(2025, 2, 11), False),
        (19, dt.date(2025, 2, 10), True),
    ],
)
def test_english_and_maths_are_required_at_16_to_18_and_optional_at_19_plus(age, on, required):
    assert funding_rules.english_maths_required(age, on=on) is required


def test_time_on_programme_uses_the_rules_minimum_and_counts_breaks(apprenticeship, personas):
    # The personas' apprenticeship started 180 days ago (a 2025-26 start): 8 months, from the
    # 2025-26 funding rules (SRC-CITYGUILDS-2025, SRC-APTEM-2025).
    start = apprenticeship.start_date
    today = funding_rules.add_months(start, 8)
    assert item(apprenticeship, "time_on_programme", today).holds
    BreakInLearning.objects.create(
        apprenticeship=apprenticeship,
        start_date=start + dt.timedelta(days=30),
        end_date=start + dt.timedelta(days=39),
        created_by=personas["tutor"],
    )
    waiting = item(apprenticeship, "time_on_programme", today)
    assert not waiting.holds
    assert "10 days from now" in waiting.detail and "breaks in learning" in waiting.detail
    assert item(apprenticeship, "time_on_programme", today + dt.timedelta(days=10)).holds


def test_english_and_maths_item_for_a_17_year_old(apprenticeship, personas):
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        date_of_birth=apprenticeship.start_date.replace(year=apprenticeship.start_date.year - 17)
    )
    apprenticeship.refresh_from_db()
    missing = item(apprenticeship, "english_maths")
    assert not missing.holds and "English and maths" in missing.detail
    services.record_english_maths(
        apprenticeship=apprenticeship,
        by=personas["tutor"],
        english="bsl",
        maths="",
        has_ehc_plan=False,
        evidence="BSL level 2 certificate",
    )
    assert "Not evidenced yet: maths." in item(apprenticeship, "english_maths").detail
    with pytest.raises(GatewayError, match="only for an apprentice with an EHC plan"):
        services.record_english_maths(
            apprenticeship=apprenticeship,
            by=personas["tutor"],
            english="bsl",
            maths="entry_3_ehc",
            has_ehc_plan=False,
            evidence="",
        )
    services.record_english_maths(
        apprenticeship=apprenticeship,
        by=personas["tutor"],
        english="bsl",
        maths="entry_3_ehc",
        has_ehc_plan=True,
        evidence="EHC plan seen",
    )
    assert item(apprenticeship, "english_maths").holds
    (event,) = AuditEvent.objects.filter(action="gateway.english_maths").order_by("-at")[:1]
    assert event.before["maths"] == "" and event.after["maths"] == "entry_3_ehc"


def test_english_and_maths_are_not_required_for_an_adult(apprenticeship):
    optional = item(apprenticeship, "english_maths")
    assert optional.holds and optional.detail.startswith("Not required")


def test_every_duty_must_be_signed_off(apprenticeship, personas):
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    assert (
        item(apprenticeship, "duties").detail
        == f"0 of {len(duties)} duties signed off by the tutor."
    )
    evidence = make_evidence(
        apprenticeship, duties=duties, status=Evidence.Status.ACCEPTED, tutor=personas["tutor"]
    )
    for duty in duties:
        sign_offs.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duty,
            by=personas["tutor"],
            evidence_versions=[evidence.accepted_version],
            comment="Covered",
        )
    assert item(apprenticeship, "duties").holds


def test_the_provider_confirms_only_when_everything_else_holds(apprenticeship, personas):
    with pytest.raises(
        GatewayError,
        match=(
            "Still missing: minimum time on programme; off-the-job training done; "
            "off-the-job training verified; every duty signed off; a recent progress review"
        ),
    ):
        services.declare(
            apprenticeship=apprenticeship, party=PROVIDER, by=personas["tutor"], confirmed=True
        )
    assert not GatewayDeclaration.objects.exists()


def test_a_declaration_needs_the_box_ticked(ready, personas):
    with pytest.raises(GatewayError, match="Tick the box"):
        services.declare(
            apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=False
        )
    assert not GatewayDeclaration.objects.exists()


def test_declarations_are_sealed_and_a_change_shows(ready, personas):
    declaration = services.declare(
        apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
    )
    assert selectors.declaration_is_intact(declaration)
    assert declaration.content["declared_by"]["email"] == "employer@example.org"
    assert "working consistently at or above the level" in declaration.statement
    event = AuditEvent.objects.get(action="gateway.declared.employer")
    assert event.after["digest"] == declaration.digest
    for change in (
        lambda d: d.content.update(statement="I confirm nothing."),
        lambda d: d.content["declared_by"].update(name="Someone else"),
        lambda d: d.content.update(declared_at="2020-01-01T00:00:00+00:00"),
    ):
        tampered = GatewayDeclaration.objects.get(pk=declaration.pk)
        change(tampered)
        assert not selectors.declaration_is_intact(tampered)
    with pytest.raises(GatewayError, match="already been confirmed"):
        services.declare(
            apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
        )


def test_both_confirmations_pass_gateway_and_freeze_the_portfolio(ready, personas):
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    assert not ready.is_post_gateway
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    ready.refresh_from_db()
    assert ready.status == Apprenticeship.Status.GATEWAY and ready.gateway_passed_at
    snapshot = GatewaySnapshot.objects.get(apprenticeship=ready)
    assert frozen.seal_holds(snapshot)
    content = snapshot.content
    assert [d["sign_off"]["comment"] for d in content["duties"]] == [
        "D1 is covered.",
        "D2 is covered.",
        "D3 is covered.",
    ]
    assert [e["title"] for e in content["evidence"]] == [
        "Evidence for D1",
        "Evidence for D2",
        "Evidence for D3",
    ]
    assert {d["party"] for d in content["declarations"]} == {"employer", "provider"}
    assert all(i["holds"] for i in content["checklist"])
    assert AuditEvent.objects.get(action="gateway.passed").after["digest"] == snapshot.digest


def test_later_edits_never_change_the_frozen_portfolio(ready, personas):
    hidden_draft = make_evidence(ready, title="Never submitted")
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    before = GatewaySnapshot.objects.get(apprenticeship=ready).content
    assert "Never submitted" not in [e["title"] for e in before["evidence"]]
    evidence = Evidence.objects.filter(apprenticeship=ready, status="accepted").first()
    evidence.apprenticeship = ready
    evidence_services.save_draft(
        evidence=evidence,
        by=personas["apprentice"],
        title="Rewritten after gateway",
        kind=evidence.kind,
        activity_date=evidence.activity_date,
        account="New words",
        duties=list(evidence.duties.all()),
        ksbs=[],
    )
    hidden_draft.title = "Changed"
    hidden_draft.save()
    after = GatewaySnapshot.objects.get(apprenticeship=ready)
    assert after.content == before
    assert frozen.seal_holds(after)
    assert "Rewritten after gateway" not in str(after.content)


def test_the_snapshot_keeps_the_accepted_version_of_evidence_being_changed(ready, personas):
    evidence = (
        Evidence.objects.filter(apprenticeship=ready, status="accepted").order_by("pk").first()
    )
    evidence.apprenticeship = ready
    evidence_services.save_draft(
        evidence=evidence,
        by=personas["apprentice"],
        title="Half-way through a rewrite",
        kind=evidence.kind,
        activity_date=evidence.activity_date,
        account="Unfinished",
        duties=list(evidence.duties.all()),
        ksbs=[],
    )
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    (frozen,) = [
        e for e in GatewaySnapshot.objects.get().content["evidence"] if e["id"] == evidence.pk
    ]
    assert (frozen["title"], frozen["version"], frozen["state"]) == (
        "Evidence for D1",
        1,
        "accepted",
    )


def test_withdrawing_a_confirmation_needs_a_reason_and_stops_gateway(ready, personas):
    declaration = services.declare(
        apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
    )
    with pytest.raises(GatewayError, match="Give a reason"):
        services.withdraw_declaration(declaration=declaration, by=personas["employer"], reason="")
    services.withdraw_declaration(
        declaration=declaration, by=personas["employer"], reason="Not ready after all."
    )
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    ready.refresh_from_db()
    assert not ready.is_post_gateway
    assert not item(ready, "employer_declaration").holds


def test_passing_is_safe_to_ask_twice(ready, personas):
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    assert services.pass_gateway_if_ready(apprenticeship=ready, by=personas["tutor"]) is False
    assert GatewaySnapshot.objects.count() == 1
    assert AuditEvent.objects.filter(action="gateway.passed").count() == 1


def test_nothing_changes_at_gateway_once_it_has_passed(ready, personas):
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    with pytest.raises(GatewayError, match="part of the frozen portfolio"):
        services.record_english_maths(
            apprenticeship=ready,
            by=personas["tutor"],
            english="level_2",
            maths="level_2",
            has_ehc_plan=False,
            evidence="",
        )
    declaration = GatewayDeclaration.objects.first()
    with pytest.raises(GatewayError, match="already passed"):
        services.withdraw_declaration(declaration=declaration, by=personas["employer"], reason="x")
    assert not EnglishMaths.objects.exists()


def test_a_factory_duty_free_standard_never_passes(personas):
    empty = factories.StandardVersionFactory()
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=empty, start_date=timezone.localdate() - dt.timedelta(days=500)
    )
    apprenticeship.refresh_from_db()
    assert not item(apprenticeship, "duties").holds


def test_off_the_job_training_must_be_verified_and_known(ready, personas):
    from portfolio.training.services import log as otj_log

    assert item(ready, "otj").holds and item(ready, "otj_verified").holds
    standard = ready.standard_version
    standard.otj_minimum_hours = 100
    standard.save(update_fields=["otj_minimum_hours"])
    otj_log.log_otj_entry(
        apprenticeship=ready,
        by=personas["apprentice"],
        date=timezone.localdate(),
        minutes=90,
        activity_type="mentoring",
        duty=ready.standard_version.duties.first(),
        description="Mentoring session.",
    )
    short = item(ready, "otj")
    assert not short.holds and "of 100 hours required" in short.detail
    # Done is the funding rules' item (training after gateway does not count).
    assert short.provenance != "provider_policy" and "SRC-APTEM-2025" in short.source
    unverified = item(ready, "otj_verified")
    assert not unverified.holds and "1 hour 30 minutes waits" in unverified.detail
    assert unverified.provenance == "provider_policy"
    standard.otj_minimum_hours = None
    standard.save(update_fields=["otj_minimum_hours"])
    unknown = item(ready, "otj")
    assert not unknown.holds and "required total is not known yet" in unknown.detail


def test_the_signed_review_must_be_recent(ready):
    assert item(ready, "review").holds
    later = timezone.localdate() + dt.timedelta(days=100)
    stale = item(ready, "review", today=later)
    assert not stale.holds and "more than 3 months ago" in stale.detail


def test_the_snapshot_keeps_the_off_the_job_summary_and_signed_reviews_without_wellbeing(
    ready, personas
):
    from tests.helpers.reviews import WELLBEING
    from tests.helpers.wellbeing import assert_no_plan, write_plan

    write_plan(personas)
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    content = GatewaySnapshot.objects.get(apprenticeship=ready).content
    assert content["otj"]["total"]["verified"] >= content["otj"]["total"]["required"] > 0
    (review,) = content["reviews"]
    assert {s["party"] for s in review["signatures"]} == {"apprentice", "employer", "tutor"}
    assert all(s["intact"] for s in review["signatures"])
    assert WELLBEING not in str(content)
    assert_no_plan(str(content))


@pytest.mark.parametrize(
    ("start", "hours", "months", "provenance", "source"),
    [
        # A 2025-26 start: the 2025-26 rules' 8 months, not the 12 the ST0896 file used to
        # store (SRC-CITYGUILDS-2025, SRC-APTEM-2025).
        (dt.date(2025, 9, 1), "37.5", 8, "secondary_sources", "SRC-CITYGUILDS-2025"),
        # A 2024 start: 12 months (SRC-PIER, SRC-DFE-FORUM-PT).
        (dt.date(2024, 9, 2), "37.5", 12, "secondary_sources", "SRC-DFE-FORUM-PT"),
        # A 2024 part-time start: 12 x 30 / 20 = 18 months (SRC-DFE-FORUM-PT).
        (dt.date(2024, 9, 2), "20", 18, "secondary_sources", "SRC-DFE-FORUM-PT"),
    ],
)
def test_the_minimum_time_comes_from_the_rules_by_start_date_with_its_source(
    st0896, start, hours, months, provenance, source
):
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=st0896,
        start_date=start,
        planned_end_date=start + dt.timedelta(days=600),
        contracted_weekly_hours=Decimal(hours),
    )
    time_on_programme = item(apprenticeship, "time_on_programme", today=dt.date(2026, 12, 1))
    assert f"At least {months} months on programme" in time_on_programme.detail
    assert time_on_programme.provenance == provenance
    assert source in time_on_programme.source


def test_a_longer_minimum_set_by_the_assessment_plan_applies_with_its_own_source(st0896):
    st0896.minimum_programme_months = 14
    st0896.facts = {
        **st0896.facts,
        "minimum_programme_months": {"provenance": "verified", "source": "EPA plan AP01, 4.2"},
    }
    st0896.save(update_fields=["minimum_programme_months", "facts"])
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=st0896, start_date=dt.date(2025, 9, 1)
    )
    time_on_programme = item(apprenticeship, "time_on_programme", today=dt.date(2026, 11, 1))
    assert "At least 14 months on programme (set by the assessment plan)" in (
        time_on_programme.detail
    )
    assert (time_on_programme.provenance, time_on_programme.source) == (
        "verified",
        "EPA plan AP01, 4.2",
    )
    assert "from 1 November 2026" in time_on_programme.detail and time_on_programme.holds


@pytest.mark.parametrize("withdrawn", [False, True])
def test_the_checklist_from_a_pages_summaries_is_the_one_it_works_out(ready, personas, withdrawn):
    """The apprenticeship and gateway pages pass in what they have already worked out; the
    checklist comes out the same, item for item, with a break and a withdrawn confirmation."""
    BreakInLearning.objects.create(
        apprenticeship=ready,
        start_date=ready.start_date + dt.timedelta(days=1),
        end_date=ready.start_date + dt.timedelta(days=3),
        created_by=personas["tutor"],
    )
    declaration = services.declare(
        apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
    )
    if withdrawn:
        services.withdraw_declaration(
            declaration=declaration, by=personas["employer"], reason="Not ready after all."
        )
    today = timezone.localdate()
    from_the_page = selectors.checklist(
        ready,
        today=today,
        otj_summary=otj.otj_summary(ready, today=today),
        review_schedule=review_schedule.review_schedule(ready, today=today),
        evidence_summary=evidence_selectors.evidence_summary(
            get_apprenticeship_for(personas["employer"], ready.pk, Action.VIEW)
        ),
        declarations=list(
            GatewayDeclaration.objects.filter(apprenticeship=ready).select_related("declared_by")
        ),
    )
    assert from_the_page == selectors.checklist(ready, today=today)
    assert any("breaks in learning" in i.detail for i in from_the_page)
    assert item(ready, "employer_declaration").holds is not withdrawn
