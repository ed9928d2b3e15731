"""A notification's whole round trip in a browser: an event (a witness testimony asked of
the employer contact) → one email, through the real outbox path → its link → signing in →
writing the testimony → gone from the employer's waiting list."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portfolio.evidence.models import Evidence, EvidenceKind
from portfolio.evidence.services import testimony_requests
from tests.helpers.outbox import deliver_outbox

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
SUBJECT = "You have been asked for a witness testimony"


def asked_emails() -> list:
    return [m for m in mail.outbox if m.subject == SUBJECT]


def test_an_asked_testimony_goes_from_email_to_done(page, personas):
    testimony_requests.request_testimony(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        activity="Running the Tuesday peer group",
        witness=personas["employer"],
    )
    deliver_outbox()
    (email,) = asked_emails()
    assert email.to == ["employer@example.org"]
    assert "Tuesday" not in email.body
    (url,) = re.findall(r"https?://\S+/testimony-requests/\S+", email.body)

    # The link asks for sign-in first, then opens the page where the testimony is written.
    page.goto(urlsplit(url).path)
    page.get_by_label("Email address").fill("employer@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a witness testimony")
    expect(page.get_by_text("Running the Tuesday peer group")).to_be_visible()

    waiting = page.locator('[data-waiting="testimony_asked"]')
    page.goto(reverse("dashboards:employer-home"))
    expect(waiting).to_have_count(1)
    waiting.get_by_role("link").click()
    page.get_by_role("link", name="Write it").click()
    page.get_by_label("Your role").fill("Team leader")
    page.get_by_label("When you saw it").fill(timezone.localdate().isoformat())
    page.get_by_label("What you saw").fill("Calm and clear when the group got heated.")
    page.get_by_role("button", name="Save testimony").click()
    expect(page.get_by_text("Your testimony is with")).to_be_visible()

    page.goto(reverse("dashboards:employer-home"))
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(waiting).to_have_count(0)
    assert Evidence.objects.filter(kind=EvidenceKind.WITNESS_TESTIMONY).count() == 1
    # Sent once: delivering again sends nothing more.
    deliver_outbox()
    assert len(asked_emails()) == 1
