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
