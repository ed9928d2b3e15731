"""Internal quality assurance at the provider: naming IQA leads, sampling plans, the
recorded draw, the lead's verdict on each sampled decision and the tutor's follow-up.

The sampling rule (also stated on the plan page):
- each decision in the period is picked when its draw (from the plan's recorded seed, the
  stage and the decision) falls inside the plan's share;
- a tutor new to the provider (their first tutor role here began less than
  NEW_TUTOR_DAYS ago) or with a disagreement recorded in the last DISAGREEMENT_DAYS is
  sampled at twice the share, never below RAISED_FLOOR_PERCENT; and at every stage where
  such a tutor made decisions, at least one is picked (the one with the lowest draw).

An IQA lead never judges a decision they made, nor any on an apprenticeship where they
are or were a tutor. Every change is in the append-only history.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Min
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    DecisionStage,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from audit.actions import AuditAction
from audit.services import record_event
from outbox import services as outbox
from portfolio.evidence.models import DutySignOff
from portfolio.evidence.services.evidence import EvidenceError
from portfolio.evidence.services.sign_offs import withdraw_sign_off
from quality import sampling
from quality.errors import QualityError
from quality.iqa import access, selectors
from quality.models import IqaDraw, IqaItem, IqaLead, SamplingPlan

NEW_TUTOR_DAYS = 183
DISAGREEMENT_DAYS = 90
RAISED_FLOOR_PERCENT = 50
# Decisions read from the database at a time when drawing a sample.
READ_CHUNK = 2000


def raised_percent(percent: int) -> int:
    """The share for a tutor sampled more: twice the plan's, at least the floor."""
    return min(100, max(2 * percent, RAISED_FLOOR_PERCENT))


# -- IQA leads -------------------------------------------------------------------------


@transaction.atomic
def name_iqa_leads(
    *, provider: Organisation, by: User, user_ids: list[int], now: dt.datetime | None = None
) -> list[str]:
    """Make exactly these people (who work for the provider now) its IQA leads. Returns
    the names of everyone whose role changed."""
    now = now or timezone.now()
    people = {
        row.user_id: row.user
        for row in OrganisationMembership.objects.filter(
            organisation=provider, is_active=True
        ).select_related("user")
    }
    wanted = set(user_ids)
    if wanted - set(people):
        raise QualityError("Choose IQA leads from the people who work for the provider.")
    current = {
        row.user_id: row
        for row in IqaLead.objects.select_for_update().filter(
            provider=provider, ended_at__isnull=True
        )
    }
    changed = []
    for user_id in sorted(wanted - set(current)):
        lead = IqaLead(provider=provider, user_id=user_id, named_by=by, named_at=now)
        lead.full_clean()
        lead.save()
        name = people[user_id].full_name or people[user_id].email
        changed.append(name)
        record_event(
            action=AuditAction.IQA_LEADS_NAMED,
            obj=lead,
            actor=by,
            summary=f"{name} named an IQA lead",
            before={"iqa_lead": False},
            after={"iqa_lead": True},
        )
    for user_id in sorted(set(current) - wanted):
        lead = current[user_id]
        lead.ended_at, lead.ended_by = now, by
        lead.save(update_fields=["ended_at", "ended_by"])
        person = people.get(user_id) or User.objects.get(pk=user_id)
        name = person.full_name or person.email
        changed.append(name)
        record_event(
            action=AuditAction.IQA_LEADS_NAMED,
            obj=lead,
            actor=by,
            summary=f"{name} is no longer an IQA lead",
            before={"iqa_lead": True},
            after={"iqa_lead": False},
        )
    return changed


def _require_lead(user: User, provider_id: int) -> None:
    if not IqaLead.objects.filter(
        user=user, provider_id=provider_id, ended_at__isnull=True
    ).exists():
        raise QualityError("Only an IQA lead at the provider can do this.")


# -- plans -----------------------------------------------------------------------------


