"""Who reaches the internal quality assurance pages: the IQA lead (not an admin), the
sampled tutor, another tutor at the same provider, the apprentice, the employer contact,
the provider admin, and a second provider's admin and IQA lead. Also a lead who tutored
the apprenticeship, and the pinned query counts of the list pages."""

import pytest
from django.urls import reverse

from quality.iqa import services as iqa
from quality.models import IqaItem
from tests import factories
from tests.helpers import iqa as helpers
from tests.query_counts import (
    IQA_ADD_ITEM_QUERIES,
    IQA_FOLLOW_UPS_QUERIES,
    IQA_HOME_QUERIES,
    IQA_PLAN_LIST_QUERIES,
    IQA_PLAN_QUERIES,
    IQA_REPORT_QUERIES,
    assert_flat_queries,
)


@pytest.fixture
def world(personas):
    apprenticeship = personas["apprenticeship"]
    provider = apprenticeship.provider
    lead = helpers.make_lead(provider, admin=personas["admin"])
    other_tutor = factories.UserFactory(email="other.tutor@example.org", full_name="Other Tutor")
    factories.OrganisationMembershipFactory(user=other_tutor, organisation=provider)
    factories.MembershipFactory(
        apprenticeship=factories.ApprenticeshipFactory(
            provider=provider, standard_version=apprenticeship.standard_version
        ),
        user=other_tutor,
    )
    second = factories.ProviderFactory(name="Second Provider")
    p2_admin = factories.UserFactory(email="p2.admin@example.org", full_name="P2 Admin")
    factories.OrganisationMembershipFactory(user=p2_admin, organisation=second, is_admin=True)
    p2_lead = helpers.make_lead(
        second, admin=p2_admin, email="p2.lead@example.org", full_name="P2 Lead"
    )
    sign_off = helpers.signed_off(apprenticeship, personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, stages=["sign_off"])
    item = iqa.add_item(plan=plan, by=lead, stage="sign_off", decision_id=sign_off.pk)
    return {
        **personas,
        "lead": lead,
        "other_tutor": other_tutor,
        "p2_admin": p2_admin,
        "p2_lead": p2_lead,
        "provider": provider,
        "plan": plan,
        "item": item,
    }


