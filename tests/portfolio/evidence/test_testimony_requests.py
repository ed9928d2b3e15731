"""Asking a witness for a testimony: the employer contact in the app, or someone from
outside through a single-use emailed link; waiting until written; written, it is evidence
for the tutor to review; emails never carry what anyone wrote."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dashboards import waiting
from notifications.models import Notification
from portfolio.evidence.models import Evidence, EvidenceKind
from portfolio.evidence.models import TestimonyRequest as Asked
from portfolio.evidence.services import testimony_requests as services
from portfolio.evidence.services.evidence import EvidenceError
from tests.helpers.outbox import deliver_outbox

SEEN = "Led the group calmly when a member became distressed; checked in with everyone after."


def kinds(result) -> list[str]:
    return [item.kind for item in result.items]


def other_kinds(result) -> list[str]:
    return [item.kind for item in result.others]


def ask_outside(personas, **extra):
    return services.request_testimony(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        activity="Running the Tuesday peer group",
        witness_name="Sam Outside",
        witness_email="sam@partner.example",
        **extra,
    )


def link_path(email) -> str:
    (url,) = re.findall(r"https?://\S+", email.body)
    return urlsplit(url).path


def test_the_employer_contact_is_told_writes_it_and_it_becomes_evidence_for_review(
    client, personas
):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    asked = services.request_testimony(
        apprenticeship=apprenticeship,
        by=personas["tutor"],
        activity="Running the Tuesday peer group",
        duties=[duty],
        witness=personas["employer"],
    )
    deliver_outbox()
    assert "testimony_asked" in kinds(waiting.for_employer(personas["employer"]))
    scope = apprenticeship.__class__.objects.filter(pk=apprenticeship.pk)
    assert "testimony_requested" in other_kinds(waiting.for_apprentice(scope))
    assert "testimony_requested" in other_kinds(waiting.for_tutor(personas["tutor"]))
    (email,) = [m for m in mail.outbox if m.to == ["employer@example.org"]]
    assert email.subject == "You have been asked for a witness testimony"
    assert "Tuesday" not in email.body
    path = reverse("portfolio:testimony-request-write", args=[asked.pk])
    assert path in email.body

    client.force_login(personas["employer"])
    page = client.get(path)
    assert page.status_code == 200
    assert "Running the Tuesday peer group" in page.content.decode()
    response = client.post(
        path,
        {"author_role": "Team leader", "witnessed_on": timezone.localdate(), "text": SEEN},
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    evidence = Evidence.objects.get(pk=asked.evidence_id)
    assert evidence.kind == EvidenceKind.WITNESS_TESTIMONY
    assert evidence.status == Evidence.Status.SUBMITTED
    assert list(evidence.duties.all()) == [duty]
    assert evidence.testimonies.get().text == SEEN
    assert "testimony_asked" not in kinds(waiting.for_employer(personas["employer"]))
    assert "testimony_requested" not in other_kinds(waiting.for_apprentice(scope))
    assert "testimony_requested" not in other_kinds(waiting.for_tutor(personas["tutor"]))
    assert "evidence_to_review" in kinds(waiting.for_tutor(personas["tutor"]))

    mail.outbox.clear()
    deliver_outbox()
    told = set(Notification.objects.values_list("event", "recipient__email"))
    assert ("testimony_written", "apprentice@example.org") in told
    assert ("evidence_submitted", "tutor@example.org") in told
    assert all(SEEN not in m.body and "Tuesday" not in m.body for m in mail.outbox)
    # Written once: the page now says so and writes nothing more.
    again = client.post(
        path, {"author_role": "Team leader", "witnessed_on": timezone.localdate(), "text": "x"}
    )
    assert again.status_code == 302
    assert Evidence.objects.filter(kind=EvidenceKind.WITNESS_TESTIMONY).count() == 1


def test_another_employer_contact_may_not_write_it(client, personas):
    from tests import factories

    other = factories.UserFactory(email="other.manager@example.org")
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=other, role="employer"
    )
    asked = services.request_testimony(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        activity="Peer group",
        witness=personas["employer"],
    )
    client.force_login(other)
    url = reverse("portfolio:testimony-request-write", args=[asked.pk])
    assert client.get(url).status_code == 403


def test_an_outside_witness_writes_once_through_the_emailed_link(client, personas):
    asked = ask_outside(personas)
    assert Asked.objects.get(pk=asked.pk).token_hash != asked.token
    deliver_outbox()
    (email,) = [m for m in mail.outbox if m.to == ["sam@partner.example"]]
    # The email names who asks and links to the page; what it is about is on the page.
    assert "Tuesday" not in email.body and "Tuesday" not in email.subject
    path = link_path(email)
    assert path == reverse("portfolio:testimony-by-link", args=[asked.pk, asked.token])

    page = client.get(path)
    text = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store")
    assert "Running the Tuesday peer group" in text
    # The page reveals nothing of the portfolio: no links into it, no navigation.
    assert reverse("dashboards:apprenticeship-detail", args=[asked.apprenticeship_id]) not in text
    assert client.post(path, {"author_role": "", "witnessed_on": "", "text": ""}).status_code == 200
    assert not Evidence.objects.filter(kind=EvidenceKind.WITNESS_TESTIMONY).exists()
    done = client.post(
        path,
        {"author_role": "Charity worker", "witnessed_on": timezone.localdate(), "text": SEEN},
    )
    assert done.status_code == 200
    assert SEEN not in done.content.decode()
    evidence = Evidence.objects.get(kind=EvidenceKind.WITNESS_TESTIMONY)
    testimony = evidence.testimonies.get()
    assert testimony.author is None and testimony.witness == "Sam Outside"
    # Single use: the link now says so, and a second post writes nothing.
    used = client.get(path)
    assert used.status_code == 410 and "already been written" in used.content.decode()
    client.post(path, {"author_role": "x", "witnessed_on": timezone.localdate(), "text": "Again"})
    assert Evidence.objects.filter(kind=EvidenceKind.WITNESS_TESTIMONY).count() == 1


def test_a_link_runs_out_is_withdrawn_or_is_wrong(client, personas):
    asked = ask_outside(personas, now=timezone.now() - dt.timedelta(days=29))
    path = reverse("portfolio:testimony-by-link", args=[asked.pk, asked.token])
    response = client.get(path)
    assert response.status_code == 410 and "ran out" in response.content.decode()
    # An email for a request that ran out is not sent.
    deliver_outbox()
    assert mail.outbox == []

    fresh = ask_outside(personas)
    wrong = reverse("portfolio:testimony-by-link", args=[fresh.pk, fresh.token[:-2] + "xx"])
    assert client.get(wrong).status_code == 404
    other = reverse("portfolio:testimony-by-link", args=[asked.pk, fresh.token])
    assert client.get(other).status_code == 404
    services.withdraw_testimony_request(request=fresh, by=personas["apprentice"])
    path = reverse("portfolio:testimony-by-link", args=[fresh.pk, fresh.token])
    assert "withdrawn" in client.get(path).content.decode()


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({}, "Choose an employer contact"),
        ({"witness_name": "Sam"}, "Choose an employer contact"),
        ({"activity_date": timezone.localdate() + dt.timedelta(days=1)}, "future"),
    ],
)
def test_a_bad_request_says_why_and_changes_nothing(client, personas, extra, problem):
    client.force_login(personas["apprentice"])
    data = {"activity": "Peer group", "witness": "", **extra}
    if "activity_date" in extra:
        data |= {"witness_name": "Sam", "witness_email": "sam@partner.example"}
    url = reverse("portfolio:testimony-request-create", args=[personas["apprenticeship"].pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not Asked.objects.exists()


def test_the_apprentice_asks_through_the_page_and_can_withdraw(client, personas):
    client.force_login(personas["apprentice"])
    a = personas["apprenticeship"]
    response = client.post(
        reverse("portfolio:testimony-request-create", args=[a.pk]),
        {"activity": "Peer group", "witness": personas["employer"].pk},
    )
    assert response.status_code == 302
    asked = Asked.objects.get()
    assert asked.witness == personas["employer"]
    listing = client.get(reverse("portfolio:testimony-list", args=[a.pk])).content.decode()
    assert "Asked for, not written yet" in listing
    client.post(reverse("portfolio:testimony-request-withdraw", args=[asked.pk]))
    assert Asked.objects.open().count() == 0
    with pytest.raises(EvidenceError):
        services.withdraw_testimony_request(request=asked, by=personas["apprentice"])


def test_a_testimony_item_taken_back_cannot_be_submitted_without_its_testimony(personas):
    from portfolio.evidence.selectors import missing_for_submission

    asked = ask_outside(personas)
    evidence = services.write_requested_testimony(
        request=asked,
        by=None,
        author_role="Charity worker",
        witnessed_on=timezone.localdate(),
        text=SEEN,
    )
    assert not any("Attach the witness testimony" in m for m in missing_for_submission(evidence))
    evidence.testimonies.clear()
    assert any("Attach the witness testimony" in m for m in missing_for_submission(evidence))
