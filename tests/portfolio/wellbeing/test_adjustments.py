"""Reasonable adjustments: work ones between apprentice and employer, learning ones between
apprentice and provider, assessment ones asked for, passed with the gateway, decided by the
assessment organisation and shown to the assessor, who never sees the wellbeing plan."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from portfolio.wellbeing import services
from portfolio.wellbeing.models import ReasonableAdjustment
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


def test_an_assessment_adjustment_reaches_the_assessor_and_the_plan_never_does(
    client, personas, post_gateway
):
    add_more_personas(personas)
    write_plan(personas)  # every section shared with tutor and employer
    adjustment = _ask(personas, "assessment", QUIET)
    # The assessment organisation decides only what the provider passed on.
    with pytest.raises(services.AdjustmentError):
        services.decide_adjustment(adjustment=adjustment, by=personas["epao_admin"], agreed=True)
    code, page = _page(client, personas["epao_admin"], "portfolio:adjustment-list", post_gateway.pk)
    assert code == 200 and QUIET not in page
    client.force_login(personas["tutor"])
    client.post(reverse("portfolio:adjustment-pass", args=[adjustment.pk]))
    _, page = _page(client, personas["epao_admin"], "portfolio:adjustment-list", post_gateway.pk)
    assert QUIET in page
    client.post(reverse("portfolio:adjustment-decide", args=[adjustment.pk]), {"agreed": "yes"})
    adjustment.refresh_from_db()
    assert adjustment.status == ReasonableAdjustment.Status.AGREED
    assert adjustment.decided_by == personas["epao_admin"]
    code, page = _page(client, personas["assessor"], "epa:assessment", post_gateway.pk)
    assert code == 200
    assert QUIET in page and "Agreed adjustments" in page
    assert_no_plan(page)
    code, _ = _page(client, personas["assessor"], "portfolio:wellbeing-plan", post_gateway.pk)
    assert code == 403


def test_an_assessment_request_not_yet_agreed_is_not_on_the_assessment_page(
    client, personas, post_gateway
):
    adjustment = _ask(personas, "assessment", QUIET)
    services.pass_adjustment(adjustment=adjustment, by=personas["tutor"])
    _, page = _page(client, personas["assessor"], "epa:assessment", post_gateway.pk)
    assert QUIET not in page


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
