"""In the embedded default, jobs run in the request: the page says the PDF is ready now
instead of asking the person to wait."""

import pytest
from django.db import transaction
from django.urls import reverse

from config.celery import app as celery_app
from reports.models import Report


@pytest.fixture
def eager():
    """Celery as it is without REDIS_URL (the embedded default)."""
    celery_app.conf.update(task_always_eager=True)
    yield
    celery_app.conf.update(task_always_eager=False)


def test_in_process_the_apprenticeship_page_and_the_request_say_it_is_ready(
    client, personas, eager, monkeypatch
):
    # In the embedded default each request commits as it goes, so the job runs as soon as
    # request_report's transaction ends; the test's own transaction would hold it back.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    apprenticeship = personas["apprenticeship"]
    client.force_login(personas["apprentice"])
    page = client.get(apprenticeship.get_absolute_url()).content.decode()
    assert "It takes a few seconds" in page and "minute" not in page.split('id="reports"')[1]
    url = reverse("reports:report-request", args=[apprenticeship.pk, "portfolio"])
    response = client.post(url, follow=True)
    assert Report.objects.get().status == Report.Status.READY
    assert "Your PDF is ready." in response.content.decode()


def test_with_a_worker_it_says_it_usually_takes_under_a_minute(client, personas):
    client.force_login(personas["apprentice"])
    page = client.get(personas["apprenticeship"].get_absolute_url()).content.decode()
    assert "usually takes under a minute" in page
