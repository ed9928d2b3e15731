"""Reasonable adjustments: work ones between apprentice and employer, learning ones between
apprentice and provider, assessment ones asked for, passed with the gateway, decided by the
assessment organisation and shown to the assessor, who never sees the wellbeing plan."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from epa.services import gateway as gateway_services
from portfolio.wellbeing import services
from portfolio.wellbeing.models import ReasonableAdjustment
from tests.helpers.epa import make_ready
from tests.helpers.personas import add_more_personas
from tests.helpers.wellbeing import assert_no_plan, write_plan

QUIET = "A quiet room and questions in writing first."
WORK = "No lone visits in my first month."
LEARNING = "Slides a day before each workshop."


def _ask(personas, area, text):
    return services.request_adjustment(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        area=area,
        description=text,
    )


def _page(client, user, name, pk):
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    return response.status_code, response.content.decode()


def test_each_party_sees_only_its_own_adjustments(client, personas):
    _ask(personas, "work", WORK)
    _ask(personas, "learning", LEARNING)
    _ask(personas, "assessment", QUIET)
    pk = personas["apprenticeship"].pk
    seen = {}
    for persona in ("apprentice", "employer", "tutor", "admin"):
        code, page = _page(client, personas[persona], "portfolio:adjustment-list", pk)
        assert code == 200
        seen[persona] = (WORK in page, LEARNING in page, QUIET in page)
    assert seen["apprentice"] == (True, True, True)
    assert seen["employer"] == (True, False, False)
    assert seen["tutor"] == (False, True, True)
    assert seen["admin"] == (False, True, True)


def test_the_employer_agrees_a_work_adjustment_with_who_and_when(client, personas):
    adjustment = _ask(personas, "work", WORK)
    client.force_login(personas["employer"])
    client.post(reverse("portfolio:adjustment-agree", args=[adjustment.pk]), {"agreed": "yes"})
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.AGREED
    assert adjustment.decided_by == personas["employer"] and adjustment.decided_at is not None
    _, page = _page(
        client, personas["apprentice"], "portfolio:adjustment-list", personas["apprenticeship"].pk
    )
    assert "agreed by Employer" in page


def test_not_agreeing_needs_a_reason_and_changes_nothing_without_one(client, personas):
    adjustment = _ask(personas, "learning", LEARNING)
    with pytest.raises(ValidationError):
        services.decide_adjustment(adjustment=adjustment, by=personas["tutor"], agreed=False)
    client.force_login(personas["tutor"])
    client.post(reverse("portfolio:adjustment-agree", args=[adjustment.pk]), {"agreed": "no"})
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.REQUESTED


def _confirm(personas, party):
    gateway_services.declare(
        apprenticeship=personas["apprenticeship"],
        party=party,
        by=personas["employer" if party == "employer" else "tutor"],
        confirmed=True,
    )


def test_the_providers_gateway_confirmation_passes_assessment_requests_and_the_assessor_sees_the_agreed_ones(  # noqa: E501
    client, personas
):
    add_more_personas(personas)
    write_plan(personas)  # every section shared with tutor and employer
    apprenticeship = personas["apprenticeship"]
    adjustment = _ask(personas, "assessment", QUIET)
    work = _ask(personas, "work", WORK)
    # Nobody passes a request by hand: the assessment organisation decides only what came
    # with the gateway.
    with pytest.raises(services.AdjustmentError):
        services.decide_adjustment(adjustment=adjustment, by=personas["epao_admin"], agreed=True)
    make_ready(apprenticeship, personas["tutor"])
    _confirm(personas, "employer")
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.REQUESTED
    # The provider's confirmation page says what goes with it.
    client.force_login(personas["tutor"])
    page = client.get(reverse("epa:gateway-declare", args=[apprenticeship.pk, "provider"]))
    assert QUIET in page.content.decode() and WORK not in page.content.decode()
    _confirm(personas, "provider")
    adjustment.refresh_from_db()
    work.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.PASSED
    assert adjustment.passed_by == personas["tutor"] and adjustment.passed_at is not None
    assert work.status == ReasonableAdjustment.Status.REQUESTED  # only assessment requests go
    list_page = ("portfolio:adjustment-list", apprenticeship.pk)
    code, page = _page(client, personas["epao_admin"], *list_page)
    assert code == 200 and QUIET in page and WORK not in page
    client.post(reverse("portfolio:adjustment-decide", args=[adjustment.pk]), {"agreed": "yes"})
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.AGREED
    assert adjustment.decided_by == personas["epao_admin"]
    code, page = _page(client, personas["assessor"], "epa:assessment", apprenticeship.pk)
    assert code == 200
    assert QUIET in page and "Agreed adjustments" in page
    assert_no_plan(page)
    code, _ = _page(client, personas["assessor"], "portfolio:wellbeing-plan", apprenticeship.pk)
    assert code == 403


def test_a_request_after_gateway_goes_straight_to_the_organisation_but_not_to_the_assessor(
    client, personas, post_gateway
):
    adjustment = _ask(personas, "assessment", QUIET)
    assert adjustment.status == ReasonableAdjustment.Status.PASSED
    assert adjustment.passed_by is None
    _, page = _page(client, personas["assessor"], "epa:assessment", post_gateway.pk)
    assert QUIET not in page
    _, page = _page(client, personas["apprentice"], "portfolio:adjustment-list", post_gateway.pk)
    assert "straight away, as gateway had passed" in page


def test_a_request_made_between_the_two_confirmations_goes_when_gateway_passes(personas):
    apprenticeship = personas["apprenticeship"]
    make_ready(apprenticeship, personas["tutor"])
    _confirm(personas, "provider")
    adjustment = _ask(personas, "assessment", QUIET)
    assert adjustment.status == ReasonableAdjustment.Status.REQUESTED
    _confirm(personas, "employer")
    apprenticeship.refresh_from_db()
    assert apprenticeship.is_post_gateway
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.PASSED
    assert adjustment.passed_by == personas["tutor"]


def test_the_history_never_holds_what_the_adjustment_is(personas):
    adjustment = _ask(personas, "work", WORK)
    services.decide_adjustment(adjustment=adjustment, by=personas["employer"], agreed=True)
    for event in AuditEvent.objects.filter(apprenticeship_id=personas["apprenticeship"].pk):
        assert WORK not in f"{event.summary} {event.before} {event.after}"


def test_only_the_apprentice_asks(personas):
    with pytest.raises(services.AdjustmentError):
        services.request_adjustment(
            apprenticeship=personas["apprenticeship"],
            by=personas["tutor"],
            area="work",
            description=WORK,
        )


def test_an_empty_request_is_refused_on_the_page(client, personas):
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:adjustment-list", args=[personas["apprenticeship"].pk])
    response = client.post(url, {"area": "work", "description": "  "})
    assert response.status_code == 400
    assert not ReasonableAdjustment.objects.exists()


def test_the_organisation_admin_sees_requests_to_decide_on_their_home(client, personas):
    add_more_personas(personas)
    apprenticeship = personas["apprenticeship"]
    _ask(personas, "assessment", QUIET)
    make_ready(apprenticeship, personas["tutor"])
    _confirm(personas, "employer")
    _confirm(personas, "provider")
    code, page = _page_at(client, personas["epao_admin"], reverse("epa:epao-home"))
    assert code == 200 and "1 request to decide" in page
    assert QUIET not in page  # what the request says is on the adjustments page only


def _page_at(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()