@transaction.atomic
def make_plan(
    *,
    provider: Organisation,
    by: User,
    name: str,
    scope: str,
    percent: int,
    stages: list[str],
    cohort_start_from: dt.date | None = None,
    cohort_start_to: dt.date | None = None,
    tutor: User | None = None,
) -> SamplingPlan:
    """Record a sampling plan with a fresh seed, kept for every draw it makes."""
    _require_lead(by, provider.pk)
    name = name.strip()
    if not name:
        raise QualityError("Give the plan a name.")
    if not 1 <= percent <= 100:
        raise QualityError("The share must be between 1 and 100 per cent.")
    if not stages or any(stage not in DecisionStage.values for stage in stages):
        raise QualityError("Choose at least one kind of decision to sample.")
    if scope == SamplingPlan.Scope.COHORT:
        if cohort_start_from is None or cohort_start_to is None:
            raise QualityError("Give the first and last start dates of the cohort.")
        if cohort_start_to < cohort_start_from:
            raise QualityError("The cohort's last start date is before its first.")
        tutor = None
    elif scope == SamplingPlan.Scope.TUTOR:
        if tutor is None:
            raise QualityError("Choose the tutor whose work this plan samples.")
        if tutor.pk == by.pk:
            raise QualityError("You cannot sample your own work. Another IQA lead can.")
        if not OrganisationMembership.objects.filter(
            user=tutor, organisation=provider, is_active=True
        ).exists():
            raise QualityError("Choose a tutor who works for the provider.")
        cohort_start_from = cohort_start_to = None
    else:
        raise QualityError("Choose a cohort or a tutor.")
    plan = SamplingPlan(
        provider=provider,
        name=name,
        scope=scope,
        cohort_start_from=cohort_start_from,
        cohort_start_to=cohort_start_to,
        tutor=tutor,
        percent=percent,
        sample_evidence=DecisionStage.EVIDENCE in stages,
        sample_sign_offs=DecisionStage.SIGN_OFF in stages,
        sample_reviews=DecisionStage.REVIEW in stages,
        sample_gateway=DecisionStage.GATEWAY in stages,
        seed=sampling.new_seed(),
        created_by=by,
    )
    plan.full_clean()
    plan.save()
    record_event(
        action=AuditAction.IQA_PLAN_MADE,
        obj=plan,
        actor=by,
        summary=f"Sampling plan “{plan.name}”: {percent}% of {', '.join(plan.stage_labels)}",
        after={
            "scope": scope,
            "cohort_start_from": str(cohort_start_from or ""),
            "cohort_start_to": str(cohort_start_to or ""),
            "tutor": tutor.pk if tutor else None,
            "percent": percent,
            "stages": plan.stages,
            "seed": plan.seed,
        },
    )
    return plan


# -- the sample ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    candidate: selectors.Candidate
    reason: str
    draw: Decimal
    percent: int


@dataclass
class Proposal:
    picks: list[Pick]
    considered: int
    left_out: int  # decisions the lead may not judge
    raised: dict[int, str]  # tutor id -> "new" or "disagreement"


def raised_tutors(provider_id: int, *, now: dt.datetime) -> dict[int, str]:
    """{tutor id: why} for the provider's tutors sampled more: new to the provider, or
    with a recent disagreement. Two queries, one row per tutor at most."""
    raised: dict[int, str] = {}
    for tutor_id in (
        IqaItem.objects.filter(
            plan__provider_id=provider_id,
            verdict=IqaItem.Verdict.DISAGREE,
            verdict_at__gte=now - dt.timedelta(days=DISAGREEMENT_DAYS),
        )
        # Without the model's ordering, whose columns would make every item distinct.
        .order_by()
        .values_list("tutor_id", flat=True)
        .distinct()
    ):
        raised[tutor_id] = "disagreement"
    for row in (
        Membership.objects.filter(role=Role.TUTOR, apprenticeship__provider_id=provider_id)
        .order_by()
        .values("user_id")
        .annotate(first=Min("started_at"))
        .filter(first__gt=now - dt.timedelta(days=NEW_TUTOR_DAYS))
    ):
        raised.setdefault(row["user_id"], "new")
    return raised


