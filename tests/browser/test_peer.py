"""Peer work in a real browser: supervision with a private reflection, a wellbeing section
shared with the tutor and withdrawn, an assessment adjustment that reaches the assessor,
and evidence mapped to an NCCMH unit. Each is short; the rules behind them are page and
service tests in tests/portfolio and tests/apprenticeship."""

import pytest
from playwright.sync_api import expect

from apprenticeship import crosswalk
from epa.services import gateway as gateway_services
from portfolio.evidence import frameworks
from portfolio.evidence.models import Evidence
from portfolio.supervision.models import SupervisionRecord
from portfolio.wellbeing import services as wellbeing
from portfolio.wellbeing.models import ReasonableAdjustment
from standards.models import FrameworkUnit
from standards.services import frameworks as framework_data
from tests.helpers.browser import screenshot, sign_in, sign_out
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.personas import add_more_personas
from tests.helpers.wellbeing import PLAN, write_plan

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
AGREED = "Agreed: try the grounding exercise before home visits."
REFLECTION = "My own story came up today and I needed the group."


def test_peer_supervision_keeps_the_reflection_private(page, personas):
    a = personas["apprenticeship"]
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/supervision/new/")
    page.get_by_label("Peer or professional supervision").check()
    page.get_by_label("In a group").check()
    page.get_by_label("Or the name of a supervisor from outside").fill("Riverside peer group")
    page.get_by_role("textbox", name="What was agreed").fill(AGREED)
    page.get_by_role("textbox", name="My own reflection").fill(REFLECTION)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Supervision recorded.")).to_be_visible()
    record = SupervisionRecord.objects.get(apprenticeship=a)
    assert record.shared_with_tutor and not record.reflection_shared

    sign_out(page)
    sign_in(page, "tutor@example.org", PASSWORD)
    page.goto(f"/supervision/{record.pk}/")
    expect(page.get_by_text(AGREED)).to_be_visible()
    expect(page.get_by_text(REFLECTION)).to_have_count(0)
    screenshot(page, "supervision-tutor-view")


def test_a_wellbeing_section_is_shared_with_the_tutor_and_withdrawn(page, personas):
    a = personas["apprenticeship"]
    write_plan(personas, share=False)
    text = PLAN["what_helps"]
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/wellbeing/")
    section = page.locator("section", has=page.get_by_role("heading", name="What helps"))
    section.get_by_role("button", name="Share with your tutor").click()
    expect(section.get_by_text("Shared with your tutor")).to_be_visible()

    sign_out(page)
    sign_in(page, "tutor@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/wellbeing/")
    expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_text(PLAN["early_signs"])).to_have_count(0)

    sign_out(page)
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/wellbeing/")
    section.get_by_role("button", name="Stop sharing with your tutor").click()
    expect(section.get_by_role("button", name="Share with your tutor")).to_be_visible()

    sign_out(page)
    sign_in(page, "tutor@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/wellbeing/")
    expect(page.get_by_text("Nothing has been shared with you.")).to_be_visible()
    expect(page.get_by_text(text)).to_have_count(0)


def test_an_assessment_adjustment_goes_with_the_gateway_and_the_assessor_sees_it(page, personas):
    add_more_personas(personas)
    a = personas["apprenticeship"]
    request = "Questions in writing ten minutes before we start."
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/adjustments/")
    page.get_by_label("In the end-point assessment").check()
    page.get_by_label("What would help").fill(request)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("goes to the assessment organisation with the gateway")).to_be_visible()

    # Gateway, confirmed by the employer and then the provider, passes the request on.
    make_ready(a, personas["tutor"])
    for party in ("employer", "provider"):
        gateway_services.declare(
            apprenticeship=a,
            party=party,
            by=personas["employer" if party == "employer" else "tutor"],
            confirmed=True,
        )
    adjustment = ReasonableAdjustment.objects.get(apprenticeship=a)
    assert adjustment.status == ReasonableAdjustment.Status.PASSED
    wellbeing.decide_adjustment(adjustment=adjustment, by=personas["epao_admin"], agreed=True)

    sign_out(page)
    sign_in(page, "assessor@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{a.pk}/assessment/")
    adjustments = page.locator(
        "section", has=page.get_by_role("heading", name="Agreed adjustments")
    )
    expect(adjustments.get_by_text(request)).to_be_visible()
    screenshot(page, "assessment-agreed-adjustment")


@pytest.fixture
def nccmh(db):
    return framework_data.import_framework(
        data=framework_data.load_framework_file(framework_data.NCCMH_FIXTURE)
    )


def test_evidence_mapped_to_an_nccmh_unit_shows_on_the_second_tab(page, personas, nccmh):
    a = personas["apprenticeship"]
    frameworks.set_framework(apprenticeship=a, framework=nccmh, on=True, by=personas["tutor"])
    duty = a.standard_version.duties.order_by("number").first()
    unit = FrameworkUnit.objects.get(code="3.2")
    crosswalk.set_duty_units(
        provider=a.provider, framework=nccmh, duty=duty, units=[unit], by=personas["admin"]
    )
    evidence = make_evidence(a, duties=[duty], status=Evidence.Status.SUBMITTED, title="Group")
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/evidence/{evidence.pk}/")
    page.get_by_role("link", name="Framework units").click()
    box = page.get_by_label("3.2 Ability to make effective use of supervision (suggested for D1)")
    expect(box).not_to_be_checked()  # a suggestion, never ticked for the apprentice
    box.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Framework units saved.")).to_be_visible()

    page.goto(f"/apprenticeships/{a.pk}/coverage/")
    page.get_by_role("link", name="Other frameworks").click()
    row = page.locator("tr", has_text="3.2 Ability to make effective use of supervision")
    expect(row.locator("td").nth(1)).to_have_text("1")
    screenshot(page, "framework-coverage")
