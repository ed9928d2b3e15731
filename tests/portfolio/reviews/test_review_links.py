"""Signing through an emailed link: single use, expiring, bound to one version and one
purpose, refused plainly otherwise."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Membership, Role
from audit.models import AuditEvent
from outbox.models import OutboxMessage
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import Review, ReviewParty, ReviewSignature, ReviewSigningLink
from portfolio.reviews.services import links as review_links
from portfolio.reviews.services import reviews
from tests import factories
from tests.helpers.outbox import deliver_outbox
from tests.helpers.reviews import WELLBEING, current, record, send_link, sign


@pytest.fixture
def employer_without_account(personas):
    """The employer contact was invited but never chose a password."""
    employer = personas["employer"]
    employer.set_unusable_password()
    employer.save()
    return employer


def _url(review, token):
    return reverse("portfolio:review-sign-by-link", args=[review.pk, token])


def _seal(review):
    return reviews.seal_for(current(review).current_version, ReviewParty.EMPLOYER)


def test_the_tutor_sends_a_link_by_email_and_only_its_hash_is_stored(
    personas, employer_without_account, mailoutbox
):
    review = record(personas)
    link = send_link(personas, review)
    stored = ReviewSigningLink.objects.get()
    assert stored.token_hash == review_links.token_hash(link.token) != link.token
    assert link.token not in str(ReviewSigningLink.objects.values().get())
    # The email waits in the outbox without the token: it is written when it is sent.
    assert link.token not in str(list(OutboxMessage.objects.values()))
    deliver_outbox()
    assert stored.expires_at - stored.created_at == dt.timedelta(days=14)
    [email] = [
        m for m in mailoutbox if "sign" in m.subject.lower() and m.to == ["employer@example.org"]
    ]
    assert review_links.signing_url(review.pk, link.token) in email.body
    assert WELLBEING not in email.body
    assert AuditEvent.objects.filter(action="review.link_sent").exists()


def test_the_employer_signs_through_the_link_once(client, personas, employer_without_account):
    review = record(personas)
    link = send_link(personas, review)
    page = client.get(_url(review, link.token))
    assert page.status_code == 200
    assert "Settling in; co-running the Tuesday peer group." in page.content.decode()
    response = client.post(_url(review, link.token), {"seal": _seal(review), "confirm": "on"})
    assert response.status_code == 200 and "You have signed the review" in response.content.decode()
    signature = ReviewSignature.objects.get()
    assert signature.party == ReviewParty.EMPLOYER and signature.signer == personas["employer"]
    assert signature.method == ReviewSignature.Method.EMAIL_LINK and signature.link_id == link.pk
    assert review_selectors.check_seal(signature).intact
    event = AuditEvent.objects.get(action="review.signed")
    assert event.actor is None and "emailed signing link" in event.actor_label

    again = client.get(_url(review, link.token))
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert (
        client.post(_url(review, link.token), {"seal": _seal(review), "confirm": "on"}).status_code
        == 410
    )
    assert ReviewSignature.objects.count() == 1


def test_the_link_page_never_shows_the_wellbeing_check_in(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    page = client.get(_url(review, link.token)).content.decode()
    assert WELLBEING not in page and "Wellbeing check-in" not in page
    signed = client.post(_url(review, link.token), {"seal": _seal(review), "confirm": "on"})
    assert WELLBEING not in signed.content.decode()


def test_the_link_page_needs_no_sign_in_and_is_never_cached(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    response = client.get(_url(review, link.token))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"  # the address never leaves the site


def test_an_expired_link_is_refused(client, personas):
    review = record(personas)
    link = send_link(personas, review, now=timezone.now() - dt.timedelta(days=15))
    response = client.get(_url(review, link.token))
    assert response.status_code == 410 and "ran out" in response.content.decode()
    response = client.post(_url(review, link.token), {"seal": _seal(review), "confirm": "on"})
    assert response.status_code == 410
    assert not ReviewSignature.objects.exists()


@pytest.mark.parametrize("tamper", ["flip", "cut", "extend", "other"])
def test_a_tampered_link_is_refused(client, personas, tamper):
    review = record(personas)
    token = send_link(personas, review).token
    bad = {
        "flip": ("A" if token[0] != "A" else "B") + token[1:],
        "cut": token[:-1],
        "extend": token + "x",
        "other": "not-a-real-token",
    }[tamper]
    response = client.get(_url(review, bad))
    assert response.status_code == 404 and "does not work" in response.content.decode()
    response = client.post(_url(review, bad), {"seal": _seal(review), "confirm": "on"})
    assert response.status_code == 404
    assert not ReviewSignature.objects.exists()


def test_a_link_for_another_review_is_refused(client, personas):
    review = record(personas)
    other = record(personas, held_on=timezone.localdate())
    token = send_link(personas, review).token
    response = client.get(_url(other, token))
    assert response.status_code == 404 and "different review" in response.content.decode()
    response = client.post(_url(other, token), {"seal": _seal(other), "confirm": "on"})
    assert response.status_code == 404
    assert not ReviewSignature.objects.exists()


def test_a_link_cannot_be_used_for_anything_else(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    ReviewSigningLink.objects.filter(pk=link.pk).update(purpose="something_else")
    response = client.get(_url(review, link.token))
    assert response.status_code == 404 and "cannot be used" in response.content.decode()


def test_a_newer_link_stops_the_older_one(client, personas):
    review = record(personas)
    first = send_link(personas, review)
    second = send_link(personas, review)
    response = client.get(_url(review, first.token))
    assert response.status_code == 410 and "newer link" in response.content.decode()
    assert client.get(_url(review, second.token)).status_code == 200


def test_a_change_to_the_review_stops_the_link(client, personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    link = send_link(personas, review)
    record(personas, review=review, discussion="Changed after the link was sent.")
    response = client.get(_url(review, link.token))
    assert response.status_code == 410 and "has changed" in response.content.decode()


def test_changing_the_signatory_stops_the_link(client, personas):
    other = factories.UserFactory(full_name="Second Contact")
    factories.OrganisationMembershipFactory(
        user=other, organisation=personas["apprenticeship"].employer
    )
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=other, role=Role.EMPLOYER
    )
    review = record(personas)
    link = send_link(personas, review)
    record(personas, review=review, employer_signatory=other)
    assert client.get(_url(review, link.token)).status_code == 410


def test_a_link_stops_when_the_person_is_taken_off_the_apprenticeship(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    Membership.objects.filter(user=personas["employer"], role=Role.EMPLOYER).update(is_active=False)
    response = client.get(_url(review, link.token))
    assert response.status_code == 410 and "no longer" in response.content.decode()


def test_a_link_stops_when_the_employer_signed_in_the_app(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    sign(review, personas["employer"], ReviewParty.EMPLOYER)
    assert client.get(_url(review, link.token)).status_code == 410


def test_signing_through_a_link_needs_the_box_ticked_and_the_content_seen(client, personas):
    review = record(personas)
    link = send_link(personas, review)
    response = client.post(_url(review, link.token), {"seal": _seal(review)})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    response = client.post(_url(review, link.token), {"seal": "0" * 64, "confirm": "on"})
    assert "changed while you were reading" in response.content.decode()
    assert not ReviewSignature.objects.exists()
    assert ReviewSigningLink.objects.get().used_at is None


def test_sending_a_link_is_refused_when_the_employer_has_signed(personas):
    review = record(personas)
    sign(review, personas["employer"], ReviewParty.EMPLOYER)
    with pytest.raises(reviews.ReviewError, match="already signed"):
        send_link(personas, review)


def test_sending_a_link_is_refused_for_a_planned_review(personas):
    from portfolio.reviews.services import scheduling

    planned = scheduling.schedule_review(
        apprenticeship=personas["apprenticeship"],
        by=personas["tutor"],
        scheduled_for=timezone.localdate(),
    )
    with pytest.raises(reviews.ReviewError):
        send_link(personas, planned)
    assert Review.objects.get().status == Review.Status.SCHEDULED


def test_the_email_link_has_the_whole_token(personas, mailoutbox):
    review = record(personas)
    link = send_link(personas, review)
    deliver_outbox()
    body = [m for m in mailoutbox if "link" in m.body][-1].body
    [url] = re.findall(r"https?://\S+", body)
    assert url.endswith(f"/{review.pk}/{link.token}/")
