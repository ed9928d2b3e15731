"""Notifications: who is told about each event, once; emails as each person chose and
never carrying what anyone wrote; the digest; the in-app list; and the round trip from
an event to the thing being done."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from apprenticeship.models import Membership, Role
from dashboards import waiting
from epa.services import gateway as gateway_services
from notifications import services
from notifications.models import EmailChoice, Notification
from outbox.models import OutboxMessage
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import decisions
from portfolio.training.services import log as otj_log
from tests import factories
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.outbox import deliver_outbox
from tests.helpers.reviews import WELLBEING, record

SECRET_ACCOUNT = "Sat with J. on the bench outside the hostel after the overdose."


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("recipient__email", flat=True))


def emails_about(subject: str) -> list:
    return [m for m in mail.outbox if m.subject == subject]


def submit(personas, **extra) -> Evidence:
    return make_evidence(
        personas["apprenticeship"],
        status=Evidence.Status.SUBMITTED,
        account=SECRET_ACCOUNT,
        title="Bench conversation with J.",
        **extra,
    )


def test_submitted_evidence_tells_the_tutor_once_by_email_without_its_text(personas):
    evidence = submit(personas)
    deliver_outbox()
    assert told("evidence_submitted") == {"tutor@example.org"}
    sent = emails_about("Evidence is waiting for your review")
    assert [m.to for m in sent] == [["tutor@example.org"]]
    body = sent[0].body
    assert reverse("portfolio:evidence-detail", args=[evidence.pk]) in body
    for secret in (SECRET_ACCOUNT, "J.", "Bench", personas["apprentice"].full_name):
        assert secret not in body and secret not in sent[0].subject
    # The job running again, or the outbox sweeping again, changes nothing.
    message = OutboxMessage.objects.get(task="notifications.tasks.notify")
    services.notify(
        event="evidence_submitted",
        key=message.payload["notification_key"],
        object_id=evidence.pk,
    )
    deliver_outbox()
    assert Notification.objects.count() == 1
    assert len(emails_about("Evidence is waiting for your review")) == 1


def test_a_decision_tells_the_apprentice_and_a_resubmission_the_tutor_again(personas):
    evidence = submit(personas)
    from portfolio.evidence.services import evidence as evidence_services

    decisions.review_evidence(
        evidence=evidence, by=personas["tutor"], decision="refer", feedback="Add the date."
    )
    deliver_outbox()
    assert told("evidence_referred") == {"apprentice@example.org"}
    evidence_services.submit_evidence(
        evidence=Evidence.objects.get(pk=evidence.pk),
        by=personas["apprentice"],
        own_work=True,
        names_no_one=True,
    )
    deliver_outbox()
    assert Notification.objects.filter(event="evidence_submitted").count() == 2
    body = emails_about("Your evidence was referred back to you")[0].body
    assert "Add the date" not in body


def test_rejected_training_tells_the_apprentice(personas):
    entry = factories.OtjEntryFactory(apprenticeship=personas["apprenticeship"])
    otj_log.reject_otj_entry(
        entry=entry, by=personas["tutor"], as_role=Role.TUTOR, reason="That was a day off."
    )
    deliver_outbox()
    assert told("otj_rejected") == {"apprentice@example.org"}
    assert "day off" not in emails_about("An off-the-job entry was not accepted")[0].body


def test_a_review_ready_to_sign_tells_those_who_sign_in_the_app_only(personas):
    record(personas)
    deliver_outbox()
    assert told("review_ready") == {
        "apprentice@example.org",
        "employer@example.org",
        "tutor@example.org",
    }
    # The review's own signature request is the email; nothing carries the wellbeing note.
    assert emails_about("A progress review is ready to sign") == []
    assert all(WELLBEING not in m.body for m in mail.outbox)


def test_gateway_passing_tells_the_apprentice_tutor_and_employer(personas):
    a = make_ready(personas["apprenticeship"], personas["tutor"])
    gateway_services.declare(
        apprenticeship=a, party="employer", by=personas["employer"], confirmed=True
    )
    gateway_services.declare(
        apprenticeship=a, party="provider", by=personas["tutor"], confirmed=True
    )
    deliver_outbox()
    assert told("gateway_passed") == {
        "apprentice@example.org",
        "employer@example.org",
        "tutor@example.org",
    }


def test_assessment_events_tell_only_those_who_may_see_them(post_gateway, personas):
    membership = Membership.objects.get(apprenticeship=post_gateway, role=Role.ASSESSOR)
    services.notify(event="assessor_assigned", key="assigned:1", object_id=membership.pk)
    assert told("assessor_assigned") == {"assessor@example.org"}

    round_ = factories.AssessmentRoundFactory(apprenticeship=post_gateway)
    services.notify(event="result_confirmed", key="result:1", object_id=round_.pk)
    assert told("result_confirmed") == {
        "apprentice@example.org",
        "employer@example.org",
        "tutor@example.org",
    }
    appeal = factories.AppealFactory(round=round_)
    services.notify(event="appeal_decided", key="appeal:1", object_id=appeal.pk)
    assert told("appeal_decided") == {"apprentice@example.org", "tutor@example.org"}
    assert "outsider@example.org" not in set(
        Notification.objects.values_list("recipient__email", flat=True)
    )


def test_an_ended_tutor_is_not_told(personas):
    Membership.objects.filter(user=personas["tutor"]).update(is_active=False)
    submit(personas)
    deliver_outbox()
    assert told("evidence_submitted") == set()


@pytest.mark.parametrize(
    ("choice", "emails_now"),
    [(EmailChoice.EACH, 1), (EmailChoice.DIGEST, 0), (EmailChoice.NONE, 0)],
)
def test_each_person_chooses_how_they_hear(personas, choice, emails_now):
    services.set_email_choice(user=personas["tutor"], email=choice)
    submit(personas)
    deliver_outbox()
    assert Notification.objects.filter(recipient=personas["tutor"]).count() == 1
    assert len(emails_about("Evidence is waiting for your review")) == emails_now

    mail.outbox.clear()
    services.send_digests()
    deliver_outbox()
    digests = [m for m in mail.outbox if m.subject.startswith("Your portfolio today")]
    assert len(digests) == (1 if choice == EmailChoice.DIGEST else 0)
    if digests:
        assert "Evidence is waiting for your review" in digests[0].body
        assert SECRET_ACCOUNT not in digests[0].body
    # A second run the same day sends nothing more.
    mail.outbox.clear()
    services.send_digests()
    deliver_outbox()
    assert mail.outbox == []


def test_the_list_marks_unread_and_opening_one_marks_it_read(client, personas):
    evidence = submit(personas)
    deliver_outbox()
    notification = Notification.objects.get()
    client.force_login(personas["tutor"])
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 1}
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Evidence is waiting for your review" in page and "New" in page
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:evidence-detail", args=[evidence.pk])
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 0}
    # Someone else's notification does not exist for you.
    client.force_login(personas["apprentice"])
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read(client, personas):
    submit(personas)
    submit(personas)
    deliver_outbox()
    client.force_login(personas["tutor"])
    client.post(reverse("notifications:read-all"))
    assert Notification.objects.unread().count() == 0


def test_the_profile_saves_the_email_choice(client, personas):
    client.force_login(personas["tutor"])
    page = client.get(reverse("notifications:profile")).content.decode()
    assert "tutor@example.org" in page and "Change your password" in page
    response = client.post(reverse("notifications:profile"), {"email": "digest"})
    assert response.status_code == 302
    assert services.email_choice(personas["tutor"]) == EmailChoice.DIGEST
    response = client.post(reverse("notifications:profile"), {"email": "pigeon"})
    assert response.status_code == 400
    assert services.email_choice(personas["tutor"]) == EmailChoice.DIGEST


def test_round_trip_from_event_to_done(client, personas):
    """Evidence submitted → one email to the tutor → its link opens the evidence → the
    tutor accepts it → it is gone from the waiting list."""
    evidence = submit(personas)
    deliver_outbox()
    deliver_outbox()
    (email,) = emails_about("Evidence is waiting for your review")
    path = reverse("portfolio:evidence-detail", args=[evidence.pk])
    link = next(line.strip() for line in email.body.splitlines() if line.strip().endswith(path))
    client.force_login(personas["tutor"])
    assert "evidence_to_review" in [i.kind for i in waiting.for_tutor(personas["tutor"]).items]
    assert client.get(urlsplit(link).path).status_code == 200
    response = client.post(
        reverse("portfolio:evidence-review", args=[evidence.pk]),
        {"decision": "accept", "feedback": "Clear and careful."},
    )
    assert response.status_code == 302
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.ACCEPTED
    assert "evidence_to_review" not in [i.kind for i in waiting.for_tutor(personas["tutor"]).items]
    page = client.get(reverse("dashboards:caseload")).content.decode()
    assert "to review" not in page.split("Waiting for you", 1)[1].split("</section>", 1)[0]
    assert len(emails_about("Evidence is waiting for your review")) == 1
