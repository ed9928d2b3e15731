"""Reminder emails: due soon, overdue, waiting for a signature, each once per due event;
requests to sign queued through the outbox."""

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from outbox.models import OutboxMessage
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews import tasks
from portfolio.reviews.models import ReviewParty, ReviewReminder
from portfolio.reviews.services import reminders as review_reminders
from tests.helpers.outbox import deliver_outbox
from tests.helpers.reviews import WELLBEING, current, record, send_link, sign
from tests.helpers.wellbeing import assert_no_plan, write_plan


def _start(apprenticeship, days_ago):
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start, planned_end_date=start + dt.timedelta(days=460)
    )


@pytest.fixture(autouse=True)
def _others_not_due(personas):
    """The outsider's apprentice started recently, so only the personas' reviews are due."""
    _start(personas["other_apprenticeship"], 10)


def _to(person):
    """What `person` has received, once the outbox has delivered what is queued."""
    deliver_outbox()
    return [m for m in mail.outbox if m.to == [person.email]]


def test_the_tutor_hears_once_that_a_review_is_due_soon(personas):
    a = personas["apprenticeship"]
    _start(a, 80)  # first review due in about ten days
    counts = review_reminders.send_review_reminders()
    assert counts["due_soon"] == 1 and counts["overdue"] == 0
    [email] = _to(personas["tutor"])
    assert "due by" in email.subject and "Apprentice" in email.body
    assert review_reminders.send_review_reminders()["due_soon"] == 0
    assert len(_to(personas["tutor"])) == 1


def test_an_overdue_review_is_a_new_due_event_with_one_email(personas):
    a = personas["apprenticeship"]
    _start(a, 80)
    review_reminders.send_review_reminders()
    later = timezone.localdate() + dt.timedelta(days=20)
    counts = review_reminders.send_review_reminders(today=later)
    assert counts["overdue"] == 1
    review_reminders.send_review_reminders(today=later + dt.timedelta(days=1))
    subjects = [m.subject for m in _to(personas["tutor"])]
    assert len(subjects) == 2 and "overdue" in subjects[1]


def test_a_new_due_date_after_a_review_is_a_new_due_event(personas):
    a = personas["apprenticeship"]
    _start(a, 80)
    review_reminders.send_review_reminders()
    review = record(personas)
    # The next review is due three months after this one: a reminder comes again then.
    due = current(review).current_version.held_on
    soon_before_next = due + dt.timedelta(days=85)
    assert review_reminders.send_due_reminders(today=soon_before_next)["due_soon"] == 1
    keys = set(ReviewReminder.objects.filter(kind="due_soon").values_list("key", flat=True))
    assert len(keys) == 2


def test_nothing_is_sent_when_no_review_is_due(personas):
    _start(personas["apprenticeship"], 10)
    assert review_reminders.send_review_reminders() == {
        "due_soon": 0,
        "overdue": 0,
        "signature_waiting": 0,
    }
    assert not OutboxMessage.objects.exists()


def test_apprenticeships_after_gateway_get_no_due_reminders(personas, post_gateway):
    _start(post_gateway, 400)
    assert review_reminders.send_due_reminders()["overdue"] == 0


def test_recording_queues_requests_to_sign_in_the_outbox(personas):
    review = record(personas)
    [message] = OutboxMessage.objects.filter(task="portfolio.reviews.tasks.send_signature_requests")
    assert message.payload == {"version_id": current(review).current_version_id}
    assert message.apprenticeship_id == personas["apprenticeship"].pk
    deliver_outbox()
    assert {m.to[0] for m in mail.outbox} == {"apprentice@example.org", "employer@example.org"}


def test_the_apprentice_and_employer_are_asked_to_sign_once(personas):
    write_plan(personas)  # every section shared with the tutor and the employer
    review = current(record(personas))
    OutboxMessage.objects.all().delete()  # what recording queued; asked directly here
    assert review_reminders.send_signature_requests(version_id=review.current_version_id) == 2
    assert review_reminders.send_signature_requests(version_id=review.current_version_id) == 0
    [apprentice_email] = _to(personas["apprentice"])
    assert review.get_absolute_url() in apprentice_email.body
    assert len(_to(personas["employer"])) == 1
    assert not _to(personas["tutor"])
    for email in mail.outbox:
        assert WELLBEING not in email.body and "peer group" not in email.body
        assert_no_plan(email.body)


def test_an_employer_without_an_account_is_not_asked_to_sign_in(personas):
    personas["employer"].set_unusable_password()
    personas["employer"].save()
    review = current(record(personas))
    assert review_reminders.send_signature_requests(version_id=review.current_version_id) == 1
    assert not _to(personas["employer"])


def test_a_request_for_an_old_version_is_not_sent(personas):
    review = record(personas)
    first = current(review).current_version_id
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    record(personas, review=review, discussion="Changed.")
    assert review_reminders.send_signature_requests(version_id=first) == 0
    assert review_reminders.send_signature_requests(version_id=999_999) == 0