def propose_sample(
    *, plan: SamplingPlan, by: User, start: dt.date, end: dt.date, now: dt.datetime
) -> Proposal:
    """The sample the plan's rule gives for decisions made in [start, end], leaving out
    those already sampled in the plan and those `by` may not judge. Pure given the data:
    the same seed, period and records always give the same picks.

    However many decisions the period holds, it keeps in memory only the picks and, per
    stage, one floor candidate per raised tutor. It runs two queries for the tutors
    sampled more, then for each stage one statement that reads the decisions in chunks
    (their ids and who made them only, in no order: the table is read straight through),
    so what it counts, leaves out and picks all come from one reading of the data even
    while tutors record decisions; then what the picks show, by their ids, READ_CHUNK at
    a time. The picks are listed in the order they were made, then those for the floor
    by tutor."""
    raised_here = raised_tutors(plan.provider_id, now=now)
    conflicted = ExpressionWrapper(
        access.conflicted(by, tutor="t_id", apprenticeship="a_id"), output_field=BooleanField()
    )
    provider_scope = Apprenticeship.objects.filter(provider_id=plan.provider_id)
    high = raised_percent(plan.percent)
    picks: list[Pick] = []
    considered = left_out = 0
    tutor_ids: set[int] = set()
    for stage in plan.stages:
        # (decision id, draw, share, why): those drawn, then those for the floor.
        chosen: list[tuple[int, int, int, str]] = []
        floor_needed: dict[int, tuple[int, int]] = {}  # tutor id: (draw, decision id)
        picked_tutors: set[int] = set()
        rows = (
            selectors.unsampled(plan, stage, start=start, end=end)
            .annotate(conflicted=conflicted)
            .order_by()
            .values_list("pk", "t_id", "conflicted")
        )
        for pk, tutor_id, is_conflicted in rows.iterator(chunk_size=READ_CHUNK):
            if is_conflicted:
                left_out += 1
                continue
            considered += 1
            tutor_ids.add(tutor_id)
            share = high if tutor_id in raised_here else plan.percent
            units = sampling.draw_units(plan.seed, stage, pk)
            if sampling.picked_units(units, share):
                chosen.append((pk, units, share, IqaItem.Reason.DRAWN))
                picked_tutors.add(tutor_id)
            elif tutor_id in raised_here:
                best = floor_needed.get(tutor_id)
                if best is None or (units, pk) < best:
                    floor_needed[tutor_id] = (units, pk)
        drawn = len(chosen)
        for tutor_id in sorted(floor_needed.keys() - picked_tutors):
            units, pk = floor_needed[tutor_id]
            chosen.append((pk, units, high, IqaItem.Reason.FLOOR))
        # By id at the provider: a decision is never deleted nor moves to another provider,
        # so each pick is found even if its apprenticeship's start date changed meanwhile.
        shown: dict[int, dict[str, Any]] = {}
        for first in range(0, len(chosen), READ_CHUNK):
            ids = [pk for pk, *_ in chosen[first : first + READ_CHUNK]]
            shown.update(
                (row["pk"], row)
                for row in selectors.decisions(stage, provider_scope, decision_ids=ids)
            )
        chosen[:drawn] = sorted(chosen[:drawn], key=lambda c: (shown[c[0]]["at"], c[0]))
        picks.extend(
            Pick(selectors.candidate(stage, shown[pk]), why, sampling.as_decimal(units), share)
            for pk, units, share, why in chosen
        )
    # The draw records the raised tutors who made decisions the lead may judge.
    raised = {pk: why for pk, why in raised_here.items() if pk in tutor_ids}
    return Proposal(picks=picks, considered=considered, left_out=left_out, raised=raised)


