"""The assessment organisation's admin around the assessment (the access matrix covers
every URL for them): they see and arrange the assessment after gateway, and never the
portfolio's evidence."""

import pytest
from django.urls import reverse

from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT


@pytest.mark.parametrize(
    ("url_name", "status"),
    [
        ("dashboards:apprenticeship-detail", OK),
        ("apprenticeship:apprenticeship-history", FORBIDDEN),
        ("apprenticeship:apprenticeship-edit", FORBIDDEN),
        ("portfolio:evidence-list", FORBIDDEN),
        ("portfolio:coverage", FORBIDDEN),
        ("portfolio:testimony-list", FORBIDDEN),
        ("portfolio:private-names", FORBIDDEN),
        ("portfolio:evidence-start", FORBIDDEN),
    ],
)
def test_epao_admin_sees_the_apprenticeship_after_gateway_but_no_evidence(
    client, post_gateway, epao_admin, url_name, status
):
    client.force_login(epao_admin)
    method = "post" if url_name == "portfolio:evidence-start" else "get"
    response = getattr(client, method)(reverse(url_name, args=[post_gateway.pk]))
    assert response.status_code == status


def test_epao_admin_cannot_open_a_single_evidence_item(client, post_gateway, epao_admin):
    from portfolio.evidence.models import Evidence
    from tests.helpers.evidence import make_evidence

    evidence = make_evidence(post_gateway, status=Evidence.Status.SUBMITTED)
    client.force_login(epao_admin)
    response = client.get(reverse("portfolio:evidence-detail", args=[evidence.pk]))
    assert response.status_code == FORBIDDEN


def test_epao_admin_sees_nothing_before_gateway(client, apprenticeship, epao_admin):
    client.force_login(epao_admin)
    response = client.get(reverse("dashboards:apprenticeship-detail", args=[apprenticeship.pk]))
    assert response.status_code == NOT_FOUND


def test_the_home_page_sends_the_epao_admin_to_their_list(client, epao_admin):
    client.force_login(epao_admin)
    response = client.get(reverse("dashboards:home"))
    assert (response.status_code, response["Location"]) == (REDIRECT, reverse("epa:epao-home"))


def test_the_epao_admin_role_comes_from_administering_the_assessment_organisation(
    post_gateway, epao_admin, personas
):
    from apprenticeship import access
    from apprenticeship.models import Role

    assert Role.EPAO_ADMIN in access.home_roles(epao_admin)
    assert Role.EPAO_ADMIN not in access.home_roles(personas["assessor"])
    assert list(access.visible_apprenticeships(epao_admin)) == [post_gateway]
    assert list(access.apprenticeships_as(epao_admin, Role.EPAO_ADMIN)) == [post_gateway]
    assert list(access.apprenticeships_as(personas["assessor"], Role.EPAO_ADMIN)) == []
    loaded = access.get_apprenticeship_for(epao_admin, post_gateway.pk, access.Action.VIEW)
    assert loaded.viewer_roles == frozenset({Role.EPAO_ADMIN})


def test_an_epao_admin_who_left_has_no_role(post_gateway, epao_admin):
    from apprenticeship import access

    epao_admin.org_memberships.update(is_active=False)
    assert list(access.visible_apprenticeships(epao_admin)) == []
    assert access.home_roles(epao_admin) == frozenset()


def test_provider_admins_can_invite_an_assessment_organisation_admin(personas):
    from apprenticeship.forms import InviteForm

    epao = personas["apprenticeship"].epao
    employer = personas["apprenticeship"].employer
    data = {"full_name": "Grace A", "email": "grace@example.org", "is_admin": "on"}
    form = InviteForm({**data, "organisation": epao.pk}, user=personas["admin"])
    assert form.is_valid(), form.errors
    form = InviteForm({**data, "organisation": employer.pk}, user=personas["admin"])
    assert not form.is_valid()
    assert "training provider or an end-point assessment organisation" in str(form.errors)