def test_the_queued_task_calls_the_service(personas):
    review = current(record(personas))
    OutboxMessage.objects.all().delete()
    tasks.send_signature_requests.run(review.current_version_id)
    deliver_outbox()
    assert len(mail.outbox) == 2


def test_people_still_to_sign_are_reminded_once_after_three_days(personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    assert review_reminders.send_signature_reminders() == 0
    later = timezone.now() + dt.timedelta(days=3, hours=1)
    sent = review_reminders.send_signature_reminders(now=later)
    assert sent == 2  # the employer, and the tutor (who has not signed either)
    assert not _to(personas["apprentice"])
    [to_tutor] = _to(personas["tutor"])
    assert "Employer, for the employer" in to_tutor.body and "a tutor" in to_tutor.body
    assert review_reminders.send_signature_reminders(now=later + dt.timedelta(days=2)) == 0
    for email in mail.outbox:
        assert WELLBEING not in email.body


def test_an_employer_without_an_account_is_reminded_of_their_link(personas):
    personas["employer"].set_unusable_password()
    personas["employer"].save()
    record(personas)
    later = timezone.now() + dt.timedelta(days=4)
    review_reminders.send_signature_reminders(now=later)
    assert not _to(personas["employer"])  # no link yet: the tutor is told to send one
    assert "send one from the review page" in _to(personas["tutor"])[0].body

    review2 = record(personas, held_on=timezone.localdate())
    send_link(personas, review2)
    review_reminders.send_signature_reminders(now=later)
    # (The employer also has the link's own email.)
    [email] = [m for m in _to(personas["employer"]) if m.subject.startswith("Waiting")]
    assert "emailed you a link" in email.body


def test_a_new_version_is_a_new_signature_event(personas):
    review = record(personas)
    later = timezone.now() + dt.timedelta(days=4)
    first = review_reminders.send_signature_reminders(now=later)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    record(personas, review=review, discussion="Changed.")
    too_soon = timezone.now() + dt.timedelta(days=1)
    assert review_reminders.send_signature_reminders(now=too_soon) == 0
    second = review_reminders.send_signature_reminders(now=later)
    assert first == second == 3


def test_a_failed_email_is_tried_again_by_the_outbox_not_queued_again(personas, settings):
    _start(personas["apprenticeship"], 80)
    assert review_reminders.send_due_reminders()["due_soon"] == 1
    refused = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.open", side_effect=ConnectionRefusedError
    )
    with refused:
        deliver_outbox()
    [message] = OutboxMessage.objects.all()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert "could not be reached" in message.last_error and not mail.outbox
    # The next daily run does not queue it again; the outbox's retry delivers it once.
    assert review_reminders.send_due_reminders()["due_soon"] == 0
    OutboxMessage.objects.update(not_before=timezone.now())
    assert len(_to(personas["tutor"])) == 1
    assert ReviewReminder.objects.count() == 1


def test_the_beat_task_is_scheduled_and_calls_the_service(settings, personas):
    assert (
        settings.CELERY_BEAT_SCHEDULE["review-reminders"]["task"]
        == "portfolio.reviews.tasks.send_review_reminders"
    )
    _start(personas["apprenticeship"], 80)
    tasks.send_review_reminders.run()
    assert len(_to(personas["tutor"])) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_still_send_one_email(personas):
    _start(personas["apprenticeship"], 80)
    real_enqueue = review_reminders.outbox.enqueue
    barrier = threading.Barrier(2)

    def slow_enqueue(*args, **kwargs):
        # Hold the first transaction open so the second worker's insert has to wait.
        time.sleep(0.5)
        return real_enqueue(*args, **kwargs)

    results = []

    def worker():
        try:
            barrier.wait()
            results.append(review_reminders.send_due_reminders()["due_soon"])
        finally:
            connection.close()

    with mock.patch.object(review_reminders.outbox, "enqueue", side_effect=slow_enqueue):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == [0, 1]
    assert len(_to(personas["tutor"])) == 1
    assert ReviewReminder.objects.count() == 1 and OutboxMessage.objects.count() == 1


def test_reminders_are_refused_by_the_database_twice(personas):
    from django.db import IntegrityError, transaction

    review = current(record(personas))
    values = {
        "kind": "signature_waiting",
        "key": f"version:{review.current_version_id}",
        "recipient": personas["tutor"],
        "apprenticeship": personas["apprenticeship"],
    }
    ReviewReminder.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.create(**values)


def test_seal_of_a_signature_is_unaffected_by_reminders(personas):
    review = record(personas)
    signature = sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    review_reminders.send_signature_reminders(now=timezone.now() + dt.timedelta(days=5))
    assert review_selectors.check_seal(signature).intact
