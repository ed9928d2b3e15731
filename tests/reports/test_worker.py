"""End to end: a real Celery worker and the real Redis broker build a report."""

import time

from django.urls import reverse

from outbox.models import OutboxMessage
from reports.models import Report


def wait_for(predicate, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("gave up waiting")


def test_a_real_worker_builds_the_report_end_to_end(client, personas, celery_worker):
    client.force_login(personas["tutor"])
    url = reverse("reports:report-request", args=[personas["apprenticeship"].pk, "portfolio"])
    response = client.post(url)
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    ready = wait_for(lambda: Report.objects.filter(pk=report.pk, status="ready").first())
    assert ready.attempts == 1
    job = wait_for(lambda: OutboxMessage.objects.filter(status="done").first())
    assert job.payload == {"report_id": report.pk} and job.attempts == 1
    status = client.get(reverse("reports:report-status", args=[report.pk])).json()
    assert status["finished"] and status["download_url"]
    download = client.get(status["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
