"""The adjustments agreed for the assessment are shown with the booked sessions: to the
apprentice, the employer, the assessor and the assessment organisation's admin; nobody
else sees them there."""

import pytest
from django.urls import reverse

from portfolio.wellbeing import services as wellbeing
from portfolio.wellbeing.models import ReasonableAdjustment

AGREED = "Extra time to answer each question"
REFUSED = "A different assessor every session"
ASKED = "Questions written down beforehand"


@pytest.fixture
def adjustments(personas, at_epa, epao_admin):
    apprentice = personas["apprentice"]

    def ask(text):
        # After gateway a request goes straight to the assessment organisation.
        return wellbeing.request_adjustment(
            apprenticeship=at_epa,
            by=apprentice,
            area=ReasonableAdjustment.Area.ASSESSMENT,
            description=text,
        )

    wellbeing.decide_adjustment(adjustment=ask(AGREED), by=epao_admin, agreed=True)
    wellbeing.decide_adjustment(
        adjustment=ask(REFUSED), by=epao_admin, agreed=False, note="Not possible."
    )
    ask(ASKED)
    return at_epa


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("apprentice", True),
        ("employer", True),
        ("assessor", True),
        ("epao_admin", True),
        ("tutor", False),
        ("admin", False),
        ("moderator", False),
    ],
)
def test_agreed_assessment_adjustments_are_shown_at_booking(
    client, personas, adjustments, epao_admin, moderator, persona, sees
):
    people = {**personas, "epao_admin": epao_admin, "moderator": moderator}
    client.force_login(people[persona])
    page = client.get(reverse("quality:booking-list", args=[adjustments.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert (AGREED in content) is sees
    assert ("Adjustments agreed for the assessment" in content) is sees
    # Never what was refused or is still waiting for a decision.
    assert REFUSED not in content
    assert ASKED not in content


def test_the_booking_page_says_when_none_are_agreed(client, personas, at_epa):
    client.force_login(personas["apprentice"])
    page = client.get(reverse("quality:booking-list", args=[at_epa.pk]))
    assert b"No adjustments have been agreed for the assessment." in page.content