def _status(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


ITEM_BEFORE_VERDICT = {
    "lead": 200,
    "admin": 200,
    "tutor": 404,  # the sampled tutor sees it once judged
    "other_tutor": 404,
    "apprentice": 404,
    "employer": 404,
    "p2_admin": 404,
    "p2_lead": 404,
    "outsider": 404,
}


def test_sampled_decision_before_the_verdict(client, world):
    url = world["item"].get_absolute_url()
    got = {persona: _status(client, world[persona], url) for persona in ITEM_BEFORE_VERDICT}
    assert got == ITEM_BEFORE_VERDICT


def test_who_records_the_verdict_and_who_follows_up(client, world):
    item = world["item"]
    url = item.get_absolute_url()
    follow = reverse("quality:iqa-item-follow-up", args=[item.pk])
    verdict = {"verdict": "disagree", "note": "The evidence does not show duty 1."}
    # The admin reads but does not judge; nobody follows up before a verdict.
    assert _status(client, world["admin"], url, "post", verdict) == 403
    assert _status(client, world["tutor"], follow, "post", {"note": "x"}) == 404
    assert _status(client, world["lead"], url, "post", {"verdict": "disagree"}) == 400
    assert _status(client, world["lead"], url, "post", verdict) == 302
    # Now the sampled tutor sees it; others still see nothing; the lead cannot reopen.
    expected = {**ITEM_BEFORE_VERDICT, "tutor": 200}
    for persona, status in expected.items():
        assert _status(client, world[persona], url) == status, persona
    assert _status(client, world["lead"], url, "post", verdict) == 403
    assert _status(client, world["lead"], follow, "post", {}) == 403
    assert _status(client, world["other_tutor"], follow, "post", {}) == 404
    assert _status(client, world["apprentice"], follow, "post", {}) == 404
    assert _status(client, world["tutor"], follow, "post", {}) == 302
    assert IqaItem.objects.get(pk=item.pk).follow_up == IqaItem.FollowUp.DONE


def test_lead_who_tutored_the_apprenticeship_is_refused(client, world):
    factories.MembershipFactory(
        apprenticeship=world["apprenticeship"], user=world["lead"], is_active=False
    )
    assert _status(client, world["lead"], world["item"].get_absolute_url()) == 403


PLAN_PAGES = {
    "lead": (200, 200),  # (plan page, draw)
    "admin": (200, 403),
    "tutor": (404, 404),
    "other_tutor": (404, 404),
    "apprentice": (404, 404),
    "employer": (404, 404),
    "p2_admin": (404, 404),
    "p2_lead": (404, 404),
}


def test_plan_pages(client, world):
    plan = world["plan"]
    urls = [
        reverse("quality:iqa-plan", args=[plan.pk]),
        reverse("quality:iqa-plan-add-item", args=[plan.pk]),
    ]
    got = {
        persona: tuple(_status(client, world[persona], url) for url in urls)
        for persona in PLAN_PAGES
    }
    assert got == PLAN_PAGES


PROVIDER_PAGES = {
    # (plan list, new plan, report, leads, IQA home)
    "lead": (200, 200, 200, 404, 200),
    "admin": (200, 403, 200, 200, 403),
    "tutor": (403, 403, 404, 404, 403),
    "apprentice": (403, 403, 404, 404, 403),
    "employer": (403, 403, 404, 404, 403),
    "p2_admin": (200, 403, 404, 404, 403),
    "p2_lead": (200, 200, 404, 404, 200),
}


def test_provider_pages(client, world):
    pk = world["provider"].pk
    urls = [
        reverse("quality:iqa-plan-list"),
        reverse("quality:iqa-plan-add"),
        reverse("quality:iqa-report", args=[pk]),
        reverse("quality:iqa-leads", args=[pk]),
        reverse("dashboards:iqa-home"),
    ]
    got = {
        persona: tuple(_status(client, world[persona], url) for url in urls)
        for persona in PROVIDER_PAGES
    }
    assert got == PROVIDER_PAGES


def test_second_provider_lists_show_nothing_of_the_first(client, world):
    client.force_login(world["p2_lead"])
    assert "Cohort" not in client.get(reverse("quality:iqa-plan-list")).content.decode()
    client.force_login(world["other_tutor"])
    page = client.get(reverse("quality:iqa-follow-ups")).content.decode()
    assert "Nothing is waiting for you" in page


def test_plan_tutor_dropdown_and_leads_list_are_scoped(client, world):
    client.force_login(world["p2_lead"])
    page = client.get(reverse("quality:iqa-plan-add")).content.decode()
    assert "Other Tutor" not in page and "Ines Iqa" not in page
    client.force_login(world["lead"])
    page = client.get(reverse("quality:iqa-plan-add")).content.decode()
    tutor_select = page[
        page.index('name="tutor"') : page.index("</select>", page.index('name="tutor"'))
    ]
    assert "Other Tutor" in tutor_select and "Ines Iqa" not in tutor_select
    assert "P2 Lead" not in tutor_select and "Admin" not in tutor_select
    client.force_login(world["admin"])
    page = client.get(reverse("quality:iqa-leads", args=[world["provider"].pk])).content.decode()
    assert "Ines Iqa" in page and "P2 Lead" not in page


def test_report_downloads(client, world):
    client.force_login(world["lead"])
    pk = world["provider"].pk
    csv = client.get(reverse("quality:iqa-report-csv", args=[pk]))
    assert csv.status_code == 200 and b"Duty sign-offs" in csv.content
    pdf = client.get(reverse("quality:iqa-report-pdf", args=[pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(reverse("quality:iqa-report", args=[pk]), {"start": "2026-02-01", "end": "x"})
    assert bad.status_code == 400
    client.force_login(world["p2_lead"])
    assert client.get(reverse("quality:iqa-report-csv", args=[pk])).status_code == 404


# -- pinned query counts ---------------------------------------------------------------


def _grow(world, n=3):
    def grow():
        for i in range(n + 1):
            apprenticeship = factories.ApprenticeshipFactory(
                provider=world["provider"],
                standard_version=world["apprenticeship"].standard_version,
            )
            factories.MembershipFactory(apprenticeship=apprenticeship, user=world["other_tutor"])
            sign_off = helpers.signed_off(apprenticeship, world["other_tutor"])
            item = iqa.add_item(
                plan=world["plan"], by=world["lead"], stage="sign_off", decision_id=sign_off.pk
            )
            if i:  # one stays waiting for a verdict, the others wait for the tutor
                iqa.record_verdict(item=item, by=world["lead"], verdict="agree_action", note="Do.")
        helpers.cohort_plan(world["provider"], world["lead"], name="Another")

    return grow


def _unsampled(world):
    def grow():
        for _ in range(2):
            apprenticeship = factories.ApprenticeshipFactory(
                provider=world["provider"],
                standard_version=world["apprenticeship"].standard_version,
            )
            factories.MembershipFactory(apprenticeship=apprenticeship, user=world["other_tutor"])
            helpers.signed_off(apprenticeship, world["other_tutor"])

    grow()
    return grow


def test_iqa_list_pages_queries_stay_flat(client, world):
    pk = world["plan"].pk
    client.force_login(world["lead"])
    assert_flat_queries(
        client, reverse("quality:iqa-plan", args=[pk]), _grow(world, 1), IQA_PLAN_QUERIES
    )
    assert_flat_queries(
        client, reverse("quality:iqa-plan-list"), _grow(world, 1), IQA_PLAN_LIST_QUERIES
    )
    assert_flat_queries(client, reverse("dashboards:iqa-home"), _grow(world, 1), IQA_HOME_QUERIES)
    assert_flat_queries(
        client,
        reverse("quality:iqa-report", args=[world["provider"].pk]),
        _grow(world, 1),
        IQA_REPORT_QUERIES,
    )
    assert_flat_queries(
        client,
        reverse("quality:iqa-plan-add-item", args=[pk]) + "?stage=sign_off",
        _unsampled(world),
        IQA_ADD_ITEM_QUERIES,
    )
    client.force_login(world["other_tutor"])
    assert_flat_queries(
        client, reverse("quality:iqa-follow-ups"), _grow(world, 1), IQA_FOLLOW_UPS_QUERIES
    )


def test_adding_a_decision_outside_the_scope_changes_nothing(client, world):
    client.force_login(world["lead"])
    url = reverse("quality:iqa-plan-add-item", args=[world["plan"].pk])
    before = IqaItem.objects.count()
    response = client.post(url, {"stage": "sign_off", "decision_id": "999999"})
    assert response.status_code == 400
    assert "not in this plan" in response.content.decode()
    response = client.post(url, {"stage": "sign_off", "decision_id": "x"})
    assert response.status_code == 400 and IqaItem.objects.count() == before


def test_files_the_tutor_relied_on(client, world):
    apprenticeship = world["apprenticeship"]
    sign_off = helpers.signed_off(apprenticeship, world["tutor"], number=2, file=True)
    item = iqa.add_item(
        plan=world["plan"], by=world["lead"], stage="sign_off", decision_id=sign_off.pk
    )
    file = sign_off.evidence_versions.get().files.get()
    url = reverse("quality:iqa-item-file", args=[item.pk, file.pk])
    client.force_login(world["lead"])
    assert f'href="{url}"' in client.get(item.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # A file that is not part of this decision, and people who may not read it: 404.
    _, other = helpers.with_file(
        apprenticeship, world["tutor"], duty=apprenticeship.standard_version.duties.get(number=3)
    )
    assert client.get(reverse("quality:iqa-item-file", args=[item.pk, other.pk])).status_code == 404
    for persona in ("other_tutor", "apprentice", "employer", "p2_lead"):
        assert _status(client, world[persona], url) == 404, persona
