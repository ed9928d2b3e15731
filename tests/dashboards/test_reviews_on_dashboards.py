"""Progress reviews on the dashboards: the caseload column, the provider overview's flags
and the apprenticeship page's summary."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from portfolio.reviews import schedule as review_schedule
from tests import factories
from tests.helpers.reviews import record, sign_all
from tests.query_counts import (
    APPRENTICESHIP_PAGE_QUERIES,
    CASELOAD_QUERIES,
    OVERVIEW_QUERIES,
    assert_flat_queries,
)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _more_reviews(personas, n=4):
    def grow():
        for _ in range(n):
            review = sign_all(
                personas, record(personas, held_on=timezone.localdate() - dt.timedelta(days=1))
            )
            record(personas, review=review, discussion="A change after signing.")

    return grow


def test_the_caseload_flags_overdue_due_soon_and_waiting_reviews(client, personas):
    a = personas["apprenticeship"]
    page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert "Progress review" in page and "Overdue" in page  # started 180 days ago, no review
    record(personas)
    page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert "Overdue" not in page and "Waiting for signatures" in page
    due = review_schedule.review_schedule(a).next_due
    assert f"{due:%-d %b %Y}" in page


def test_the_overview_flags_and_filters_reviews(client, personas):
    a = personas["apprenticeship"]
    other = factories.ApprenticeshipFactory(
        provider=a.provider,
        employer=a.employer,
        standard_version=a.standard_version,
        start_date=timezone.localdate() - dt.timedelta(days=20),
        planned_end_date=timezone.localdate() + dt.timedelta(days=400),
    )
    page = _page(client, personas["admin"], reverse("dashboards:overview"))
    assert "with a review overdue" in page
    page = _page(client, personas["admin"], reverse("dashboards:overview") + "?review=overdue")
    assert "Showing only apprentices with a review overdue" in page
    assert a.apprentice.full_name in page and other.apprentice.full_name not in page


def test_the_apprenticeship_page_summarises_reviews(client, personas):
    review = sign_all(personas, record(personas))
    page = _page(client, personas["employer"], personas["apprenticeship"].get_absolute_url())
    assert "Progress reviews" in page and review.get_absolute_url() in page
    assert "Signed by everyone" in page


def test_apprenticeship_page_keeps_a_flat_query_count_with_reviews(client, personas):
    record(personas)
    client.force_login(personas["tutor"])
    url = personas["apprenticeship"].get_absolute_url()
    assert_flat_queries(client, url, _more_reviews(personas), APPRENTICESHIP_PAGE_QUERIES)


def test_caseload_keeps_a_flat_query_count_with_reviews(client, personas):
    client.force_login(personas["tutor"])
    a = personas["apprenticeship"]

    def grow():
        _more_reviews(personas, 2)()
        for _ in range(4):
            other = factories.ApprenticeshipFactory(
                provider=a.provider, employer=a.employer, standard_version=a.standard_version
            )
            factories.MembershipFactory(
                apprenticeship=other, user=personas["tutor"], role=Role.TUTOR
            )

    assert_flat_queries(client, reverse("dashboards:caseload"), grow, CASELOAD_QUERIES)


def test_overview_keeps_a_flat_query_count_with_review_flags(client, personas):
    client.force_login(personas["admin"])
    assert_flat_queries(
        client, reverse("dashboards:overview"), _more_reviews(personas), OVERVIEW_QUERIES
    )
    assert Apprenticeship.objects.count() == 2
