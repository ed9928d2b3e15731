"""Faults injected into a real deployment in miniature: a Redis, a Celery worker process
(with beat) and a mail server of the test's own. For each fault, the person's request
answers within 2 s with success, and once things recover the effect happens exactly once,
within a generous bound."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboxMessage
from reports.models import Report
from tests.faults.conftest import wait_for
from tests.faults.timing import TIMINGS

# Real processes share the test database: PostgreSQL only (skipped on the SQLite pass).
pytestmark = [pytest.mark.faults, pytest.mark.postgres_only]

REQUEST_BOUND = 2.0
# The sweep notices a dead worker once its last heartbeat (every third of the stale time)
# is older than the stale time: at the earliest two thirds of it after the death.
NOTICED_AFTER = TIMINGS["OUTBOX_STALE_AFTER_SECONDS"] * 2 / 3
# Generous: a worker process takes a few seconds to start on a busy machine.
RECOVERY_BOUND = 40.0


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def record_review(client, personas):
    client.force_login(personas["tutor"])
    today = timezone.localdate()
    data = {
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
    url = reverse("portfolio:review-create", args=[personas["apprenticeship"].pk])
    return timed(lambda: client.post(url, data))


def ask_for_report(client, personas):
    client.force_login(personas["apprentice"])
    url = reverse("reports:report-request", args=[personas["apprenticeship"].pk, "portfolio"])
    return timed(lambda: client.post(url))


def invite(client, personas, email="robin@example.org"):
    client.force_login(personas["admin"])
    data = {
        "full_name": "Robin Lee",
        "email": email,
        "organisation": personas["apprenticeship"].employer_id,
    }
    return timed(lambda: client.post(reverse("apprenticeship:person-invite"), data))


def assert_answered(response, seconds):
    assert response.status_code == 302, response.status_code
    assert seconds < REQUEST_BOUND, f"the request took {seconds:.1f} s"


def report_ready():
    return Report.objects.filter(status=Report.Status.READY).first()


# -- the broker ------------------------------------------------------------------------


def test_broker_stopped_review_saved_and_requests_to_sign_sent_once_it_is_back(
    client, personas, redis_server, worker, mail_server
):
    worker.start()  # waits for its broker
    response, seconds = record_review(client, personas)
    assert_answered(response, seconds)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
    time.sleep(1)
    back = time.monotonic()
    redis_server.start()
    wait_for(lambda: len(mail_server.received) >= 2, RECOVERY_BOUND)
    recovery = time.monotonic() - back
    time.sleep(2)  # anything duplicated would arrive now
    assert len(mail_server.to("apprentice@example.org")) == 1
    assert len(mail_server.to("employer@example.org")) == 1
    assert recovery < RECOVERY_BOUND


def test_broker_frozen_the_request_does_not_wait_and_the_report_is_built_once(
    client, personas, redis_server, worker
):
    redis_server.start()
    worker.start()
    time.sleep(2)  # let the worker connect before the freeze
    redis_server.freeze()
    response, seconds = ask_for_report(client, personas)
    assert_answered(response, seconds)
    time.sleep(3)
    thawed = time.monotonic()
    redis_server.thaw()
    ready = wait_for(report_ready, RECOVERY_BOUND)
    recovery = time.monotonic() - thawed
    time.sleep(2)
    job = OutboxMessage.objects.get()
    ready.refresh_from_db()
    assert ready.attempts == 1 and job.status == OutboxMessage.Status.DONE and job.attempts == 1
    assert recovery < RECOVERY_BOUND


def test_broker_restarted_without_its_data_the_lost_job_is_sent_again(
    client, personas, redis_server, worker
):
    redis_server.start()
    response, seconds = ask_for_report(client, personas)  # no worker yet: it waits in Redis
    assert_answered(response, seconds)
    wait_for(lambda: OutboxMessage.objects.filter(status="sent").exists(), 10)
    redis_server.restart()  # the queued message is gone
    restarted = time.monotonic()
    worker.start()
    wait_for(report_ready, RECOVERY_BOUND)
    recovery = time.monotonic() - restarted
    job = OutboxMessage.objects.get()
    assert job.status == OutboxMessage.Status.DONE and job.attempts == 1
    assert recovery >= TIMINGS["OUTBOX_RESEND_AFTER_SECONDS"] - 1  # it was lost, then re-sent
    assert recovery < TIMINGS["OUTBOX_RESEND_AFTER_SECONDS"] + RECOVERY_BOUND


# -- the worker ------------------------------------------------------------------------


def test_worker_killed_mid_build_the_report_is_built_again(client, personas, redis_server, worker):
    redis_server.start()
    worker.start(FAULT_BUILD_SECONDS="30")
    response, seconds = ask_for_report(client, personas)
    assert_answered(response, seconds)
    wait_for(lambda: Report.objects.filter(status=Report.Status.BUILDING).exists(), 30)
    worker.kill()
    killed = time.monotonic()
    worker.start()
    ready = wait_for(report_ready, RECOVERY_BOUND)
    recovery = time.monotonic() - killed
    job = OutboxMessage.objects.get()
    assert ready.attempts == 2 and job.attempts == 2 and job.status == OutboxMessage.Status.DONE
    assert recovery >= NOTICED_AFTER  # noticed by its heartbeat
    assert recovery < TIMINGS["OUTBOX_STALE_AFTER_SECONDS"] + RECOVERY_BOUND


# -- the mail server -------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["refuse", "stall", "drop"])
def test_mail_server_misbehaving_the_invitation_arrives_once_when_it_recovers(
    client, personas, redis_server, worker, mail_server, fault
):
    mail_server.mode = fault
    redis_server.start()
    worker.start()
    response, seconds = invite(client, personas)
    assert_answered(response, seconds)
    job = wait_for(lambda: OutboxMessage.objects.filter(attempts__gte=1, last_error__gt="")
                   .first(), RECOVERY_BOUND)  # fmt: skip
    assert job.status in (OutboxMessage.Status.PENDING, OutboxMessage.Status.RUNNING)
    mail_server.mode = "accept"
    recovered = time.monotonic()
    wait_for(lambda: mail_server.to("robin@example.org"), RECOVERY_BOUND)
    recovery = time.monotonic() - recovered
    time.sleep(2)
    [received] = mail_server.to("robin@example.org")
    assert "/accounts/invitation/" not in str(OutboxMessage.objects.values())  # no token kept
    job.refresh_from_db()
    assert job.status == OutboxMessage.Status.DONE
    assert received["message_id"].startswith(f"<outbox.{job.pk}.")
    assert recovery < RECOVERY_BOUND


def test_worker_killed_after_the_server_took_the_email_it_is_sent_again_recognisably(
    client, personas, redis_server, worker, mail_server
):
    """The crash window: the server has the email, the worker dies before recording it.
    It goes again after the heartbeat and the unknown-outcome delay, with the same
    Message-ID, so the second copy is recognisable."""
    mail_server.mode = "accept-then-stall"
    redis_server.start()
    worker.start()
    response, seconds = invite(client, personas)
    assert_answered(response, seconds)
    wait_for(lambda: mail_server.to("robin@example.org"), RECOVERY_BOUND)
    worker.kill()
    killed = time.monotonic()
    mail_server.mode = "accept"
    worker.start()
    wait_for(lambda: len(mail_server.to("robin@example.org")) == 2, RECOVERY_BOUND)
    first, second = mail_server.to("robin@example.org")
    assert first["message_id"] == second["message_id"]
    waited = second["at"] - killed
    assert waited >= NOTICED_AFTER + TIMINGS["OUTBOX_UNKNOWN_OUTCOME_SECONDS"]
    job = OutboxMessage.objects.get()
    wait_for(lambda: OutboxMessage.objects.filter(pk=job.pk, status="done").exists(), 10)
