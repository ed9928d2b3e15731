"""The review pages: what each person sees (never the wellbeing check-in unless they are
the apprentice or the tutor), recording, signing, and flat query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Role
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews.models import Review, ReviewParty, ReviewSignature, ReviewVersion
from portfolio.reviews.services import reviews, scheduling
from tests import factories
from tests.helpers.outbox import deliver_outbox
from tests.helpers.reviews import WELLBEING, current, record, sign, sign_all
from tests.query_counts import assert_flat_queries


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees_wellbeing"),
    [("apprentice", True), ("tutor", True), ("employer", False), ("admin", False)],
)
def test_only_the_apprentice_and_tutor_see_the_wellbeing_check_in(
    client, personas, persona, sees_wellbeing
):
    review = record(personas)
    urls = [
        review.get_absolute_url(),
        reverse("portfolio:review-version", args=[review.pk, 1]),
        reverse("portfolio:review-list", args=[personas["apprenticeship"].pk]),
        personas["apprenticeship"].get_absolute_url(),
    ]
    pages = [_page(client, personas[persona], url) for url in urls]
    assert (WELLBEING in pages[0]) is sees_wellbeing
    assert (WELLBEING in pages[1]) is sees_wellbeing
    assert ("Wellbeing check-in" in pages[0]) is sees_wellbeing
    assert WELLBEING not in pages[2] and WELLBEING not in pages[3]
    salt = current(review).current_version.private_salt
    assert not any(salt in page for page in pages)


def test_the_assessor_reads_reviews_only_in_the_frozen_portfolio(client, personas, post_gateway):
    review = record(personas)
    client.force_login(personas["assessor"])
    assert client.get(review.get_absolute_url()).status_code == 403


def test_the_history_never_shows_the_wellbeing_check_in(client, personas):
    review = record(personas)
    record(personas, review=review, wellbeing="Another private note about sleep.")
    url = reverse("apprenticeship:apprenticeship-history", args=[personas["apprenticeship"].pk])
    for persona in ("admin", "tutor", "apprentice"):
        page = _page(client, personas[persona], url)
        assert WELLBEING not in page and "private note" not in page


def test_an_old_versions_wellbeing_check_in_stays_private(client, personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    record(personas, review=review, wellbeing="Changed note.")
    url = reverse("portfolio:review-version", args=[review.pk, 1])
    assert WELLBEING not in _page(client, personas["employer"], url)
    assert WELLBEING in _page(client, personas["apprentice"], url)


def test_the_tutor_records_a_review_through_the_form(client, personas):
    client.force_login(personas["tutor"])
    a = personas["apprenticeship"]
    today = timezone.localdate()
    data = {
        "held_on": today.isoformat(),
        "format": "video",
        "employer_signatory": personas["employer"].pk,
        "discussion": "Talked about the first group session.",
        "employer_view": "Doing well.",
        "wellbeing": "",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-0-text": "Shadow a crisis team shift",
        "targets-0-due_on": (today + dt.timedelta(days=21)).isoformat(),
        "targets-1-text": "",
        "targets-1-due_on": "",
        "targets-2-text": "",
        "targets-2-due_on": "",
    }
    response = client.post(reverse("portfolio:review-create", args=[a.pk]), data)
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.current_version.format == "video"
    assert [t.text for t in review.current_version.targets.all()] == ["Shadow a crisis team shift"]


def test_the_record_form_shows_plain_errors_and_saves_nothing(client, personas):
    client.force_login(personas["tutor"])
    a = personas["apprenticeship"]
    data = {
        "held_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "format": "in_person",
        "employer_signatory": personas["employer"].pk,
        "discussion": "Notes.",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-0-text": "A target with no date",
        "targets-0-due_on": "",
        "targets-1-text": "",
        "targets-1-due_on": "",
    }
    page = client.post(reverse("portfolio:review-create", args=[a.pk]), data).content.decode()
    assert "Give the date this target is due." in page
    data["targets-0-due_on"] = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page = client.post(reverse("portfolio:review-create", args=[a.pk]), data).content.decode()
    assert "cannot be in the future" in page
    assert not Review.objects.exists()


def test_the_record_form_offers_only_this_apprenticeships_employer_contacts(client, personas):
    page = _page(
        client,
        personas["tutor"],
        reverse("portfolio:review-create", args=[personas["apprenticeship"].pk]),
    )
    assert "Employer" in page and "Outsider" not in page and "Assessor" not in page
    client.force_login(personas["tutor"])
    data = {
        "held_on": timezone.localdate().isoformat(),
        "format": "in_person",
        "employer_signatory": personas["outsider"].pk,
        "discussion": "Notes.",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    client.post(reverse("portfolio:review-create", args=[personas["apprenticeship"].pk]), data)
    assert not Review.objects.exists()


def test_editing_a_signed_review_warns_and_makes_a_new_version(client, personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    url = reverse("portfolio:review-record", args=[review.pk])
    page = _page(client, personas["tutor"], url)
    assert "makes version 2" in page
    version = current(review).current_version
    target = version.targets.get()
    data = {
        "held_on": version.held_on.isoformat(),
        "format": version.format,
        "employer_signatory": personas["employer"].pk,
        "discussion": "Rewritten.",
        "employer_view": version.employer_view,
        "wellbeing": version.wellbeing,
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "1",
        "targets-0-text": target.text,
        "targets-0-due_on": target.due_on.isoformat(),
    }
    assert client.post(url, data).status_code == 302
    assert ReviewVersion.objects.filter(review=review).count() == 2
    page = _page(client, personas["tutor"], review.get_absolute_url())
    assert "Earlier versions" in page and "Version 1" in page


@pytest.mark.parametrize(
    ("persona", "party"),
    [("apprentice", "apprentice"), ("employer", "employer"), ("tutor", "tutor")],
)
def test_each_party_signs_on_the_page(client, personas, persona, party):
    review = current(record(personas))
    page = _page(client, personas[persona], review.get_absolute_url())
    assert "Sign this review" in page
    seal = reviews.seal_for(review.current_version, party)
    assert seal in page
    response = client.post(
        reverse("portfolio:review-sign", args=[review.pk]),
        {"party": party, "seal": seal, "confirm": "on"},
    )
    assert response.status_code == 302
    assert ReviewSignature.objects.get().party == party
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Unchanged since signing" in page and "Sign this review" not in page


def test_signing_needs_the_box_ticked(client, personas):
    review = current(record(personas))
    client.force_login(personas["apprentice"])
    seal = reviews.seal_for(review.current_version, "apprentice")
    response = client.post(
        reverse("portfolio:review-sign", args=[review.pk]),
        {"party": "apprentice", "seal": seal},
        follow=True,
    )
    assert "Tick the box" in response.content.decode()
    assert not ReviewSignature.objects.exists()


def test_other_employer_contacts_and_the_admin_see_no_sign_button(client, personas):
    review = record(personas)
    assert "Sign this review" not in _page(client, personas["admin"], review.get_absolute_url())
    other = factories.UserFactory(full_name="Other Manager")
    factories.OrganisationMembershipFactory(
        user=other, organisation=personas["apprenticeship"].employer
    )
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=other, role=Role.EMPLOYER
    )
    page = _page(client, other, review.get_absolute_url())
    assert "Sign this review" not in page and "Employer signs" in page


def test_the_page_says_when_a_seal_no_longer_matches(client, personas):
    review = sign_all(personas, record(personas))
    ReviewVersion.objects.filter(pk=review.current_version_id).update(discussion="Altered.")
    page = _page(client, personas["admin"], review.get_absolute_url())
    assert page.count("Changed since signing") == 3


def test_the_tutor_sends_a_link_from_the_page(client, personas, mailoutbox):
    review = record(personas)
    client.force_login(personas["tutor"])
    response = client.post(reverse("portfolio:review-send-link", args=[review.pk]), follow=True)
    assert "Signing link sent to Employer" in response.content.decode()
    deliver_outbox()
    [email] = [m for m in mailoutbox if "/review-signing/" in m.body]
    assert email.to == ["employer@example.org"]
    assert "A link was sent on" in client.get(review.get_absolute_url()).content.decode()


def test_planning_moving_and_calling_off_a_review(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["tutor"])
    day = timezone.localdate() + dt.timedelta(days=7)
    client.post(
        reverse("portfolio:review-schedule", args=[a.pk]), {"scheduled_for": day.isoformat()}
    )
    review = Review.objects.get()
    assert review.scheduled_for == day
    later = day + dt.timedelta(days=3)
    client.post(
        reverse("portfolio:review-reschedule", args=[review.pk]),
        {"scheduled_for": later.isoformat()},
    )
    review.refresh_from_db()
    assert review.scheduled_for == later
    response = client.post(reverse("portfolio:review-cancel", args=[review.pk]), {"reason": ""})
    assert response.status_code == 200 and Review.objects.get().status == Review.Status.SCHEDULED
    client.post(reverse("portfolio:review-cancel", args=[review.pk]), {"reason": "Apprentice ill"})
    assert Review.objects.get().status == Review.Status.CANCELLED


def test_planning_after_the_due_date_warns(client, personas):
    a = personas["apprenticeship"]
    due = review_schedule.review_schedule(a).next_due
    client.force_login(personas["tutor"])
    day = max(due, timezone.localdate()) + dt.timedelta(days=5)
    response = client.post(
        reverse("portfolio:review-schedule", args=[a.pk]),
        {"scheduled_for": day.isoformat()},
        follow=True,
    )
    assert "after the date the review is due" in response.content.decode()


def test_the_tutor_agrees_an_interval_with_a_reason(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["tutor"])
    url = reverse("portfolio:review-interval", args=[a.pk])
    page = client.post(
        url, {"choice": "agreed", "every": "4", "unit": "weeks", "reason": ""}
    ).content.decode()
    assert "Record why this interval was agreed." in page
    client.post(url, {"choice": "agreed", "every": "4", "unit": "weeks", "reason": "New team"})
    page = client.get(reverse("portfolio:review-list", args=[a.pk])).content.decode()
    assert "Reviews every 4 weeks" in page and "New team" in page
    client.post(url, {"choice": "rule"})
    page = client.get(reverse("portfolio:review-list", args=[a.pk])).content.decode()
    assert "at least every 3 months" in page


def test_a_longer_interval_records_which_employer_contact_agreed_and_when(client, personas):
    a, employer = personas["apprenticeship"], personas["employer"]
    client.force_login(personas["tutor"])
    url = reverse("portfolio:review-interval", args=[a.pk])
    form = client.get(url).content.decode()
    # Only this apprenticeship's employer contacts are offered.
    assert employer.full_name in form and personas["outsider"].full_name not in form
    longer = {"choice": "agreed", "every": "4", "unit": "months", "reason": "Part-time hours"}
    page = client.post(url, longer).content.decode()
    assert "need the employer&#x27;s agreement" in page
    assert not a.agreed_review_intervals.exists()
    agreed_on = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url,
        {**longer, "employer_contact": employer.pk, "employer_agreed_on": agreed_on.isoformat()},
    )
    assert response.status_code == 302
    page = client.get(reverse("portfolio:review-list", args=[a.pk])).content.decode()
    assert f"The employer agreed: {employer.full_name}, on {agreed_on:%-d %B %Y}." in page
    assert "longer than the 3 months the funding rules ask for" in page


def test_a_planned_review_page_offers_the_tutor_to_record_it(client, personas):
    planned = scheduling.schedule_review(
        apprenticeship=personas["apprenticeship"],
        by=personas["tutor"],
        scheduled_for=timezone.localdate(),
    )
    page = _page(client, personas["tutor"], planned.get_absolute_url())
    assert "Record this review" in page
    page = _page(client, personas["tutor"], reverse("portfolio:review-record", args=[planned.pk]))
    assert "filled in for you" in page
    assert "Record this review" not in _page(
        client, personas["apprentice"], planned.get_absolute_url()
    )


def test_a_missing_version_is_404(client, personas):
    review = record(personas)
    client.force_login(personas["tutor"])
    assert client.get(reverse("portfolio:review-version", args=[review.pk, 9])).status_code == 404


# -- query counts ------------------------------------------------------------------------


def _more_reviews(personas, n=4):
    def grow():
        for _ in range(n):
            review = sign_all(
                personas, record(personas, held_on=timezone.localdate() - dt.timedelta(days=1))
            )
            record(personas, review=review, discussion="A change after signing.")

    return grow


def test_review_list_keeps_a_flat_query_count(client, personas):
    record(personas)
    client.force_login(personas["tutor"])
    url = reverse("portfolio:review-list", args=[personas["apprenticeship"].pk])
    assert_flat_queries(client, url, _more_reviews(personas), 11)


def test_review_detail_keeps_a_flat_query_count(client, personas):
    review = sign_all(personas, record(personas))
    client.force_login(personas["tutor"])

    def grow():
        for n in range(3):
            record(personas, review=review, discussion=f"Change {n}")
            sign_all(personas, review)

    assert_flat_queries(client, review.get_absolute_url(), grow, 9)
