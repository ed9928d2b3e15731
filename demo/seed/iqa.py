"""Internal quality assurance at Northfield: Grace Mensah is its IQA lead. Her plan samples
a quarter of the tutors' evidence decisions, duty sign-offs and progress reviews for every
apprentice on programme; the sample is drawn over the last year. She agreed with one
decision, agreed with another with an action for the tutor, and disagreed with a duty
sign-off, which now waits for the tutor to reopen it. Built through the services."""

import datetime as dt

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from apprenticeship.models import Apprenticeship, DecisionStage
from demo.seed.core import ensure_person
from portfolio.evidence.models import DutySignOff
from quality.iqa import services as iqa
from quality.models import IqaItem, IqaLead, SamplingPlan

LEAD = ("iqa.lead@example.org", "Grace Mensah")
PLAN_NAME = "Everyone on programme at Northfield"


@transaction.atomic
def seed(context) -> None:
    provider = context.organisations["provider"]
    admin = context.people["admin"]
    lead = ensure_person(context, "iqa_lead", *LEAD, provider)
    leads = set(
        IqaLead.objects.filter(provider=provider, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    if lead.pk not in leads:
        iqa.name_iqa_leads(provider=provider, by=admin, user_ids=sorted(leads | {lead.pk}))
    if SamplingPlan.objects.filter(provider=provider, name=PLAN_NAME).exists():
        return
    today = timezone.localdate()
    first_start = Apprenticeship.objects.filter(provider=provider).aggregate(
        first=Min("start_date")
    )["first"] or today - dt.timedelta(days=730)
    plan = iqa.make_plan(
        provider=provider,
        by=lead,
        name=PLAN_NAME,
        scope=SamplingPlan.Scope.COHORT,
        percent=25,
        stages=[DecisionStage.EVIDENCE, DecisionStage.SIGN_OFF, DecisionStage.REVIEW],
        cohort_start_from=first_start,
        cohort_start_to=today,
    )
    iqa.draw_sample(plan=plan, by=lead, start=today - dt.timedelta(days=365), end=today)
    sign_off_item = IqaItem.objects.filter(plan=plan, stage=DecisionStage.SIGN_OFF).first()
    if sign_off_item is None:
        sign_off = (
            DutySignOff.objects.active()
            .filter(apprenticeship__provider=provider)
            .order_by("-signed_at", "-pk")
            .first()
        )
        if sign_off is not None:
            sign_off_item = iqa.add_item(
                plan=plan, by=lead, stage=DecisionStage.SIGN_OFF, decision_id=sign_off.pk
            )
    evidence_items = list(
        IqaItem.objects.filter(plan=plan, stage=DecisionStage.EVIDENCE).order_by(
            "decided_at", "pk"
        )[:2]
    )
    if evidence_items:
        iqa.record_verdict(item=evidence_items[0], by=lead, verdict="agree", note="")
    if len(evidence_items) > 1:
        iqa.record_verdict(
            item=evidence_items[1],
            by=lead,
            verdict="agree_action",
            note="A sound decision. In your feedback, give the apprentice one thing to try "
            "next time, so they know where to go from here.",
        )
    if sign_off_item is not None:
        iqa.record_verdict(
            item=sign_off_item,
            by=lead,
            verdict="disagree",
            note="The evidence relied on describes the peer group, not what the apprentice "
            "did in it. Ask for a reflective account of their own part before signing off.",
        )
