"""A request that saved something never answers 500 for what happens after the commit,
and the error page does not promise what it cannot know."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import OrganisationMembership
from outbox.models import OutboxMessage
from portfolio.reviews.models import Review
from reports.models import Report
from tests.helpers.outbox import deliver_outbox
from tests.helpers.reviews import record


def _review_form(personas):
    today = timezone.localdate()
    return {
        "held_on": today.isoformat(),
        "format": "video",
        "employer_signatory": personas["employer"].pk,
        "discussion": "Talked about the first group session.",
        "employer_view": "Doing well.",
        "wellbeing": "",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-text": "Shadow a crisis team shift",
        "targets-0-due_on": (today + dt.timedelta(days=21)).isoformat(),
    }


def _record_review(client, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:review-create", args=[personas["apprenticeship"].pk])
    return client.post(url, _review_form(personas)), lambda: Review.objects.exists()


def _send_link(client, personas):
    review = record(personas)
    OutboxMessage.objects.all().delete()
    client.force_login(personas["tutor"])
    url = reverse("portfolio:review-send-link", args=[review.pk])
    return client.post(url), lambda: review.current_version.signing_links.exists()


def _invite(client, personas):
    client.force_login(personas["admin"])
    data = {
        "full_name": "Robin Lee",
        "email": "robin@example.org",
        "organisation": personas["apprenticeship"].employer_id,
    }
    response = client.post(reverse("apprenticeship:person-invite"), data)
    return response, lambda: OrganisationMembership.objects.filter(user__email="robin@example.org")


def _ask_for_report(client, personas):
    client.force_login(personas["apprentice"])
    url = reverse("reports:report-request", args=[personas["apprenticeship"].pk, "portfolio"])
    return client.post(url), lambda: Report.objects.exists()


@pytest.mark.parametrize("action", [_record_review, _send_link, _invite, _ask_for_report])
def test_a_saved_action_succeeds_with_the_broker_down_and_its_effect_follows(
    client, personas, own_broker, mailoutbox, django_capture_on_commit_callbacks, action
):
    # own_broker is not started: every publish is refused.
    with django_capture_on_commit_callbacks(execute=True):
        response, saved = action(client, personas)
    assert response.status_code == 302
    assert saved()
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    assert waiting.exists() and not OutboxMessage.objects.exclude(pk__in=waiting).exists()
    # When a worker can run them, they run (the broker itself is covered by the sweep).
    assert deliver_outbox() >= 1
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).exists()


def test_the_error_page_does_not_promise_that_nothing_was_lost():
    page = render_to_string("500.html")
    assert "Nothing you saved has been lost" not in page
    assert "may or may not have been saved" in page and "check before you try again" in page
