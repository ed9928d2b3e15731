"""Internal quality assurance: the sampling rule (reproducible from the recorded seed, the
floor for new tutors and tutors with recent disagreements), the lead's verdicts, the
reopening of a disagreed sign-off through the tutor, and the report's figures (run on
both engines)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import DecisionStage
from audit.actions import AuditAction
from audit.models import AuditEvent
from notifications.models import Notification
from portfolio.evidence.models import DutySignOff
from quality import sampling
from quality.errors import QualityError
from quality.iqa import selectors
from quality.iqa import services as iqa
from quality.models import IqaDraw, IqaItem
from tests import factories
from tests.helpers import iqa as helpers
from tests.helpers.outbox import deliver_outbox


@pytest.fixture
def setup(personas):
    provider = personas["apprenticeship"].provider
    lead = helpers.make_lead(provider, admin=personas["admin"])
    return personas, provider, lead


def _many_decisions(personas, n=12):
    apprenticeship, tutor = personas["apprenticeship"], personas["tutor"]
    return [helpers.accepted(apprenticeship, tutor, title=f"Item {i}") for i in range(n)]


def test_sample_is_reproducible_from_the_recorded_seed(setup):
    personas, provider, lead = setup
    helpers.seasoned(personas["tutor"], provider)
    _many_decisions(personas)
    plan = helpers.cohort_plan(provider, lead, percent=40, stages=["evidence"])
    now = timezone.now()
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    first = iqa.propose_sample(plan=plan, by=lead, start=start, end=today, now=now)
    again = iqa.propose_sample(plan=plan, by=lead, start=start, end=today, now=now)
    assert [p.candidate.decision_id for p in first.picks] == [
        p.candidate.decision_id for p in again.picks
    ]
    record, _ = iqa.draw_sample(plan=plan, by=lead, start=start, end=today)
    items = list(IqaItem.objects.filter(draw_record=record))
    assert record.seed == plan.seed and record.considered == 12
    assert {i.decision_id for i in items} == {p.candidate.decision_id for p in first.picks}
    # Anyone can check each pick from the record alone.
    for comment_id in selectors.plan_decisions(plan, DecisionStage.EVIDENCE).values_list(
        "pk", flat=True
    ):
        value = sampling.draw(record.seed, DecisionStage.EVIDENCE, comment_id)
        assert sampling.picked(value, record.percent) == (
            comment_id in {i.decision_id for i in items}
        )
    # A second draw over the same period adds nothing already sampled.
    second, _ = iqa.draw_sample(plan=plan, by=lead, start=start, end=today)
    assert second.picked == 0 and second.considered == 12 - len(items)


def test_new_tutor_is_sampled_more_with_at_least_one_per_stage(setup):
    personas, provider, lead = setup
    # The personas' tutor started today: new to the provider.
    helpers.accepted(personas["apprenticeship"], personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, percent=1, stages=["evidence"])
    proposal = iqa.propose_sample(
        plan=plan,
        by=lead,
        start=timezone.localdate() - dt.timedelta(days=1),
        end=timezone.localdate(),
        now=timezone.now(),
    )
    assert proposal.raised == {personas["tutor"].pk: "new"}
    assert len(proposal.picks) == 1
    assert proposal.picks[0].percent == iqa.RAISED_FLOOR_PERCENT
    assert iqa.raised_percent(1) == 50 and iqa.raised_percent(40) == 80


def test_seasoned_tutor_has_no_floor_and_recent_disagreement_raises_them(setup):
    personas, provider, lead = setup
    tutor = personas["tutor"]
    helpers.seasoned(tutor, provider)
    evidence = helpers.accepted(personas["apprenticeship"], tutor)
    plan = helpers.cohort_plan(provider, lead, percent=1, stages=["evidence"])
    today = timezone.localdate()
    kwargs = {"plan": plan, "by": lead, "start": today, "end": today, "now": timezone.now()}
    value = sampling.draw(plan.seed, DecisionStage.EVIDENCE, helpers.decision_of(evidence).pk)
    expected = 1 if sampling.picked(value, 1) else 0
    assert len(iqa.propose_sample(**kwargs).picks) == expected
    # A disagreement in the last 90 days raises the tutor again.
    other = helpers.cohort_plan(provider, lead, percent=100, stages=["sign_off"], name="Other")
    helpers.signed_off(personas["apprenticeship"], tutor, number=2)
    helpers.draw_today(other, lead, days=1)
    item = IqaItem.objects.get(plan=other)
    iqa.record_verdict(item=item, by=lead, verdict="disagree", note="No evidence of duty 2.")
    proposal = iqa.propose_sample(**{**kwargs, "now": timezone.now()})
    assert proposal.raised == {tutor.pk: "disagreement"}
    assert len([p for p in proposal.picks if p.candidate.stage == DecisionStage.EVIDENCE]) >= 1


def test_lead_never_samples_an_apprenticeship_they_tutor(setup):
    personas, provider, lead = setup
    factories.MembershipFactory(apprenticeship=personas["apprenticeship"], user=lead)
    evidence = helpers.accepted(personas["apprenticeship"], personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, percent=100, stages=["evidence"])
    record, proposal = helpers.draw_today(plan, lead, days=1)
    assert record.picked == 0 and proposal.left_out == 1
    with pytest.raises(QualityError):
        iqa.add_item(
            plan=plan,
            by=lead,
            stage=DecisionStage.EVIDENCE,
            decision_id=helpers.decision_of(evidence).pk,
        )


def test_lead_adds_a_decision_once(setup):
    personas, provider, lead = setup
    evidence = helpers.accepted(personas["apprenticeship"], personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, stages=["evidence"])
    comment = helpers.decision_of(evidence)
    item = iqa.add_item(plan=plan, by=lead, stage="evidence", decision_id=comment.pk)
    assert item.reason == IqaItem.Reason.ADDED and item.tutor_id == personas["tutor"].pk
    with pytest.raises(QualityError, match="already"):
        iqa.add_item(plan=plan, by=lead, stage="evidence", decision_id=comment.pk)
    with pytest.raises(QualityError, match="does not sample"):
        iqa.add_item(plan=plan, by=lead, stage="review", decision_id=comment.pk)


def test_the_lead_sees_the_accepted_version_not_the_current_one(setup, client):
    personas, provider, lead = setup
    evidence = helpers.accepted(personas["apprenticeship"], personas["tutor"], title="As accepted")
    evidence.title, evidence.account = "Changed since", "Edited after acceptance"
    evidence.save(update_fields=["title", "account"])
    plan = helpers.cohort_plan(provider, lead, stages=["evidence"])
    item = iqa.add_item(
        plan=plan, by=lead, stage="evidence", decision_id=helpers.decision_of(evidence).pk
    )
    view = selectors.decision_view(item)
    assert [v.title for v in view.versions] == ["As accepted"]
    client.force_login(lead)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "As accepted" in page and "Edited after acceptance" not in page


def test_disagreed_sign_off_is_reopened_only_through_the_tutor(setup, client):
    personas, provider, lead = setup
    tutor = personas["tutor"]
    sign_off = helpers.signed_off(personas["apprenticeship"], tutor)
    plan = helpers.cohort_plan(provider, lead, stages=["sign_off"])
    item = iqa.add_item(plan=plan, by=lead, stage="sign_off", decision_id=sign_off.pk)
    with pytest.raises(QualityError, match="why you disagree"):
        iqa.record_verdict(item=item, by=lead, verdict="disagree", note=" ")
    iqa.record_verdict(item=item, by=lead, verdict="disagree", note="It names no practice.")
    # The lead's disagreement leaves the sign-off in place, waiting for the tutor.
    assert DutySignOff.objects.get(pk=sign_off.pk).is_active
    client.force_login(tutor)
    caseload = client.get("/caseload/").content.decode()
    assert "quality assurance verdict" in caseload
    with pytest.raises(QualityError):
        iqa.follow_up(item=item, by=lead, note="")
    response = client.post(f"/iqa/items/{item.pk}/follow-up/", {"note": "Agreed, will redo."})
    assert response.status_code == 302
    reopened = DutySignOff.objects.get(pk=sign_off.pk)
    assert not reopened.is_active and reopened.withdrawn_by_id == tutor.pk
    assert "It names no practice." in reopened.withdrawal_reason
    item.refresh_from_db()
    assert item.follow_up == IqaItem.FollowUp.DONE
    actions = set(
        AuditEvent.objects.filter(apprenticeship_id=item.apprenticeship_id).values_list(
            "action", flat=True
        )
    )
    assert {"iqa.verdict", "iqa.followed_up", AuditAction.DUTY_SIGN_OFF_WITHDRAWN} <= actions
    # The tutor's history shows the IQA lines; the apprentice's shows the sign-off reopened
    # with the reason, not the lead's verdict line.
    history = f"/apprenticeships/{item.apprenticeship_id}/history/"
    assert "IQA: Disagree" in client.get(history).content.decode()
    client.force_login(personas["apprentice"])
    page = client.get(history).content.decode()
    assert "IQA: Disagree" not in page
    assert "Withdrew the sign-off of duty 1" in page
    duty_page = reverse("portfolio:duty-detail", args=[item.apprenticeship_id, sign_off.duty_id])
    assert "It names no practice." in client.get(duty_page).content.decode()


def test_agree_with_an_action_needs_the_action_and_waits_for_the_tutor(setup):
    personas, provider, lead = setup
    evidence = helpers.accepted(personas["apprenticeship"], personas["tutor"])
    plan = helpers.cohort_plan(provider, lead, stages=["evidence"])
    item = iqa.add_item(
        plan=plan, by=lead, stage="evidence", decision_id=helpers.decision_of(evidence).pk
    )
    with pytest.raises(QualityError):
        iqa.record_verdict(item=item, by=lead, verdict="agree_action", note="")
    iqa.record_verdict(item=item, by=lead, verdict="agree_action", note="Give fuller feedback.")
    # The tutors of the apprenticeship are told, with a link to the verdict; nobody else.
    deliver_outbox()
    told = Notification.objects.filter(event="iqa_follow_up")
    assert [(n.recipient_id, n.url) for n in told] == [
        (personas["tutor"].pk, item.get_absolute_url())
    ]
    with pytest.raises(QualityError, match="already"):
        iqa.record_verdict(item=item, by=lead, verdict="agree", note="")
    with pytest.raises(QualityError, match="what you did"):
        iqa.follow_up(item=item, by=personas["tutor"], note="")
    done = iqa.follow_up(item=item, by=personas["tutor"], note="Added feedback in the thread.")
    assert done.follow_up == IqaItem.FollowUp.DONE


def test_report_figures(setup):
    """Coverage per tutor and stage, agreement and open actions: one answer on both
    engines."""
    personas, provider, lead = setup
    tutor = personas["tutor"]
    evidence = [
        helpers.accepted(personas["apprenticeship"], tutor, title=f"E{i}") for i in range(4)
    ]
    sign_off = helpers.signed_off(personas["apprenticeship"], tutor)  # a fifth acceptance
    plan = helpers.cohort_plan(provider, lead, stages=["evidence", "sign_off"])
    items = [
        iqa.add_item(plan=plan, by=lead, stage="evidence", decision_id=helpers.decision_of(e).pk)
        for e in evidence[:2]
    ] + [iqa.add_item(plan=plan, by=lead, stage="sign_off", decision_id=sign_off.pk)]
    iqa.record_verdict(item=items[0], by=lead, verdict="agree", note="")
    iqa.record_verdict(item=items[1], by=lead, verdict="agree_action", note="Date the feedback.")
    iqa.record_verdict(item=items[2], by=lead, verdict="disagree", note="Not enough.")
    # The same decision in a second plan counts once as sampled.
    other = helpers.cohort_plan(provider, lead, stages=["evidence"], name="Second")
    iqa.add_item(
        plan=other, by=lead, stage="evidence", decision_id=helpers.decision_of(evidence[0]).pk
    )
    today = timezone.localdate()
    report = selectors.report(provider.pk, start=today - dt.timedelta(days=7), end=today)
    rows = {(r.tutor_id, r.stage): r for r in report.rows}
    ev = rows[(tutor.pk, "evidence")]
    assert (ev.decisions, ev.sampled, ev.coverage) == (5, 2, 40)
    assert (ev.judged, ev.agreed, ev.agreement, ev.actions_open) == (2, 2, 100, 1)
    so = rows[(tutor.pk, "sign_off")]
    assert (so.decisions, so.sampled, so.coverage, so.agreement, so.actions_open) == (
        1,
        1,
        100,
        0,
        1,
    )
    assert (report.decisions, report.sampled, report.judged, report.agreed) == (6, 3, 3, 2)
    assert (report.agreement, report.disagreed, report.actions_open) == (67, 1, 2)
    assert IqaDraw.objects.count() == 0
