"""Organisations' own policies: a provider's gateway items (labelled provider policy, each
turned on or off, the checklist and the pass rule following) and an assessment
organisation's resit and retake policy (recorded as theirs, used where the plan states
none, shown on the result)."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from epa.errors import EpaError
from epa.models import AssessmentRound, GatewayDeclaration, GatewayPolicy, ResitPolicy
from epa.selectors import gateway as selectors
from epa.services import gateway as gateway_services
from epa.services import policies, results
from tests import factories
from tests.helpers.epa import confirm, record_method

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER


def _keys(apprenticeship, today=None) -> list[str]:
    return [item.key for item in selectors.checklist(apprenticeship, today=today)]


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(" ".join(response.content.decode().split()))


# -- the provider's gateway policy -----------------------------------------------------


def test_with_no_policy_saved_every_provider_item_is_on_and_labelled_provider_policy(
    apprenticeship,
):
    items = {item.key: item for item in selectors.checklist(apprenticeship)}
    assert list(items) == [
        "time_on_programme",
        "otj",
        "otj_verified",
        "english_maths",
        "duties",
        "review",
        "employer_declaration",
        "provider_declaration",
    ]
    for key in ("otj_verified", "duties", "review"):
        assert items[key].provenance == "provider_policy"
        assert "Northfield Peer Training's own gateway policy" in items[key].source
    # The funding rules' items carry the reference facts' sources.
    assert "SRC-" in items["time_on_programme"].source and "SRC-" in items["otj"].source


def test_turning_an_item_off_takes_it_off_every_checklist_and_is_in_the_history(
    apprenticeship, personas
):
    policies.set_gateway_policy(
        provider=apprenticeship.provider,
        by=personas["admin"],
        values={
            "require_duties_signed_off": True,
            "require_otj_verified": False,
            "require_recent_review": False,
        },
    )
    assert _keys(apprenticeship) == [
        "time_on_programme",
        "otj",
        "english_maths",
        "duties",
        "employer_declaration",
        "provider_declaration",
    ]
    event = AuditEvent.objects.get(action="gateway.policy_changed")
    assert event.before["require_recent_review"] is True
    assert event.after["require_recent_review"] is False
    assert "a recent progress review, signed by everyone off" in event.summary
    # Saving the same again changes nothing and adds nothing to the history.
    policies.set_gateway_policy(
        provider=apprenticeship.provider,
        by=personas["admin"],
        values={"require_otj_verified": False, "require_recent_review": False},
    )
    assert AuditEvent.objects.filter(action="gateway.policy_changed").count() == 1


def test_gateway_passes_without_the_items_the_provider_does_not_require(ready, personas):
    # A duty added to the standard after the sign-offs: not every duty is signed off now.
    factories.DutyFactory(standard_version=ready.standard_version, number=99)
    gateway_services.declare(
        apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
    )
    with pytest.raises(gateway_services.GatewayError, match="every duty signed off"):
        gateway_services.declare(
            apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True
        )
    policies.set_gateway_policy(
        provider=ready.provider, by=personas["admin"], values={"require_duties_signed_off": False}
    )
    gateway_services.declare(
        apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True
    )
    ready.refresh_from_db()
    assert ready.status == Apprenticeship.Status.GATEWAY


def test_only_a_provider_has_a_gateway_policy(personas):
    with pytest.raises(EpaError, match="Only a training provider"):
        policies.set_gateway_policy(
            provider=personas["apprenticeship"].employer, by=personas["admin"], values={}
        )
    assert not GatewayPolicy.objects.exists()


def test_the_admin_changes_the_policy_on_its_page_and_the_gateway_page_says_so(
    client, apprenticeship, personas
):
    client.force_login(personas["admin"])
    url = reverse("epa:gateway-policy", args=[apprenticeship.provider_id])
    page = _text(client.get(url))
    assert "not required by any source we hold" in page
    assert "Not changed yet: every item is required." in page
    response = client.post(url, {"require_duties_signed_off": "on", "require_otj_verified": "on"})
    assert response.status_code == 302
    policy = GatewayPolicy.objects.get(provider=apprenticeship.provider)
    assert policy.values() == {
        "require_duties_signed_off": True,
        "require_otj_verified": True,
        "require_recent_review": False,
    }
    assert policy.updated_by == personas["admin"]
    gateway = _text(client.get(reverse("epa:gateway", args=[apprenticeship.pk])))
    assert "Provider policy" in gateway
    assert "Its policy does not require: a recent progress review, signed by everyone." in gateway
    assert "A recent progress review, signed by everyone" not in gateway.replace(
        "require: a recent progress review, signed by everyone", ""
    )
    assert "Change the gateway policy" in gateway
    # The tutor sees the labels but not the link to change them.
    client.force_login(personas["tutor"])
    assert "Change the gateway policy" not in _text(
        client.get(reverse("epa:gateway", args=[apprenticeship.pk]))
    )


# -- the assessment organisation's resit policy ----------------------------------------


def test_the_epao_admin_records_a_policy_on_its_page_and_a_refusal_changes_nothing(
    client, plan, personas, epao_admin
):
    epao = personas["apprenticeship"].epao
    client.force_login(epao_admin)
    listing = _text(client.get(reverse("epa:resit-policies", args=[epao.pk])))
    assert "No cap: the assessment plan states none" in listing
    assert "Record your policy" in listing
    url = reverse("epa:resit-policy-record", args=[epao.pk, plan.standard_version_id])
    form = _text(client.get(url))
    assert "Cap on the grade: not stated." in form
    # The lowest grade is not offered as a cap: it would fail every resit.
    assert 'value="fail"' not in form and 'value="pass"' in form
    page = _text(client.post(url, {"name": " ", "grade_cap": "pass", "scope": "failed"}))
    assert "Say which of your policies this is." in page
    page = _text(client.post(url, {"name": "Policy 3", "grade_cap": "fail", "scope": "failed"}))
    assert "Select a valid choice" in page
    assert not ResitPolicy.objects.exists()
    response = client.post(
        url, {"name": "Resit policy v3 (March 2026)", "grade_cap": "pass", "scope": "failed"}
    )
    assert response.status_code == 302
    policy = ResitPolicy.objects.get()
    assert (policy.epao, policy.recorded_by, policy.grade_cap) == (epao, epao_admin, "pass")
    listing = _text(client.get(reverse("epa:resit-policies", args=[epao.pk])))
    assert "In force" in listing and "Resit policy v3 (March 2026)" in listing
    assert f"Capped at pass by {epao.name}'s policy" in listing
    assert AuditEvent.objects.filter(action="epa.resit_policy_recorded").count() == 1


def test_a_policy_cap_must_be_one_of_the_plans_grades_above_the_lowest(plan, personas):
    apprenticeship = personas["apprenticeship"]
    with pytest.raises(ValidationError) as error:
        policies.record_resit_policy(
            epao=apprenticeship.epao,
            standard_version=apprenticeship.standard_version,
            by=personas["admin"],
            name="Policy",
            grade_cap="merit",
            scope="sideways",
        )
    assert set(error.value.message_dict) == {"grade_cap", "scope"}
    with pytest.raises(EpaError, match="Only an end-point assessment organisation"):
        policies.record_resit_policy(
            epao=apprenticeship.provider,
            standard_version=apprenticeship.standard_version,
            by=personas["admin"],
            name="Policy",
            grade_cap="",
            scope="failed",
        )
    assert not ResitPolicy.objects.exists()


def test_a_resit_under_a_policy_that_repeats_every_method_assesses_both_again(
    at_epa, methods, assessor, epao_admin
):
    policies.record_resit_policy(
        epao=at_epa.epao,
        standard_version=at_epa.standard_version,
        by=epao_admin,
        name="Whole assessment again",
        grade_cap="",
        scope="all",
    )
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    round_ = results.start_round(
        apprenticeship=at_epa, by=assessor, kind=AssessmentRound.Kind.RETAKE
    )
    assert sorted(round_.method_assessments.values_list("method__code", flat=True)) == [
        "AM1",
        "AM2",
    ]
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirmed = confirm(at_epa, assessor)
    # The policy sets no cap: the table's distinction stands, and the result says whose rule.
    assert (confirmed.overall_grade, confirmed.cap_applied) == ("distinction", False)
    assert confirmed.cap_basis.startswith(f"No cap: {at_epa.epao.name}'s policy")


def test_a_round_keeps_the_policy_it_started_under(at_epa, methods, assessor, epao_admin):
    def record(name, cap, when):
        return policies.record_resit_policy(
            epao=at_epa.epao,
            standard_version=at_epa.standard_version,
            by=epao_admin,
            name=name,
            grade_cap=cap,
            scope="failed",
            now=when,
        )

    first = record("Version 1", "pass", timezone.now() - dt.timedelta(days=30))
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind=AssessmentRound.Kind.RESIT)
    record("Version 2", "", timezone.now())
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirmed = confirm(at_epa, assessor)
    assert confirmed.resit_policy == first
    assert (confirmed.overall_grade, confirmed.cap_applied) == ("pass", True)


def test_the_plans_own_stated_cap_applies_over_the_organisations_policy(
    at_epa, plan, methods, assessor, epao_admin
):
    plan.resit_grade_cap = ""
    plan.facts = {**plan.facts, "resitGradeCap": {"provenance": "verified", "source": "AP02"}}
    plan.save(update_fields=["resit_grade_cap", "facts"])
    policies.record_resit_policy(
        epao=at_epa.epao,
        standard_version=at_epa.standard_version,
        by=epao_admin,
        name="Policy",
        grade_cap="pass",
        scope="failed",
    )
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind=AssessmentRound.Kind.RESIT)
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirmed = confirm(at_epa, assessor)
    assert (confirmed.overall_grade, confirmed.cap_applied) == ("distinction", False)
    assert confirmed.cap_basis == "The assessment plan sets no cap on a resit or retake (AP02)."


def test_the_result_card_says_where_the_cap_came_from(
    client, at_epa, methods, assessor, epao_admin
):
    policies.record_resit_policy(
        epao=at_epa.epao,
        standard_version=at_epa.standard_version,
        by=epao_admin,
        name="Resit policy v3",
        grade_cap="pass",
        scope="failed",
    )
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind=AssessmentRound.Kind.RESIT)
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirm(at_epa, assessor)
    client.force_login(assessor)
    page = _text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "The grade table gives distinction." in page
    assert f"Capped at pass by {at_epa.epao.name}'s policy “Resit policy v3”" in page
    assert "recorded by Epao Admin" in page


def test_the_epao_home_links_to_the_organisations_resit_policies(client, epao_admin, personas):
    client.force_login(epao_admin)
    page = _text(client.get(reverse("epa:epao-home")))
    epao = personas["apprenticeship"].epao
    assert reverse("epa:resit-policies", args=[epao.pk]) in page
