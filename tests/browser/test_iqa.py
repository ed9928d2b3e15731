"""Internal quality assurance in a real browser, on a phone: the IQA lead lands on their
home, adds a tutor's duty sign-off to the sample, reads what the tutor relied on and
disagrees; the tutor sees it waiting on their caseload and reopens the sign-off."""

from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.evidence.models import DutySignOff
from tests.helpers import iqa as helpers
from tests.helpers.browser import screenshot, sign_in, sign_out

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


def _axe(page, found: list[str]) -> None:
    """axe-core's rules over the page as it is now: violations are collected."""
    for violation in Axe().run(page).response["violations"]:
        targets = [n["target"] for n in violation["nodes"]][:3]
        found.append(f"{page.url}: {violation['id']} {targets}")


def test_lead_samples_and_disagrees_then_the_tutor_reopens_the_sign_off(page, personas):
    apprenticeship = personas["apprenticeship"]
    provider = apprenticeship.provider
    lead = helpers.make_lead(provider, admin=personas["admin"])
    lead.set_password(PASSWORD)
    lead.save()
    sign_off = helpers.signed_off(apprenticeship, personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, name="Autumn cohort", stages=["sign_off"])

    found: list[str] = []
    sign_in(page, lead.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Internal quality assurance")
    _axe(page, found)
    page.get_by_role("link", name="Autumn cohort").click()
    expect(page.get_by_text("sampled more")).to_be_visible()
    _axe(page, found)
    page.get_by_role("link", name="Add a decision yourself").click()
    _axe(page, found)
    page.get_by_role("button", name="Add").first.click()
    expect(page.get_by_role("status")).to_contain_text("Added to the sample")
    page.get_by_role("link", name="Sign-off of duty 1").click()
    expect(page.get_by_text("Evidence for duty 1")).to_be_visible()
    page.get_by_label("Disagree", exact=True).check()
    page.get_by_label("The action, or why you disagree").fill(
        "The reflection does not show the duty in practice."
    )
    screenshot(page, "iqa-verdict")
    _axe(page, found)
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.get_by_role("status")).to_contain_text("Verdict recorded")
    assert DutySignOff.objects.get(pk=sign_off.pk).is_active
    page.goto(reverse("quality:iqa-report", args=[provider.pk]))
    expect(page.get_by_text("1 disagree")).to_be_visible()
    _axe(page, found)
    sign_out(page)

    sign_in(page, personas["tutor"].email, PASSWORD)
    page.goto("/caseload/")
    page.get_by_role("link", name="1 quality assurance verdict to follow up").click()
    _axe(page, found)
    page.get_by_role("link", name="Sign-off of duty 1").click()
    expect(page.get_by_text("does not show the duty in practice")).to_be_visible()
    _axe(page, found)
    page.get_by_role("button", name="Reopen the sign-off").click()
    expect(page.get_by_role("status")).to_contain_text("Sign-off reopened")
    withdrawn = DutySignOff.objects.get(pk=sign_off.pk)
    assert not withdrawn.is_active
    assert "does not show the duty in practice" in withdrawn.withdrawal_reason
    assert plan.items.get().follow_up == "done"
    assert not found, "\n".join(found)
