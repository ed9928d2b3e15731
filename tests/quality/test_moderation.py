"""Moderation at the assessment organisation: which results wait for a moderator, that a
held result reaches neither the provider nor the apprentice, and the moderator's two
decisions."""

import pytest
from django.urls import reverse

from apprenticeship.models import Apprenticeship
from epa.errors import EpaError
from epa.models import AssessmentRound
from epa.selectors.summary import assessment_summary, results_data
from epa.services import results
from quality import sampling
from quality.errors import QualityError
from quality.models import ModerationCase, ModerationDecision
from quality.services import moderation
from tests import factories
from tests.helpers.epa import confirm
from tests.quality.conftest import grade_and_confirm


def test_without_a_policy_a_result_is_released_when_confirmed(at_epa, methods, assessor):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    assert round_.released_at == round_.confirmed_at
    assert not ModerationCase.objects.exists()
    at_epa.refresh_from_db()
    assert at_epa.status == Apprenticeship.Status.COMPLETED


def test_a_distinction_waits_for_moderation_and_is_not_shown(
    client, personas, at_epa, methods, assessor, policy
):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    assert round_.is_confirmed and round_.released_at is None
    case = ModerationCase.objects.get(round=round_)
    assert case.reason == ModerationCase.Reason.HIGHEST
    assert case.status == ModerationCase.Status.WAITING
    at_epa.refresh_from_db()
    assert at_epa.status != Apprenticeship.Status.COMPLETED
    summary = assessment_summary(at_epa)
    assert summary.results == []
    assert "waiting for moderation" in summary.state
    assert results_data(at_epa) == []
    for name in ("apprentice", "tutor", "admin", "employer"):
        client.force_login(personas[name])
        page = client.get(reverse("dashboards:apprenticeship-detail", args=[at_epa.pk]))
        assert page.status_code == 200
        assert b"First attempt: distinction" not in page.content
        assert b"waiting for moderation" in page.content


def test_a_held_fail_cannot_be_appealed_or_resat(at_epa, methods, assessor, policy, epao_admin):
    round_ = grade_and_confirm(at_epa, methods, assessor, am2="fail")
    assert ModerationCase.objects.get(round=round_).reason == ModerationCase.Reason.FAIL
    with pytest.raises(EpaError, match="released"):
        results.record_appeal(round_=round_, by=epao_admin, raised_by="apprentice", reason="x")
    with pytest.raises(EpaError, match="moderation"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")


def test_the_moderator_confirms_and_the_result_is_released(
    client, personas, at_epa, methods, assessor, policy, moderator
):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    case = ModerationCase.objects.get(round=round_)
    moderation.confirm_moderation(case=case, by=moderator)
    round_.refresh_from_db()
    at_epa.refresh_from_db()
    assert round_.released_at is not None
    assert at_epa.status == Apprenticeship.Status.COMPLETED
    assert [r["overall_grade"] for r in results_data(at_epa)] == ["distinction"]
    client.force_login(personas["apprentice"])
    page = client.get(reverse("dashboards:apprenticeship-detail", args=[at_epa.pk]))
    assert b"First attempt: distinction" in page.content
    case.refresh_from_db()
    assert case.status == ModerationCase.Status.CONFIRMED
    with pytest.raises(QualityError, match="not waiting"):
        moderation.confirm_moderation(case=case, by=moderator)


def test_a_returned_result_goes_back_to_the_assessor_and_waits_again(
    at_epa, methods, assessor, policy, moderator
):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    case = ModerationCase.objects.get(round=round_)
    with pytest.raises(QualityError, match="Say why"):
        moderation.return_to_assessor(case=case, by=moderator, reason="  ")
    moderation.return_to_assessor(
        case=case, by=moderator, reason="The notes for question 3 do not support distinction."
    )
    round_.refresh_from_db()
    assert not round_.is_confirmed and round_.released_at is None
    assert "question 3" in round_.returned_reason
    # The assessor changes the discussion grade and confirms again: it waits again.
    method_assessment = round_.method_assessments.get(method=methods["AM2"])
    from epa.services import assessment as services

    services.grade_method(method_assessment=method_assessment, by=assessor, grade="pass")
    again = confirm(at_epa, assessor)
    assert again.overall_grade == "pass" and again.released_at is None
    case.refresh_from_db()
    assert case.status == ModerationCase.Status.WAITING and case.grade == "pass"
    moderation.confirm_moderation(case=case, by=moderator)
    assert list(ModerationDecision.objects.values_list("outcome", "grade")) == [
        ("returned", "distinction"),
        ("confirmed", "pass"),
    ]


def test_the_assessor_never_moderates_their_own_result(personas, at_epa, methods, assessor, policy):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    membership = assessor.org_memberships.get(organisation=at_epa.epao)
    membership.is_moderator = True
    membership.save(update_fields=["is_moderator"])
    case = ModerationCase.objects.get(round=round_)
    with pytest.raises(QualityError, match="assessor"):
        moderation.confirm_moderation(case=case, by=assessor)
    round_.refresh_from_db()
    assert round_.released_at is None


def test_someone_not_named_moderator_cannot_moderate(at_epa, methods, assessor, policy):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    colleague = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=colleague, organisation=at_epa.epao)
    with pytest.raises(QualityError, match="not a moderator"):
        moderation.confirm_moderation(case=ModerationCase.objects.get(round=round_), by=colleague)


# -- the sampling rule -----------------------------------------------------------------


@pytest.mark.parametrize(("percent", "status"), [(0, "not_selected"), (100, "waiting")])
def test_passes_are_sampled_by_the_share(
    at_epa, methods, assessor, policy, epao_admin, percent, status
):
    moderation.set_moderation_policy(
        epao=at_epa.epao,
        by=epao_admin,
        is_active=True,
        all_highest=True,
        all_fails=True,
        pass_percent=percent,
    )
    round_ = grade_and_confirm(at_epa, methods, assessor, am2="pass")
    case = ModerationCase.objects.get(round=round_)
    assert case.status == status
    assert (round_.released_at is not None) == (status == "not_selected")


def test_the_pass_sample_can_be_worked_out_again_from_the_recorded_seed(
    at_epa, methods, assessor, policy
):
    round_ = grade_and_confirm(at_epa, methods, assessor, am2="pass")
    case = ModerationCase.objects.get(round=round_)
    policy.refresh_from_db()
    assert case.seed == policy.seed and case.pass_percent == 10
    assert case.draw == sampling.draw(case.seed, "round", round_.pk)
    assert (case.reason == ModerationCase.Reason.SAMPLED) == sampling.picked(case.draw, 10)


def test_a_changed_policy_keeps_its_seed(at_epa, policy, epao_admin):
    again = moderation.set_moderation_policy(
        epao=at_epa.epao,
        by=epao_admin,
        is_active=True,
        all_highest=False,
        all_fails=True,
        pass_percent=25,
    )
    assert again.pk == policy.pk and again.seed == policy.seed


def test_the_share_picked_is_close_to_the_share_asked_for():
    values = [sampling.draw(12345, "round", n) for n in range(2000)]
    assert all(0 <= v < 1 for v in values)
    picked = sum(sampling.picked(v, 10) for v in values)
    assert 150 < picked < 250
    assert values == [sampling.draw(12345, "round", n) for n in range(2000)]
    assert values != [sampling.draw(54321, "round", n) for n in range(2000)]


def test_rounds_confirmed_before_moderation_count_as_released(at_epa, methods, assessor):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    assert AssessmentRound.objects.filter(pk=round_.pk, released_at__isnull=False).exists()
