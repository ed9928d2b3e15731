"""Emails through the outbox: claimed before the mail server is asked, the outcome recorded
after, and an unknown outcome tried again only after a delay, with the same Message-ID."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from outbox import services
from outbox.mail import message_id_for
from outbox.models import OutboxMessage
from tests.helpers.outbox import deliver_outbox

EMAIL = "outbox.tasks.send_email"


class ScriptedBackend(BaseEmailBackend):
    """A mail server that does what the test says, one step per attempt."""

    script: list[str] = []

    def send_messages(self, messages):
        step = self.script.pop(0) if self.script else "accept"
        if step == "refuse-for-good":
            raise smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")})
        if step == "busy":
            raise smtplib.SMTPSenderRefused(451, b"Try again later", "no-reply@example.org")
        if step == "drop":
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        if step == "accept-then-die":
            raise SystemExit("the worker was killed after the server took the email")
        return len(messages)


@pytest.fixture
def server(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_mail.ScriptedBackend"
    ScriptedBackend.script = []
    mail.outbox = []
    return ScriptedBackend


def queue_email():
    return services.enqueue(EMAIL, to=["a@example.org"], subject="Hello", body="Body")


class WatchingBackend(ScriptedBackend):
    """Notes the message's status as the server is asked."""

    statuses: list[str] = []

    def send_messages(self, messages):
        self.statuses.extend(OutboxMessage.objects.values_list("status", flat=True))
        return super().send_messages(messages)


def test_the_message_is_claimed_before_the_server_is_asked(db, server, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_mail.WatchingBackend"
    WatchingBackend.statuses = []
    message = queue_email()
    deliver_outbox()
    message.refresh_from_db()
    assert WatchingBackend.statuses == [OutboxMessage.Status.RUNNING]
    assert message.status == OutboxMessage.Status.DONE
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == message_id_for(message)


def test_a_busy_server_is_tried_again_after_the_backoff(db, server):
    server.script = ["busy"]
    message = queue_email()
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and "try later" in message.last_error
    assert message.not_before < timezone.now() + dt.timedelta(minutes=2)
    OutboxMessage.objects.update(not_before=timezone.now())
    deliver_outbox()
    assert len(mail.outbox) == 1


def test_an_address_refused_for_good_fails_with_the_servers_reason(db, server):
    server.script = ["refuse-for-good"]
    message = queue_email()
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "refused the address" in message.last_error and "No such user" in message.last_error


def test_a_dropped_connection_waits_before_trying_again_with_the_same_message_id(
    db, server, settings
):
    server.script = ["drop"]
    message = queue_email()
    deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and "may have gone" in message.last_error
    wait = dt.timedelta(seconds=settings.OUTBOX_UNKNOWN_OUTCOME_SECONDS)
    assert message.not_before > timezone.now() + wait - dt.timedelta(minutes=1)
    assert deliver_outbox() == 0
    OutboxMessage.objects.update(not_before=timezone.now())
    deliver_outbox()
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == message_id_for(message)


def test_the_crash_window_sends_again_only_after_the_delay_with_the_same_message_id(
    db, server, settings
):
    """The worker dies after the server took the email and before the outcome was
    recorded: the email is sent again, rarely, and recognisably."""
    server.script = ["accept-then-die"]
    message = queue_email()
    with pytest.raises(SystemExit):
        deliver_outbox()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.RUNNING and len(mail.outbox) == 1
    # The heartbeat stops; the sweep sees it once it is stale.
    later = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS + 1)
    assert services.sweep(now=later)["returned"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.not_before >= later + dt.timedelta(
        seconds=settings.OUTBOX_UNKNOWN_OUTCOME_SECONDS
    )
    assert deliver_outbox() == 0 and len(mail.outbox) == 1  # not yet
    OutboxMessage.objects.update(not_before=timezone.now())
    deliver_outbox()
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE and message.attempts == 2


def test_email_timeout_is_set(settings):
    assert settings.EMAIL_TIMEOUT == 20
