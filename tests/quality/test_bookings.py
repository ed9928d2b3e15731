"""Booking the assessment's sessions, and asking to rearrange one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from quality.errors import QualityError
from quality.models import AssessmentBooking, RearrangeRequest
from quality.services import bookings
from tests import factories
from tests.query_counts import assert_flat_queries


def _book(at_epa, methods, epao_admin, assessor, **changes):
    values = {
        "apprenticeship": at_epa,
        "by": epao_admin,
        "method": methods["AM1"],
        "starts_at": timezone.now() + dt.timedelta(days=10),
        "place": "Riverside Service, room 2",
        "video_link": "",
        "assessor": assessor,
        **changes,
    }
    return bookings.book_session(**values)


def test_the_epao_admin_books_and_the_apprentice_and_employer_see_it(
    client, personas, at_epa, methods, epao_admin, assessor
):
    client.force_login(epao_admin)
    response = client.post(
        reverse("quality:booking-add", args=[at_epa.pk]),
        {
            "method": methods["AM2"].pk,
            "starts_at": (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "video_link": "https://video.example.org/room/7",
            "assessor": assessor.pk,
        },
    )
    assert response.status_code == 302
    booking = AssessmentBooking.objects.get()
    for name in ("apprentice", "employer"):
        client.force_login(personas[name])
        page = client.get(reverse("quality:booking-list", args=[at_epa.pk]))
        assert page.status_code == 200
        assert b"https://video.example.org/room/7" in page.content
        assert b"Ask to rearrange" in page.content
    client.force_login(personas["apprentice"])
    url = reverse("quality:booking-rearrange", args=[booking.pk])
    assert client.post(url, {"reason": "  "}).status_code == 400
    assert not RearrangeRequest.objects.exists()
    assert client.post(url, {"reason": "I have a hospital appointment."}).status_code == 302
    assert RearrangeRequest.objects.get().requested_by == personas["apprentice"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(hours=1)}, "future"),
        ({"place": "", "video_link": ""}, "place"),
    ],
)
def test_a_bad_booking_is_refused(at_epa, methods, epao_admin, assessor, changes, message):
    with pytest.raises(QualityError, match=message):
        _book(at_epa, methods, epao_admin, assessor, **changes)
    assert not AssessmentBooking.objects.exists()


def test_only_an_assigned_assessor_can_be_booked(at_epa, methods, epao_admin):
    stranger = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=stranger, organisation=at_epa.epao)
    with pytest.raises(QualityError, match="assigned"):
        _book(at_epa, methods, epao_admin, stranger)


def test_the_booking_form_offers_only_this_apprentices_assessors(
    client, at_epa, epao_admin, assessor
):
    stranger = factories.UserFactory(full_name="Not Assigned")
    factories.OrganisationMembershipFactory(user=stranger, organisation=at_epa.epao)
    client.force_login(epao_admin)
    page = client.get(reverse("quality:booking-add", args=[at_epa.pk]))
    assert assessor.full_name.encode() in page.content
    assert b"Not Assigned" not in page.content


# The session, the user, the apprenticeship with the viewer's roles, the agreed assessment
# adjustments, the bookings, their rearrange requests and who asked, the navigation's
# roles, and the session saved.
BOOKING_LIST_QUERIES = 8


def test_the_booking_list_queries_stay_flat(
    client, personas, at_epa, methods, epao_admin, assessor
):
    client.force_login(personas["apprentice"])
    booking = _book(at_epa, methods, epao_admin, assessor)
    bookings.ask_to_rearrange(booking=booking, by=personas["employer"], reason="Shift clash.")

    def grow():
        for days in (11, 12, 13):
            more = _book(
                at_epa,
                methods,
                epao_admin,
                assessor,
                starts_at=timezone.now() + dt.timedelta(days=days),
            )
            bookings.ask_to_rearrange(booking=more, by=personas["apprentice"], reason="Exam.")

    assert_flat_queries(
        client, reverse("quality:booking-list", args=[at_epa.pk]), grow, BOOKING_LIST_QUERIES
    )