@transaction.atomic
def draw_sample(
    *,
    plan: SamplingPlan,
    by: User,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> tuple[IqaDraw, Proposal]:
    """Record the sample the plan's rule proposes for decisions made in [start, end]."""
    now = now or timezone.now()
    _require_lead(by, plan.provider_id)
    if end < start:
        raise QualityError("The end of the period is before its start.")
    if end > timezone.localdate(now):
        raise QualityError("The period cannot end in the future.")
    # One draw at a time per plan, so two clicks do not sample the same decision twice.
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
    proposal = propose_sample(plan=plan, by=by, start=start, end=end, now=now)
    names = dict(User.objects.filter(pk__in=proposal.raised).values_list("pk", "full_name"))
    record = IqaDraw(
        plan=plan,
        period_start=start,
        period_end=end,
        seed=plan.seed,
        percent=plan.percent,
        raised_percent=raised_percent(plan.percent),
        raised_tutors=[
            {"id": pk, "name": names.get(pk, ""), "why": why}
            for pk, why in sorted(proposal.raised.items())
        ],
        considered=proposal.considered,
        picked=len(proposal.picks),
        drawn_by=by,
        drawn_at=now,
    )
    record.full_clean()
    record.save()
    IqaItem.objects.bulk_create(
        [
            IqaItem(
                plan=plan,
                draw_record=record,
                apprenticeship_id=p.candidate.apprenticeship_id,
                tutor_id=p.candidate.tutor_id,
                stage=p.candidate.stage,
                decision_id=p.candidate.decision_id,
                decided_at=p.candidate.decided_at,
                label=p.candidate.label,
                reason=p.reason,
                draw=p.draw,
                percent_used=p.percent,
                added_by=by,
                added_at=now,
            )
            for p in proposal.picks
        ]
    )
    record_event(
        action=AuditAction.IQA_DRAWN,
        obj=record,
        actor=by,
        summary=(
            f"Sample for “{plan.name}”, {start:%-d %b %Y} to {end:%-d %b %Y}: "
            f"{len(proposal.picks)} of {proposal.considered} decisions"
        ),
        after={
            "seed": plan.seed,
            "percent": plan.percent,
            "raised_percent": record.raised_percent,
            "raised_tutors": record.raised_tutors,
            "left_out": proposal.left_out,
            "picked": [[p.candidate.stage, p.candidate.decision_id] for p in proposal.picks],
        },
    )
    return record, proposal


@transaction.atomic
def add_item(
    *, plan: SamplingPlan, by: User, stage: str, decision_id: int, now: dt.datetime | None = None
) -> IqaItem:
    """Add one decision of the plan's scope to its sample, chosen by the lead."""
    now = now or timezone.now()
    _require_lead(by, plan.provider_id)
    if stage not in plan.stages:
        raise QualityError("This plan does not sample that kind of decision.")
    c = selectors.plan_candidate(plan, stage, decision_id)
    if c is None:
        raise QualityError("That decision is not in this plan's scope.")
    if c.tutor_id == by.pk or access.was_tutor_on(by, c.apprenticeship_id):
        raise QualityError(
            "You are or were a tutor on this apprenticeship, so another IQA lead samples it."
        )
    item = IqaItem(
        plan=plan,
        apprenticeship_id=c.apprenticeship_id,
        tutor_id=c.tutor_id,
        stage=stage,
        decision_id=c.decision_id,
        decided_at=c.decided_at,
        label=c.label,
        reason=IqaItem.Reason.ADDED,
        added_by=by,
        added_at=now,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise QualityError("That decision is already in this plan's sample.") from exc
    record_event(
        action=AuditAction.IQA_ITEM_ADDED,
        obj=item,
        actor=by,
        apprenticeship_id=item.apprenticeship_id,
        summary=f"Added to the IQA sample of “{plan.name}”: {item.label}",
        after={"stage": stage, "decision_id": decision_id},
    )
    return item


# -- the verdict and the follow-up -----------------------------------------------------


@transaction.atomic
def record_verdict(
    *, item: IqaItem, by: User, verdict: str, note: str, now: dt.datetime | None = None
) -> IqaItem:
    """The lead's verdict on one sampled decision. Agreeing with an action, or
    disagreeing, needs the words and leaves a follow-up waiting for the tutor; a disagreed
    sign-off stays signed off until a tutor reopens it."""
    now = now or timezone.now()
    note = note.strip()
    locked = IqaItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    _require_lead(by, locked.plan.provider_id)
    if locked.tutor_id == by.pk or access.was_tutor_on(by, locked.apprenticeship_id):
        raise QualityError(
            "You are or were a tutor on this apprenticeship: another IQA lead judges it."
        )
    if locked.verdict:
        raise QualityError("A verdict is already recorded for this decision.")
    if verdict not in IqaItem.Verdict.values:
        raise QualityError("Choose agree, agree with an action, or disagree.")
    if verdict == IqaItem.Verdict.AGREE_ACTION and not note:
        raise QualityError("Say what the tutor should do.")
    if verdict == IqaItem.Verdict.DISAGREE and not note:
        raise QualityError("Say why you disagree.")
    locked.verdict = verdict
    locked.verdict_note = note
    locked.verdict_by = by
    locked.verdict_at = now
    locked.follow_up = (
        IqaItem.FollowUp.NONE if verdict == IqaItem.Verdict.AGREE else IqaItem.FollowUp.OPEN
    )
    locked.full_clean()
    locked.save(update_fields=["verdict", "verdict_note", "verdict_by", "verdict_at", "follow_up"])
    record_event(
        action=AuditAction.IQA_VERDICT,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"IQA: {locked.get_verdict_display()} — {locked.label}"
        + (f": {note}" if note else ""),
        before={"verdict": ""},
        after={"verdict": verdict, "note": note},
    )
    if locked.follow_up == IqaItem.FollowUp.OPEN:
        outbox.queue_notification(
            "iqa_follow_up",
            occurrence=str(locked.pk),
            object_id=locked.pk,
            apprenticeship_id=locked.apprenticeship_id,
        )
    return locked


def reopens_sign_off(item: IqaItem) -> bool:
    return item.stage == DecisionStage.SIGN_OFF and item.verdict == IqaItem.Verdict.DISAGREE


@transaction.atomic
def follow_up(*, item: IqaItem, by: User, note: str, now: dt.datetime | None = None) -> IqaItem:
    """A tutor of the apprenticeship follows up the lead's verdict. For a disagreed
    sign-off this reopens it: the sign-off is withdrawn by the tutor, with the lead's
    reason in its history. Otherwise the tutor says what they did."""
    now = now or timezone.now()
    note = note.strip()
    locked = IqaItem.objects.select_for_update().get(pk=item.pk)
    if not Membership.objects.filter(
        user=by, apprenticeship_id=locked.apprenticeship_id, role=Role.TUTOR, is_active=True
    ).exists():
        raise QualityError("Only a tutor of this apprenticeship can follow this up.")
    if locked.follow_up != IqaItem.FollowUp.OPEN:
        raise QualityError("Nothing is waiting to be followed up here.")
    if reopens_sign_off(locked):
        sign_off = (
            DutySignOff.objects.select_related("duty")
            .filter(pk=locked.decision_id, apprenticeship_id=locked.apprenticeship_id)
            .first()
        )
        if sign_off is not None and sign_off.is_active:
            reason = f"Reopened after internal quality assurance disagreed: {locked.verdict_note}"
            if note:
                reason += f" Tutor's note: {note}"
            try:
                withdraw_sign_off(sign_off=sign_off, by=by, reason=reason)
            except EvidenceError as error:
                raise QualityError(str(error)) from error
        elif not note:
            note = "The sign-off had already been withdrawn."
    elif not note:
        raise QualityError("Say what you did.")
    locked.follow_up = IqaItem.FollowUp.DONE
    locked.follow_up_note = note
    locked.follow_up_by = by
    locked.follow_up_at = now
    locked.save(update_fields=["follow_up", "follow_up_note", "follow_up_by", "follow_up_at"])
    record_event(
        action=AuditAction.IQA_FOLLOWED_UP,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=(
            f"Reopened after IQA disagreed: {locked.label}. {locked.verdict_note}"
            if reopens_sign_off(locked)
            else f"IQA followed up: {locked.label}"
        )
        + (f" Tutor's note: {note}" if note else ""),
        before={"follow_up": "open"},
        after={"follow_up": "done", "note": note},
    )
    return locked
