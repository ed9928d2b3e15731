"""List pages keep the same number of queries as the data grows."""

import pytest
from django.urls import reverse

from apprenticeship.models import Apprenticeship, Role
from audit.services import record_event
from tests import factories
from tests.query_counts import (
    ASSESSOR_HOME_QUERIES,
    CASELOAD_QUERIES,
    EMPLOYER_HOME_QUERIES,
    OVERVIEW_QUERIES,
    assert_flat_queries,
)


def more_apprenticeships(personas, n: int = 8, **extra):
    a = personas["apprenticeship"]

    def grow():
        for _ in range(n):
            other = factories.ApprenticeshipFactory(
                provider=a.provider,
                employer=a.employer,
                standard_version=a.standard_version,
                **extra,
            )
            for role in (Role.TUTOR, Role.EMPLOYER, Role.ASSESSOR):
                factories.MembershipFactory(apprenticeship=other, user=personas[role], role=role)

    return grow


@pytest.mark.parametrize(
    ("persona", "url_name", "queries", "extra"),
    [
        ("admin", "dashboards:overview", OVERVIEW_QUERIES, {}),
        ("tutor", "dashboards:caseload", CASELOAD_QUERIES, {}),
        ("employer", "dashboards:employer-home", EMPLOYER_HOME_QUERIES, {}),
        (
            "assessor",
            "dashboards:assessor-home",
            ASSESSOR_HOME_QUERIES,
            {"status": Apprenticeship.Status.GATEWAY},
        ),
    ],
)
def test_role_pages_keep_a_flat_query_count(client, personas, persona, url_name, queries, extra):
    if extra:
        Apprenticeship.objects.update(**extra)
    client.force_login(personas[persona])
    assert_flat_queries(
        client,
        reverse(url_name),
        more_apprenticeships(personas, **extra),
        queries,
    )


def test_organisation_pages_keep_a_flat_query_count(client, personas):
    client.force_login(personas["admin"])
    provider = personas["apprenticeship"].provider

    def grow():
        for _ in range(6):
            org = factories.EmployerFactory(managed_by=provider)
            factories.OrganisationMembershipFactory(organisation=org)
            factories.OrganisationMembershipFactory(
                organisation=personas["apprenticeship"].employer
            )

    assert_flat_queries(client, reverse("apprenticeship:organisation-list"), grow, 6)
    url = reverse(
        "apprenticeship:organisation-detail", args=[personas["apprenticeship"].employer_id]
    )
    assert_flat_queries(client, url, grow, 6)


def test_history_keeps_a_flat_query_count(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["tutor"])

    def grow():
        for n in range(10):
            record_event(
                action="test",
                obj=a,
                summary=f"Event {n}",
                actor=personas["admin"],
                apprenticeship_id=a.pk,
            )

    grow()
    url = reverse("apprenticeship:apprenticeship-history", args=[a.pk])
    assert_flat_queries(client, url, grow, 6)


def test_standard_list_keeps_a_flat_query_count(client, personas):
    client.force_login(personas["tutor"])

    def grow():
        factories.StandardVersionFactory.create_batch(5)

    assert_flat_queries(client, reverse("standards:standard-list"), grow, 5)


def test_the_caseload_list_joins_only_the_tables_its_rows_show(client, personas):
    """The provider's supervision interval comes by a subquery, not a join: one more
    joined table doubled the time PostgreSQL took to plan the caseload's list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas["tutor"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboards:caseload")).status_code == 200
    listed = [q["sql"] for q in captured if 'AS "supervision_interval_weeks"' in q["sql"]]
    assert len(listed) == 1
    # Joined: the apprentice, the employer (an organisation), and the review and evidence
    # standings; the provider (also an organisation) is read in a subquery's FROM. The
    # standard version, the same for most rows and wide, is read once for the page.
    assert listed[0].count('JOIN "apprenticeship_organisation"') == 1
    assert 'JOIN "standards_standardversion"' not in listed[0]
    # By its key, unsorted: organisations are ordered by name by default, and a sort in
    # the subquery would run for every row of the page.
    interval = listed[0].split(') AS "supervision_interval_weeks"')[0].rsplit("(SELECT", 1)[1]
    assert "ORDER BY" not in interval, interval
