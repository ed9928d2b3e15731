"""A progress review end to end on a phone: the tutor records it, the apprentice signs in
the app, the employer contact (who has no account) signs through the emailed link, and
the tutor signs last."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from portfolio.reviews import tasks
from portfolio.reviews.models import Review
from portfolio.reviews.services import reminders as review_reminders
from tests.helpers.browser import screenshot, sign_in, sign_out
from tests.helpers.outbox import deliver_outbox

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory
WELLBEING = "Finding the late shifts tiring; keeping weekly supervision for now."


@pytest.fixture
def queued_tasks_run_now(monkeypatch):
    """Stand in for the Celery worker: run the queued request-to-sign straight away."""
    monkeypatch.setattr(
        tasks.send_signature_requests,
        "delay",
        lambda version_id: review_reminders.send_signature_requests(version_id=version_id),
    )


def test_tutor_records_apprentice_signs_employer_signs_through_the_link(
    page, personas, queued_tasks_run_now
):
    employer = personas["employer"]
    employer.set_unusable_password()
    employer.save()
    apprenticeship = personas["apprenticeship"]

    # The tutor records the review.
    sign_in(page, personas["tutor"].email, PASSWORD)
    page.goto(apprenticeship.get_absolute_url())
    page.get_by_role("link", name="All progress reviews").click()
    page.get_by_role("link", name="Record a review that was not planned").click()
    page.get_by_label("What was discussed").fill("How the first group sessions went.")
    page.get_by_label("The employer's view").fill("Calm and kind with people in crisis.")
    page.get_by_label("Wellbeing check-in (optional)").fill(WELLBEING)
    page.locator("[name=targets-0-text]").fill("Write up one supervision session")
    due = timezone.localdate() + dt.timedelta(days=42)
    page.locator("[name=targets-0-due_on]").fill(due.isoformat())
    screenshot(page, "review-record-form")
    page.get_by_role("button", name="Save the review").click()
    assert page.get_by_text("Review saved.").is_visible()
    review = Review.objects.get()

    # The employer has no account, so the tutor sends a signing link.
    page.get_by_role("button", name="Send a signing link").click()
    assert page.get_by_text("Signing link sent to Employer").is_visible()
    deliver_outbox()  # what the worker does
    [link_email] = [m for m in mail.outbox if m.to == [employer.email] and "link" in m.body]
    [link] = re.findall(r"https?://\S+", link_email.body)
    sign_out(page)

    # The apprentice was asked to sign by email, and signs in the app.
    assert any(m.to == [personas["apprentice"].email] for m in mail.outbox)
    sign_in(page, personas["apprentice"].email, PASSWORD)
    page.goto(review.get_absolute_url())
    assert page.get_by_text(WELLBEING).is_visible()
    page.get_by_label("I have read this review").check()
    page.get_by_role("button", name="Sign this review").click()
    assert page.get_by_text("Signed. Thank you.").is_visible()
    sign_out(page)

    # The employer contact opens the link without signing in: no wellbeing check-in.
    # The email uses SITE_URL; the test server listens elsewhere, so follow its path.
    link = urlsplit(link).path
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Progress review for")
    assert WELLBEING not in page.content()
    screenshot(page, "review-sign-by-link")
    page.get_by_label("I have read this review").check()
    page.get_by_role("button", name="Sign this review").click()
    assert page.get_by_role("heading", name="Thank you. You have signed the review").is_visible()
    page.goto(link)
    assert page.get_by_text("already been used").is_visible()

    # The tutor signs last; the review is signed by everyone and every seal is intact.
    sign_in(page, personas["tutor"].email, PASSWORD)
    page.goto(review.get_absolute_url())
    page.get_by_label("I have read this review").check()
    page.get_by_role("button", name="Sign this review").click()
    assert page.get_by_text("Signed by everyone").first.is_visible()
    assert page.get_by_text("Unchanged since signing").count() == 3
    screenshot(page, "review-signed-by-everyone")
    review.refresh_from_db()
    assert review.status == Review.Status.SIGNED
