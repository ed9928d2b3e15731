"""Emails and background jobs on the provider overview: the backlog, failed jobs with their
reason, and a retry button, each admin seeing only their own provider's jobs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import OutboxMessage
from tests import factories
from tests.query_counts import OVERVIEW_QUERIES as PINNED_OVERVIEW
from tests.query_counts import assert_flat_queries

# With failed jobs shown, one more than the pinned overview: their apprentices.
OVERVIEW_QUERIES = PINNED_OVERVIEW + 1


def failed_job(apprenticeship_id, subject="Please sign", reason="The mail server refused it."):
    return OutboxMessage.objects.create(
        task="outbox.tasks.send_email",
        key=f"job-{apprenticeship_id}-{subject}",
        payload={"to": ["employer@example.org"], "subject": subject, "body": "..."},
        apprenticeship_id=apprenticeship_id,
        status=OutboxMessage.Status.FAILED,
        attempts=6,
        finished_at=timezone.now(),
        last_error=reason,
    )


@pytest.fixture
def jobs(personas):
    ours = failed_job(personas["apprenticeship"].pk, "Ours")
    theirs = failed_job(personas["other_apprenticeship"].pk, "Theirs")
    nobodys = failed_job(None, "Nobody's")
    waiting = OutboxMessage.objects.create(
        task="outbox.tasks.send_email",
        key="waiting",
        payload={"to": ["a@example.org"], "subject": "Waiting", "body": "..."},
        apprenticeship_id=personas["apprenticeship"].pk,
        created_at=timezone.now() - dt.timedelta(minutes=12),
    )
    return {"ours": ours, "theirs": theirs, "nobodys": nobodys, "waiting": waiting}


def _overview(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_sees_their_backlog_and_failed_jobs_with_reason_and_retry(client, personas, jobs):
    page = _overview(client, personas["admin"])
    assert "1 waiting to be sent or run. The oldest has waited 12" in page
    assert "Email to employer@example.org: Ours" in page
    assert "The mail server refused it." in page
    assert reverse("dashboards:job-retry", args=[jobs["ours"].pk]) in page
    assert "Theirs" not in page and "Nobody" not in page


def test_with_nothing_waiting_the_overview_says_so(client, personas):
    assert "Nothing is waiting" in _overview(client, personas["admin"])


def test_retrying_puts_the_job_back_and_records_who(client, personas, jobs):
    client.force_login(personas["admin"])
    url = reverse("dashboards:job-retry", args=[jobs["ours"].pk])
    response = client.post(url, follow=True)
    assert "Trying again: Email to employer@example.org: Ours" in response.content.decode()
    jobs["ours"].refresh_from_db()
    assert jobs["ours"].status == OutboxMessage.Status.PENDING and jobs["ours"].attempts == 0
    assert AuditEvent.objects.filter(action="outbox.retried", actor=personas["admin"]).exists()
    again = client.post(url, follow=True).content.decode()
    assert "Only a job that failed can be tried again." in again


def test_a_site_operator_sees_and_retries_jobs_about_no_apprenticeship(client, personas, jobs):
    operator = factories.UserFactory(is_superuser=True)
    page = _overview(client, operator)
    assert "Nobody&#x27;s" in page
    assert "Ours" not in page and "Theirs" not in page  # apprenticeships need a role
    response = client.post(reverse("dashboards:job-retry", args=[jobs["nobodys"].pk]))
    assert response.status_code == 302
    jobs["nobodys"].refresh_from_db()
    assert jobs["nobodys"].status == OutboxMessage.Status.PENDING
    ours = reverse("dashboards:job-retry", args=[jobs["ours"].pk])
    assert client.post(ours).status_code == 404


def test_the_overview_keeps_a_flat_query_count_as_failed_jobs_grow(client, personas):
    client.force_login(personas["admin"])
    failed_job(personas["apprenticeship"].pk, "first")

    def grow():
        for n in range(5):
            other = factories.ApprenticeshipFactory(
                provider=personas["apprenticeship"].provider,
                standard_version=personas["apprenticeship"].standard_version,
            )
            failed_job(other.pk, f"more {n}")

    assert_flat_queries(client, reverse("dashboards:overview"), grow, OVERVIEW_QUERIES)
