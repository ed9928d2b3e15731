"""The moderation pages: settings, the list and the moderator's decision."""

import pytest
from django.urls import reverse

from quality.models import ModerationCase, ModerationPolicy
from tests.quality.conftest import grade_and_confirm


@pytest.fixture
def held(at_epa, methods, assessor, policy):
    return ModerationCase.objects.get(round=grade_and_confirm(at_epa, methods, assessor))


def test_the_epao_admin_sets_the_policy_and_names_moderators(
    client, personas, epao_admin, assessor
):
    epao = personas["apprenticeship"].epao
    client.force_login(epao_admin)
    url = reverse("quality:moderation-settings", args=[epao.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "is_active": "on",
            "all_highest": "on",
            "all_fails": "on",
            "pass_percent": "20",
            "moderators": [epao_admin.pk],
        },
    )
    assert response.status_code == 302
    policy = ModerationPolicy.objects.get(epao=epao)
    assert policy.pass_percent == 20 and policy.is_active
    assert epao.memberships.get(user=epao_admin).is_moderator
    assert not epao.memberships.get(user=assessor).is_moderator


def test_a_bad_share_is_refused_and_changes_nothing(client, personas, epao_admin):
    epao = personas["apprenticeship"].epao
    client.force_login(epao_admin)
    url = reverse("quality:moderation-settings", args=[epao.pk])
    response = client.post(url, {"is_active": "on", "pass_percent": "120"})
    assert response.status_code == 400
    assert not ModerationPolicy.objects.exists()


def test_someone_from_elsewhere_cannot_be_named_moderator(client, personas, epao_admin):
    epao = personas["apprenticeship"].epao
    client.force_login(epao_admin)
    url = reverse("quality:moderation-settings", args=[epao.pk])
    response = client.post(url, {"pass_percent": "10", "moderators": [personas["tutor"].pk]})
    assert response.status_code == 400
    assert not epao.memberships.filter(is_moderator=True).exists()


def test_the_moderator_returns_a_distinction_with_a_reason(client, held, moderator):
    client.force_login(moderator)
    url = reverse("quality:moderation-case", args=[held.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Every distinction is moderated" in page.content
    refused = client.post(url, {"decision": "return", "reason": ""})
    assert refused.status_code == 400
    held.refresh_from_db()
    assert held.status == ModerationCase.Status.WAITING
    done = client.post(url, {"decision": "return", "reason": "Question 3 is thin."})
    assert done.status_code == 302
    held.refresh_from_db()
    assert held.status == ModerationCase.Status.RETURNED
    assert held.round.returned_reason == "Question 3 is thin."


def test_the_assessor_sees_why_their_result_came_back(client, held, moderator, assessor):
    client.force_login(moderator)
    client.post(
        reverse("quality:moderation-case", args=[held.pk]),
        {"decision": "return", "reason": "Question 3 is thin."},
    )
    client.force_login(assessor)
    page = client.get(reverse("epa:assessment", args=[held.apprenticeship_id]))
    assert b"Question 3 is thin." in page.content


def test_the_moderation_list_shows_waiting_results(client, held, moderator, personas):
    client.force_login(moderator)
    page = client.get(reverse("quality:moderation-list"))
    assert page.status_code == 200
    assert personas["apprentice"].full_name.encode() in page.content
    client.force_login(personas["tutor"])
    assert client.get(reverse("quality:moderation-list")).status_code == 403


def test_the_moderators_home_is_the_moderation_list(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("dashboards:home"))
    assert response["Location"] == reverse("quality:moderation-list")


MODERATION_LIST_QUERIES = 6


def test_the_moderation_list_queries_stay_flat(
    client, moderator, held, django_assert_num_queries, standard_version, personas
):
    from tests import factories

    client.force_login(moderator)
    url = reverse("quality:moderation-list")
    with django_assert_num_queries(MODERATION_LIST_QUERIES):
        client.get(url)
    epao = personas["apprenticeship"].epao
    for _ in range(3):
        other = factories.ApprenticeshipFactory(
            standard_version=standard_version, epao=epao, status="gateway"
        )
        round_ = factories.AssessmentRoundFactory(apprenticeship=other)
        ModerationCase.objects.create(
            round=round_,
            apprenticeship=other,
            epao=epao,
            grade="fail",
            reason="fail",
            seed=1,
            status="waiting",
        )
    with django_assert_num_queries(MODERATION_LIST_QUERIES):
        client.get(url)
