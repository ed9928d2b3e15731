"""The assessment organisation's admin, for every end-point assessment URL in the access
matrix (they are not one of its six personas), and for the pages around it: they see and
arrange the assessment after gateway, and never the portfolio's evidence."""

import pytest
from django.urls import reverse

from tests.access_matrix import epa as matrix
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT

EPAO_ADMIN = {
    "epa:assessment": NOT_FOUND,  # before gateway
    "epa:assessment after gateway": OK,
    "epa:assessment of an apprentice the assessor is not assigned to": OK,
    "epa:assessor-assign before gateway": NOT_FOUND,
    "epa:assessor-assign": OK,
    "epa:assessor-remove": OK,
    "epa:declaration": FORBIDDEN,
    "epa:declaration before gateway": NOT_FOUND,
    "epa:session-record": FORBIDDEN,
    "epa:session-record POST": FORBIDDEN,
    "epa:session-detail": OK,
    "epa:question-add": FORBIDDEN,
    "epa:question-edit": FORBIDDEN,
    "epa:ksb-notes": FORBIDDEN,
    "epa:method-grade": FORBIDDEN,
    "epa:method-grade POST (only the assigned assessor grades)": FORBIDDEN,
    "epa:result-confirm": FORBIDDEN,
    "epa:round-start": FORBIDDEN,
    "epa:exceptional-circumstances": OK,
    "epa:appeal-record": OK,
    "epa:appeal-decide": OK,
    "epa:epao-home": OK,
    "epa:resit-policies": OK,
    "epa:resit-policy-record": OK,
    "epa:resit-policy-record POST": REDIRECT,
}


def test_every_epa_entry_says_what_the_epao_admin_gets():
    assert {entry.id for entry in matrix.ENTRIES} == set(EPAO_ADMIN)


@pytest.mark.parametrize("entry", matrix.ENTRIES, ids=lambda e: e.id)
def test_epao_admin_access(request, client, personas, epao_admin, entry):
    if entry.state:
        request.getfixturevalue(entry.state)
    client.force_login(epao_admin)
    url = reverse(entry.url_name, args=entry.args(dict(personas))) + entry.query
    response = getattr(client, entry.method)(url, entry.data(personas))
    assert response.status_code == EPAO_ADMIN[entry.id]


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
