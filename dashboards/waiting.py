"""What is waiting for each person: the "Waiting for you" list on every role's home.

Each list is worked out from the same rules as the pages where the thing is done (the
evidence statuses, the off-the-job log, the review schedule and signatures, the gateway
declarations, the assessment list), as annotations on the person's apprenticeships: a
fixed number of queries however big the caseload. An item links to where it is done and
is gone once it is.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Membership, Role
from epa.models import GatewayDeclaration
from epa.selectors import lists as epa_lists
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.models import Evidence, WitnessTestimony
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews.models import Review, ReviewParty, ReviewSignature
from portfolio.training.models import OtjEntry
from quality.iqa import access as iqa_access
from quality.models import IqaItem, SamplingPlan
from reports import access as report_access
from reports.models import Report

# Apprenticeships listed at most; past this the list says more are waiting.
LIMIT = 20


@dataclass(frozen=True)
class Item:
    kind: str
    label: str
    url: str
    apprentice: str = ""


@dataclass
class WaitingList:
    items: list[Item] = field(default_factory=list)
    # Things the person has done that now wait for someone else (shown apart).
    others: list[Item] = field(default_factory=list)
    # More apprenticeships have something waiting than the list shows.
    more: bool = False
    more_url: str = ""


def _count(queryset: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("apprenticeship").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _url(name: str, pk: int, query: str = "") -> str:
    return reverse(name, args=[pk]) + (f"?{query}" if query else "")


def _awaiting(party: str, *, signed: bool) -> QuerySet[Review]:
    """Reviews of the outer apprenticeship waiting for signatures, which `party` has
    (signed=True) or has not yet signed on the current version."""
    signature = Exists(
        ReviewSignature.objects.filter(version=OuterRef("current_version"), party=party)
    )
    reviews = Review.objects.filter(
        apprenticeship=OuterRef("pk"), status=Review.Status.AWAITING_SIGNATURES
    )
    return reviews.filter(signature) if signed else reviews.exclude(signature)


def _otj_waiting() -> QuerySet[OtjEntry]:
    return OtjEntry.objects.current().filter(
        apprenticeship=OuterRef("pk"), status=OtjEntry.Status.PENDING
    )


def _declared(party: str) -> Exists:
    return Exists(
        GatewayDeclaration.objects.active().filter(apprenticeship=OuterRef("pk"), party=party)
    )


def _rows(queryset: QuerySet[Apprenticeship], waiting: Q) -> tuple[list[Apprenticeship], bool]:
    rows = list(
        queryset.filter(waiting)
        .select_related("apprentice")
        .order_by("apprentice__full_name", "pk")[: LIMIT + 1]
    )
    return rows[:LIMIT], len(rows) > LIMIT


# -- the apprentice --------------------------------------------------------------------


def for_apprentice(scope: QuerySet[Apprenticeship]) -> WaitingList:
    """The apprentice's own apprenticeships (`scope`): evidence referred back, reviews to
    sign (and, apart, reviews they signed that wait for others), training rejected and
    testimonies not yet used in any evidence. One query."""
    annotated = scope.annotate(
        w_referred=_count(
            Evidence.objects.filter(apprenticeship=OuterRef("pk"), status=Evidence.Status.REFERRED)
        ),
        w_to_sign=_count(_awaiting(ReviewParty.APPRENTICE, signed=False)),
        w_others=_count(_awaiting(ReviewParty.APPRENTICE, signed=True)),
        w_rejected=_count(
            OtjEntry.objects.current().filter(
                apprenticeship=OuterRef("pk"), status=OtjEntry.Status.REJECTED
            )
        ),
        w_testimonies=_count(
            WitnessTestimony.objects.filter(apprenticeship=OuterRef("pk"), evidence__isnull=True)
        ),
    )
    rows, more = _rows(
        annotated,
        Q(w_referred__gt=0)
        | Q(w_to_sign__gt=0)
        | Q(w_others__gt=0)
        | Q(w_rejected__gt=0)
        | Q(w_testimonies__gt=0),
    )
    result = WaitingList(more=more, more_url=reverse("dashboards:my-apprenticeships"))
    for a in rows:
        name = a.apprentice.full_name
        if a.w_referred:
            result.items.append(
                Item(
                    "evidence_referred",
                    _plural(a.w_referred, "piece of evidence", "pieces of evidence")
                    + " referred back to you",
                    _url("portfolio:evidence-list", a.pk, "status=referred"),
                    name,
                )
            )
        if a.w_to_sign:
            result.items.append(
                Item(
                    "review_to_sign",
                    _plural(a.w_to_sign, "progress review", "progress reviews")
                    + " for you to sign",
                    _url("portfolio:review-list", a.pk),
                    name,
                )
            )
        if a.w_rejected:
            result.items.append(
                Item(
                    "otj_rejected",
                    _plural(a.w_rejected, "off-the-job entry", "off-the-job entries")
                    + " not accepted: read why",
                    _url("portfolio:otj-log", a.pk, "status=rejected"),
                    name,
                )
            )
        if a.w_testimonies:
            result.items.append(
                Item(
                    "testimony_received",
                    _plural(a.w_testimonies, "witness testimony", "witness testimonies")
                    + " you have not added to any evidence yet",
                    _url("portfolio:testimony-list", a.pk),
                    name,
                )
            )
        if a.w_others:
            result.others.append(
                Item(
                    "review_waiting_for_others",
                    _plural(a.w_others, "progress review", "progress reviews")
                    + " you signed, waiting for the others to sign",
                    _url("portfolio:review-list", a.pk),
                    name,
                )
            )
    return result


# -- the tutor -------------------------------------------------------------------------


def for_tutor(user: User, *, today: dt.date | None = None) -> WaitingList:
    """The tutor's caseload: evidence to review, training to verify, reviews due (by the
    caseload's own review schedule) or waiting for the tutor's signature, and gateways
    where everything else holds and the provider's confirmation is what is left. One
    query."""
    today = today or timezone.localdate()
    scope = review_schedule.with_review_status(
        access.apprenticeships_as(user, Role.TUTOR), today=today
    )
    annotated = scope.annotate(
        w_evidence=_count(
            Evidence.objects.filter(apprenticeship=OuterRef("pk"), status=Evidence.Status.SUBMITTED)
        ),
        w_otj=_count(_otj_waiting()),
        w_to_sign=_count(_awaiting(ReviewParty.TUTOR, signed=False)),
        # Decisions an IQA lead judged and asked a tutor of this apprenticeship to follow up.
        w_iqa=_count(IqaItem.objects.filter(apprenticeship=OuterRef("pk")).follow_up_open()),
        w_gateway=Case(
            When(
                Q(status=Apprenticeship.Status.ON_PROGRAMME)
                & _declared(GatewayDeclaration.Party.EMPLOYER)
                & ~_declared(GatewayDeclaration.Party.PROVIDER),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        w_review_due=Case(
            When(review_overdue=True, then=Value(1)),
            When(review_due_soon=True, next_review_planned__isnull=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    rows, more = _rows(
        annotated,
        Q(w_evidence__gt=0)
        | Q(w_otj__gt=0)
        | Q(w_to_sign__gt=0)
        | Q(w_gateway__gt=0)
        | Q(w_review_due__gt=0)
        | Q(w_iqa__gt=0),
    )
    result = WaitingList(more=more, more_url=reverse("dashboards:caseload"))
    for a in rows:
        name = a.apprentice.full_name
        if a.w_evidence:
            result.items.append(
                Item(
                    "evidence_to_review",
                    _plural(a.w_evidence, "piece of evidence", "pieces of evidence") + " to review",
                    _url("portfolio:evidence-list", a.pk, "status=submitted"),
                    name,
                )
            )
        if a.w_otj:
            result.items.append(_otj_item(a, name))
        if a.w_review_due:
            due = a.next_review_due
            words = "overdue" if a.review_overdue else "due"
            result.items.append(
                Item(
                    "review_due",
                    f"Progress review {words}: due by {due:%-d %B %Y}",
                    _url("portfolio:review-list", a.pk),
                    name,
                )
            )
        if a.w_to_sign:
            result.items.append(_sign_item(a, name))
        if a.w_iqa:
            result.items.append(
                Item(
                    "iqa_follow_up",
                    _plural(a.w_iqa, "quality assurance verdict", "quality assurance verdicts")
                    + " to follow up",
                    reverse("quality:iqa-follow-ups"),
                    name,
                )
            )
        if a.w_gateway:
            result.items.append(
                Item(
                    "gateway_provider",
                    "Gateway: the employer has confirmed; the provider's confirmation is next",
                    _url("epa:gateway", a.pk),
                    name,
                )
            )
    return result


def _otj_item(a: Apprenticeship, name: str) -> Item:
    return Item(
        "otj_to_verify",
        _plural(a.w_otj, "off-the-job entry", "off-the-job entries") + " to verify",
        _url("portfolio:otj-log", a.pk, "status=waiting"),
        name,
    )


def _sign_item(a: Apprenticeship, name: str) -> Item:
    return Item(
        "review_to_sign",
        _plural(a.w_to_sign, "progress review", "progress reviews") + " for you to sign",
        _url("portfolio:review-list", a.pk),
        name,
    )


# -- the employer ----------------------------------------------------------------------


def for_employer(user: User) -> WaitingList:
    """The employer contact's apprentices: reviews naming them as the employer's
    signatory, training to verify, and the employer's gateway confirmation once every
    duty is signed off. One query."""
    scope = evidence_selectors.annotate_caseload(access.apprenticeships_as(user, Role.EMPLOYER))
    annotated = scope.annotate(
        w_otj=_count(_otj_waiting()),
        w_to_sign=_count(
            _awaiting(ReviewParty.EMPLOYER, signed=False).filter(
                current_version__employer_signatory=user
            )
        ),
        w_gateway=Case(
            When(
                Q(status=Apprenticeship.Status.ON_PROGRAMME)
                & Q(duties_total__gt=0, duties_signed_off__gte=F("duties_total"))
                & ~_declared(GatewayDeclaration.Party.EMPLOYER),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    rows, more = _rows(annotated, Q(w_otj__gt=0) | Q(w_to_sign__gt=0) | Q(w_gateway__gt=0))
    result = WaitingList(more=more, more_url=reverse("dashboards:employer-home"))
    for a in rows:
        name = a.apprentice.full_name
        if a.w_to_sign:
            result.items.append(_sign_item(a, name))
        if a.w_otj:
            result.items.append(_otj_item(a, name))
        if a.w_gateway:
            result.items.append(
                Item(
                    "gateway_employer",
                    "Every duty is signed off: confirm for the employer that they are "
                    "ready for end-point assessment",
                    _url("epa:gateway", a.pk),
                    name,
                )
            )
    return result


# -- the assessor ----------------------------------------------------------------------


def for_assessor(user: User) -> WaitingList:
    """Assigned apprentices whose assessment is not finished: the latest round is not
    confirmed. Worded by the assessment list's own description. Two queries (the list
    and its people)."""
    scope = epa_lists.annotate_epa_list(
        access.apprenticeships_as(user, Role.ASSESSOR).with_people()
    ).filter(
        ~Q(status=Apprenticeship.Status.COMPLETED),
        epa_confirmed_at__isnull=True,
    )
    rows = list(scope[: LIMIT + 1])
    result = WaitingList(more=len(rows) > LIMIT, more_url=reverse("dashboards:assessor-home"))
    for row in epa_lists.epa_rows(rows[:LIMIT]):
        a = row.apprenticeship
        result.items.append(
            Item(
                "assessment",
                row.state,
                _url("epa:assessment", a.pk),
                a.apprentice.full_name,
            )
        )
    return result


# -- provider admins -------------------------------------------------------------------


def for_admin(user: User, *, today: dt.date | None = None) -> WaitingList:
    """The provider admin's enrolments: those in training with no tutor, how many have a
    progress review overdue (the overview's own count), and reports that could not be
    built and have not been asked for again since. Three queries."""
    scope = access.apprenticeships_as(user, Role.ADMIN)
    no_tutor = ~Exists(
        Membership.objects.filter(apprenticeship=OuterRef("pk"), role=Role.TUTOR, is_active=True)
    )
    rows, more = _rows(scope, Q(status=Apprenticeship.Status.ON_PROGRAMME) & no_tutor)
    result = WaitingList(more=more, more_url=reverse("dashboards:overview"))
    for a in rows:
        result.items.append(
            Item(
                "unassigned",
                "No tutor assigned",
                _url("dashboards:apprenticeship-detail", a.pk),
                a.apprentice.full_name,
            )
        )
    overdue = review_schedule.review_flags(scope, today=today)["overdue"]
    if overdue:
        result.items.append(
            Item(
                "reviews_overdue",
                _plural(overdue, "apprentice has", "apprentices have")
                + " a progress review overdue",
                reverse("dashboards:overview") + "?review=overdue",
            )
        )
    admin_copies = Q()
    for kind in Report.Kind:
        audience = report_access.audience_for(frozenset({Role.ADMIN}), kind)
        if audience is not None:
            admin_copies |= Q(kind=kind, audience=audience)
    newer = Report.objects.filter(
        apprenticeship=OuterRef("apprenticeship"),
        kind=OuterRef("kind"),
        audience=OuterRef("audience"),
        requested_at__gt=OuterRef("requested_at"),
    )
    failed = (
        Report.objects.filter(admin_copies, apprenticeship__in=scope, status=Report.Status.FAILED)
        .exclude(Exists(newer))
        .select_related("apprenticeship__apprentice")
        .defer("html", "files")
        .order_by("-requested_at", "-pk")[:LIMIT]
    )
    for report in failed:
        result.items.append(
            Item(
                "report_failed",
                f"{report.get_kind_display()} could not be built",
                report.get_absolute_url(),
                report.apprenticeship.apprentice.full_name,
            )
        )
    return result


# -- the IQA lead ----------------------------------------------------------------------


def for_iqa_lead(user: User) -> WaitingList:
    """The IQA lead's plans with sampled decisions waiting for their verdict (leaving out
    those they may not judge). One query."""
    waiting_here = (
        iqa_access.items_to_judge(user)
        .filter(plan=OuterRef("pk"), verdict="")
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    plans = list(
        SamplingPlan.objects.filter(provider__in=iqa_access.led_providers(user))
        .annotate(w=Coalesce(Subquery(waiting_here, output_field=IntegerField()), Value(0)))
        .filter(w__gt=0)
        .order_by("created_at", "pk")[: LIMIT + 1]
    )
    result = WaitingList(more=len(plans) > LIMIT, more_url=reverse("quality:iqa-plan-list"))
    for plan in plans[:LIMIT]:
        result.items.append(
            Item(
                "iqa_to_judge",
                f"{plan.name}: "
                + _plural(plan.w, "sampled decision", "sampled decisions")
                + " waiting for your verdict",
                _url("quality:iqa-plan", plan.pk, "show=waiting"),
            )
        )
    return result
