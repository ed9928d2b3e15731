"""Gateway and the end-point assessment in a real browser, on a phone: the employer and
the provider confirm gateway, the assessment organisation's admin assigns an independent
assessor, who
declares no conflict of interest, reads the frozen portfolio, records both methods of
the ST0896 plan data and confirms a distinction."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apprenticeship.models import Apprenticeship, Role
from epa.models import AssessmentRound
from tests import factories
from tests.helpers.browser import screenshot, sign_in, sign_out
from tests.helpers.epa import add_plan, make_ready, st0896_plan_data

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture
def ready_for_gateway(personas):
    """Everything gateway asks for but the two confirmations."""
    apprenticeship = personas["apprenticeship"]
    add_plan(apprenticeship.standard_version, st0896_plan_data())
    # The personas' assessor is someone else's now; a new one is assigned in the test.
    apprenticeship.memberships.filter(role=Role.ASSESSOR).update(is_active=False)
    return make_ready(apprenticeship, personas["tutor"])


def _confirm_gateway(page, apprenticeship, email: str, party: str) -> None:
    sign_in(page, email, PASSWORD)
    page.goto(f"/apprenticeships/{apprenticeship.pk}/gateway/")
    if party == "provider":
        screenshot(page, "gateway-checklist")
    page.get_by_role("link", name=f"Confirm for the {party}").click()
    page.get_by_label("I confirm this statement.").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed")


def _session(page, method: str, number: int, minutes: int, *, video: bool = False):
    page.get_by_role("link", name=f"Record session {number} of {method}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Record session {number}")
    page.get_by_label("Date of the session").fill(timezone.localdate().isoformat())
    page.get_by_label("How long it lasted, in minutes").fill(str(minutes))
    page.get_by_label("By video" if video else "In person").check()
    page.get_by_role("button", name="Save and add questions").click()
    expect(page.get_by_text(f"Session {number} saved.")).to_be_visible()


def _questions(page, count: int, themes: list[str] | None = None):
    for n in range(1, count + 1):
        page.get_by_label("The question you asked").fill(f"Question {n}: what did you do next?")
        page.get_by_label("Notes on the answer").fill("Calm, clear and led by the person's goals.")
        if themes:
            page.get_by_label("Theme").select_option(label=themes[(n - 1) % len(themes)])
        page.get_by_role("button", name="Save question").click()
        expect(page.get_by_text(f"Question {n} saved.")).to_be_visible()
    page.get_by_role("link", name="Back to the assessment").click()


def test_gateway_then_the_assessor_records_both_methods_and_confirms_a_distinction(
    page, personas, ready_for_gateway
):
    apprenticeship = ready_for_gateway
    _confirm_gateway(page, apprenticeship, "employer@example.org", "employer")
    sign_out(page)
    _confirm_gateway(page, apprenticeship, "tutor@example.org", "provider")
    expect(page.get_by_text("gateway has passed and the portfolio is frozen")).to_be_visible()
    sign_out(page)
    apprenticeship.refresh_from_db()
    assert apprenticeship.status == Apprenticeship.Status.GATEWAY
    assessor = factories.UserFactory(email="imogen@example.org", full_name="Imogen Price")
    factories.OrganisationMembershipFactory(user=assessor, organisation=apprenticeship.epao)
    observation, discussion = apprenticeship.standard_version.assessment_plan.methods.order_by(
        "order"
    )

    epao_admin = factories.UserFactory(email="epao.admin@example.org", full_name="Erin Fairway")
    factories.OrganisationMembershipFactory(
        user=epao_admin, organisation=apprenticeship.epao, is_admin=True
    )
    sign_in(page, "epao.admin@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{apprenticeship.pk}/")
    page.get_by_role("link", name="Assign an assessor").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign an assessor")
    page.get_by_label("Assessor").select_option(label="Imogen Price (imogen@example.org)")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Imogen Price is now the assessor.")).to_be_visible()
    sign_out(page)

    sign_in(page, "imogen@example.org", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Apprentices assigned to you")
    expect(page.get_by_text("Typically within 3 months", exact=False)).to_be_visible()
    screenshot(page, "epa-assessor-home")
    page.get_by_role("link", name=apprenticeship.apprentice.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-point assessment")
    page.get_by_role("link", name="Declare no conflict of interest").click()
    page.get_by_label("I have no conflict of interest with this apprentice", exact=False).check()
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_text("Thank you. You can now record the assessment.")).to_be_visible()
    screenshot(page, "epa-not-started")
    page.get_by_role("link", name="Read the frozen portfolio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio frozen at gateway")
    expect(page.get_by_text("Evidence for D1")).to_be_visible()
    page.go_back()

    _session(page, observation.name, 1, 70)
    _questions(page, 4)
    _session(page, observation.name, 2, 65, video=True)
    _questions(page, 4)
    page.get_by_role("link", name=f"Grade {observation.name.lower()}").click()
    page.get_by_label("Pass").check()
    page.get_by_role("button", name="Save the grade").click()
    expect(page.get_by_text(f"{observation.name}: graded pass.")).to_be_visible()

    _session(page, discussion.name, 1, 75, video=True)
    screenshot(page, "epa-session")
    _questions(page, 10, themes=discussion.themes)
    screenshot(page, "epa-both-recorded")
    page.get_by_role("link", name=f"Grade {discussion.name.lower()}").click()
    page.get_by_label("Distinction").check()
    page.get_by_role("button", name="Save the grade").click()

    expect(page.get_by_text("The plan gives Distinction")).to_be_visible()
    page.get_by_role("link", name="Check and confirm the result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the result")
    screenshot(page, "epa-confirm")
    page.get_by_label("I confirm this overall grade", exact=False).check()
    page.get_by_role("button", name="Confirm distinction").click()
    expect(page.get_by_text("Result confirmed: distinction.")).to_be_visible()
    expect(page.get_by_text("Locked: a change needs an appeal.")).to_be_visible()
    screenshot(page, "epa-confirmed")

    round_ = AssessmentRound.objects.get(apprenticeship=apprenticeship)
    assert (round_.overall_grade, round_.confirmed_by) == ("distinction", assessor)
    apprenticeship.refresh_from_db()
    assert apprenticeship.status == Apprenticeship.Status.COMPLETED
