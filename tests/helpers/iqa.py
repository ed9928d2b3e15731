"""Internal quality assurance for tests: an IQA lead at a provider, and tutor decisions
made through the services as the app makes them."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from apprenticeship.models import Apprenticeship, DecisionDay, DecisionStage, Membership, Role
from portfolio.evidence.models import Evidence, EvidenceComment
from portfolio.evidence.services import decisions
from portfolio.evidence.services import evidence as evidence_services
from portfolio.evidence.services.sign_offs import sign_off_duty
from quality.iqa import selectors
from quality.iqa import services as iqa
from quality.models import SamplingPlan
from tests import factories, samples
from tests.helpers.evidence import make_evidence


def make_lead(provider, *, admin, email="iqa.lead@example.org", full_name="Ines Iqa"):
    """A person at the provider named an IQA lead by its admin."""
    lead = factories.UserFactory(email=email, full_name=full_name)
    factories.OrganisationMembershipFactory(user=lead, organisation=provider)
    iqa.name_iqa_leads(provider=provider, by=admin, user_ids=[lead.pk])
    return lead


def accepted(apprenticeship, tutor, *, title="Peer group reflection", duty=None) -> Evidence:
    duties = [duty] if duty is not None else None
    return make_evidence(
        apprenticeship, status=Evidence.Status.ACCEPTED, tutor=tutor, title=title, duties=duties
    )


def decision_of(evidence: Evidence) -> EvidenceComment:
    return evidence.comments.exclude(kind=EvidenceComment.Kind.COMMENT).latest("pk")


def with_file(apprenticeship, tutor, *, duty):
    """Accepted evidence for `duty` with one PDF, and the file."""
    draft = make_evidence(apprenticeship, title="Group notes", duties=[duty])
    (file,) = evidence_services.add_files(
        evidence=draft,
        by=apprenticeship.apprentice,
        files=[samples.upload("group-notes.pdf", samples.pdf())],
    )
    evidence_services.submit_evidence(
        evidence=draft, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )
    evidence = decisions.review_evidence(
        evidence=Evidence.objects.get(pk=draft.pk), by=tutor, decision="accept", feedback=""
    )
    return evidence, file


def signed_off(apprenticeship, tutor, *, number=1, file=False):
    duty = apprenticeship.standard_version.duties.get(number=number)
    if file:
        evidence, _ = with_file(apprenticeship, tutor, duty=duty)
    else:
        evidence = accepted(apprenticeship, tutor, title=f"Evidence for duty {number}", duty=duty)
    return sign_off_duty(
        apprenticeship=apprenticeship,
        duty=duty,
        by=tutor,
        evidence_versions=[evidence.accepted_version],
        comment="The reflection shows the duty in practice.",
    )


def seasoned(tutor, provider, *, days=400) -> None:
    """Make `tutor` not new: their tutor roles at the provider began `days` ago."""
    Membership.objects.filter(
        user=tutor, role=Role.TUTOR, apprenticeship__provider=provider
    ).update(started_at=timezone.now() - dt.timedelta(days=days))


def cohort_plan(provider, lead, *, percent=10, stages=("evidence", "sign_off"), name="Cohort"):
    today = timezone.localdate()
    return iqa.make_plan(
        provider=provider,
        by=lead,
        name=name,
        scope=SamplingPlan.Scope.COHORT,
        percent=percent,
        stages=list(stages),
        cohort_start_from=today - dt.timedelta(days=3650),
        cohort_start_to=today,
    )


def draw_today(plan, lead, *, days=30):
    today = timezone.localdate()
    return iqa.draw_sample(plan=plan, by=lead, start=today - dt.timedelta(days=days), end=today)


def kept_days(provider) -> dict[tuple[int, str, dt.date], int]:
    """{(who, stage, day): decisions} as the decision services keep them (`DecisionDay`)."""
    return {
        (row.made_by_id, row.stage, row.day): row.decisions
        for row in DecisionDay.objects.filter(provider=provider)
    }


def days_from_decisions(provider) -> dict[tuple[int, str, dt.date], int]:
    """The same, worked out from the decisions themselves: every decision the IQA draw
    can sample at the provider, by who made it and its day in the service's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    scope = Apprenticeship.objects.filter(provider=provider)
    return {
        (row["t_id"], stage, row["day"]): row["n"]
        for stage in DecisionStage.values
        for row in selectors.decisions(stage, scope)
        .annotate(day=TruncDate("at", tzinfo=zone))
        .order_by()
        .values("t_id", "day")
        .annotate(n=Count("pk"))
    }
