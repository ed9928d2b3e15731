"""The outbox: written with the change, handed on after commit, run once, recovered."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from config.celery import app as celery_app
from outbox import dispatcher, services
from outbox.models import OutboxMessage
from tests.helpers.outbox import deliver_outbox
from tests.outbox import jobs

JOB = jobs.record.name
EMAIL = "outbox.tasks.send_email"


def effects() -> list[str]:
    return list(AuditEvent.objects.filter(action="test.effect").values_list("summary", flat=True))


def test_a_message_is_written_in_the_callers_transaction(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue(JOB, label="rolled back")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    services.enqueue(JOB, label="kept", apprenticeship_id=7)
    message = OutboxMessage.objects.get()
    assert message.payload == {"label": "kept"} and message.apprenticeship_id == 7


def test_the_same_key_makes_one_message(db):
    first = services.enqueue(JOB, key="once", label="a")
    second = services.enqueue(JOB, key="once", label="b")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1


def test_arguments_must_be_plain_json(personas):
    with pytest.raises(TypeError):
        services.enqueue(JOB, label=personas["tutor"])


def test_a_message_delivered_twice_runs_once(db):
    message = services.enqueue(JOB, label="once")
    services.run_here([message.pk])
    services.run_here([message.pk])  # a duplicate delivery finds it done
    message.refresh_from_db()
    assert effects() == ["once"]
    assert message.status == OutboxMessage.Status.DONE and message.attempts == 1


def test_a_failure_is_retried_later_then_given_up_with_its_reason(db, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = services.enqueue(JOB, label="x", fail="the disk is full")
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert message.not_before >= timezone.now() + dt.timedelta(seconds=25)
    assert "the disk is full" in message.last_error
    assert deliver_outbox() == 0  # not due yet
    OutboxMessage.objects.update(not_before=timezone.now())
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 2
    assert message.last_error.startswith("Gave up after 2 attempts.")


def test_a_job_that_can_never_work_fails_at_once(db):
    message = services.enqueue(JOB, label="x", fail="give-up")
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error == "This can never work." and message.attempts == 1


def test_after_commit_nothing_raises_into_the_caller(db, django_capture_on_commit_callbacks):
    def explode(items):
        raise RuntimeError("broker library bug")

    with (
        mock.patch.object(dispatcher, "publish", side_effect=explode),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.enqueue(JOB, label="saved")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING


def test_with_the_broker_down_the_message_waits_for_the_sweep(
    db, own_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue(JOB, label="later")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert services.sweep()["sent"] == 0
    own_broker.start()
    assert services.sweep()["sent"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


@pytest.fixture
def eager():
    """Celery as it is without REDIS_URL (the embedded default)."""
    celery_app.conf.update(task_always_eager=True)
    yield
    celery_app.conf.update(task_always_eager=False)


def test_without_a_broker_messages_run_in_the_process_after_commit(
    db, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue(JOB, label="here")
    assert effects() == ["here"]


# -- the sweep -------------------------------------------------------------------------


def _stalled(message, attempts=1):
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.RUNNING, attempts=attempts, heartbeat_at=long_ago
    )


def test_a_job_whose_heartbeat_stopped_goes_back_to_the_queue(db, settings):
    message = services.enqueue(JOB, label="again")
    _stalled(message)
    fresh = services.enqueue(JOB, label="still running")
    OutboxMessage.objects.filter(pk=fresh.pk).update(
        status=OutboxMessage.Status.RUNNING, heartbeat_at=timezone.now()
    )
    assert services.sweep()["returned"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT  # returned, and sent again at once
    assert "worker stopped" in message.last_error
    deliver_outbox()
    assert effects() == ["again"]


def test_a_stalled_job_on_its_last_attempt_fails(db, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = services.enqueue(JOB, label="x")
    _stalled(message, attempts=3)
    services.sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "Gave up after 3 attempts" in message.last_error


def test_a_stalled_email_waits_before_it_is_tried_again(db, settings):
    message = services.enqueue(
        "outbox.tasks.send_email", to=["a@example.org"], subject="s", body="b"
    )
    _stalled(message)
    services.sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    wait = dt.timedelta(seconds=settings.OUTBOX_UNKNOWN_OUTCOME_SECONDS)
    assert message.not_before > timezone.now() + wait - dt.timedelta(minutes=1)


def test_a_running_email_is_never_taken_over_by_a_second_delivery(db, mailoutbox):
    message = services.enqueue(
        "outbox.tasks.send_email", to=["a@example.org"], subject="s", body="b"
    )
    _stalled(message)
    services.run_here([message.pk])
    assert not mailoutbox


def test_a_running_job_whose_worker_died_is_taken_over_by_a_redelivery(db):
    message = services.enqueue(JOB, label="redelivered")
    _stalled(message)
    services.run_here([message.pk])
    assert effects() == ["redelivered"]


def test_finished_jobs_are_pruned_after_two_weeks(db):
    old = services.enqueue(JOB, label="old")
    services.enqueue(JOB, label="new")
    OutboxMessage.objects.filter(pk=old.pk).update(
        status=OutboxMessage.Status.DONE, finished_at=timezone.now() - dt.timedelta(days=15)
    )
    assert services.sweep()["pruned"] == 1
    assert list(OutboxMessage.objects.values_list("payload__label", flat=True)) == ["new"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_long_job_keeps_its_heartbeat_fresh(settings):
    settings.OUTBOX_STALE_AFTER_SECONDS = 0.9  # a beat every 0.3 s
    message = services.enqueue(JOB, label="slow", seconds=1.5)
    started = timezone.now()
    services.run_here([message.pk])
    message.refresh_from_db()
    assert effects() == ["slow"] and message.status == OutboxMessage.Status.DONE
    assert message.finished_at - started >= dt.timedelta(seconds=1.5)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_while_the_job_runs(settings):
    import threading
    import time

    settings.OUTBOX_STALE_AFTER_SECONDS = 0.6
    message = services.enqueue(JOB, label="slow", seconds=1.2)
    beats = set()

    def watch():
        deadline = time.monotonic() + 1.1
        while time.monotonic() < deadline:
            beat = OutboxMessage.objects.filter(pk=message.pk).values_list(
                "heartbeat_at", flat=True
            )[0]
            if beat:
                beats.add(beat)
            time.sleep(0.05)
        from django.db import connection

        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    services.run_here([message.pk])
    watcher.join()
    assert len(beats) >= 3  # the claim's, then at least two more


# -- retrying a failed job from the operations page -----------------------------------


def test_retrying_a_failed_job_starts_it_again_and_is_recorded(personas):
    message = services.enqueue(JOB, label="x", fail="give-up")
    deliver_outbox()
    OutboxMessage.objects.filter(pk=message.pk).update(payload={"label": "fixed"})
    message.refresh_from_db()
    services.retry(message=message, by=personas["admin"])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 0
    assert AuditEvent.objects.filter(action="outbox.retried", actor=personas["admin"]).exists()
    deliver_outbox()
    assert effects() == ["fixed"]
    with pytest.raises(services.OutboxError):
        services.retry(message=message, by=personas["admin"])


def test_the_backlog_counts_waiting_and_failed_jobs_and_the_oldest_age(db):
    old = services.enqueue(JOB, label="old")
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=3)
    )
    services.enqueue(JOB, label="new")
    failed = services.enqueue(JOB, label="x", fail="give-up")
    services.run_here([failed.pk])
    figures = services.backlog(OutboxMessage.objects.all())
    assert figures["waiting"] == 2 and figures["failed"] == 1
    assert 180 <= figures["oldest_waiting_seconds"] < 200


# -- the broker's timeouts ---------------------------------------------------------------


def test_the_broker_has_short_timeouts_and_publishing_is_not_retried(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_timeout"] <= 5 and options["socket_connect_timeout"] <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert settings.CACHES["default"]["OPTIONS"]["socket_connect_timeout"] <= 2


def test_publishing_to_a_frozen_broker_gives_up_within_seconds(db, own_broker):
    import signal
    import time

    own_broker.start()
    message = services.enqueue(JOB, label="frozen")
    own_broker.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        sent = dispatcher.publish([(message.pk, message.task, message.payload)])
        elapsed = time.monotonic() - started
    finally:
        own_broker.process.send_signal(signal.SIGCONT)
    assert sent == [] and elapsed < 8
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING


def test_the_outcome_is_written_even_if_the_database_blinks_after_the_work(db, monkeypatch):
    from django.db import OperationalError

    from outbox import runner

    real_write = runner._write_outcome
    calls = []

    def blinking(message, fields):
        calls.append(fields["status"])
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real_write(message, fields)

    monkeypatch.setattr(runner, "_write_outcome", blinking)
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(runner.connection, "close", lambda: None)  # keep the test's transaction
    message = services.enqueue(JOB, label="once")
    services.run_here([message.pk])
    message.refresh_from_db()
    assert calls == ["done", "done"] and message.status == OutboxMessage.Status.DONE
    assert effects() == ["once"]


def test_a_late_outcome_still_counts_if_the_sweep_put_the_job_back_meanwhile(db):
    from outbox import runner

    message = services.enqueue(JOB, label="x")
    claimed = runner.claim(message.pk, take_over_stale=True, now=timezone.now())
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.PENDING)
    runner._record(claimed, status=OutboxMessage.Status.DONE, finished_at=timezone.now())
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE


def test_a_job_no_code_can_run_fails_with_a_plain_reason(db):
    message = services.enqueue("reports.tasks.no_such_job", report_id=1)
    services.sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error == "No job of this name exists any more, so it cannot be run."
