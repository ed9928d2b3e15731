"""The end-point assessment lists and the assessor's record keep a flat query count as
the data grows."""

from django.urls import reverse

from tests import factories
from tests.helpers.epa import assign, pass_gateway, record_method
from tests.query_counts import ASSESSOR_HOME_QUERIES, assert_flat_queries


def _more_apprentices(personas, assessor, n=6):
    a = personas["apprenticeship"]

    def grow():
        for i in range(n):
            other = factories.ApprenticeshipFactory(
                provider=a.provider,
                employer=a.employer,
                standard_version=a.standard_version,
                epao=a.epao,
            )
            pass_gateway(other, days_ago=i)
            assign(other, assessor)
            factories.MembershipFactory(apprenticeship=other, user=personas["tutor"])

    return grow


def test_assessor_home_keeps_a_flat_query_count(client, at_epa, methods, assessor, personas):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    client.force_login(assessor)
    assert_flat_queries(
        client,
        reverse("dashboards:assessor-home"),
        _more_apprentices(personas, assessor),
        ASSESSOR_HOME_QUERIES,
    )


def test_epao_home_keeps_a_flat_query_count(
    client, at_epa, methods, assessor, personas, epao_admin
):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    client.force_login(epao_admin)
    # The page of apprentices, and the organisations the admin runs (for their policies).
    assert_flat_queries(client, reverse("epa:epao-home"), _more_apprentices(personas, assessor), 7)


def test_the_assessment_record_keeps_a_flat_query_count(client, at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    client.force_login(assessor)

    def grow():
        record_method(at_epa, methods["AM2"], assessor, questions=15)

    # One of them reads the agreed assessment adjustments.
    assert_flat_queries(client, reverse("epa:assessment", args=[at_epa.pk]), grow, 21)
