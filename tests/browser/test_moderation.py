"""Moderation in a real browser, on a phone: the moderator opens the sampled distinction
and returns it to the assessor with a reason; the assessor sees it returned, and the result
is not released."""

from django.urls import reverse
from playwright.sync_api import expect

from epa.models import AssessmentRound
from tests.helpers.browser import sign_in, sign_out
from tests.helpers.personas import add_more_personas

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
REASON = "The notes for question 3 do not support a distinction."


def test_a_moderator_returns_a_distinction_to_the_assessor(page, personas):
    from tests.access_matrix.quality import _held_case

    people = add_more_personas(personas)
    _held_case(people)
    apprenticeship = people["apprenticeship"]

    sign_in(page, "moderator@example.org", PASSWORD)
    page.goto(reverse("quality:moderation-list"))
    page.get_by_role("link", name=apprenticeship.apprentice.full_name).click()
    expect(page.get_by_text("Overall grade: Distinction")).to_be_visible()
    page.get_by_label("Return it to the assessor").check()
    page.get_by_label("Your reasons").fill(REASON)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Result returned to the assessor with your reasons.")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()

    sign_out(page)
    sign_in(page, "assessor@example.org", PASSWORD)
    page.goto(reverse("epa:assessment", args=[apprenticeship.pk]))
    returned = page.get_by_role("status").filter(has_text="sent this result back")
    expect(returned).to_contain_text(REASON)

    round_ = AssessmentRound.objects.get(apprenticeship=apprenticeship)
    assert not round_.is_confirmed and round_.released_at is None
