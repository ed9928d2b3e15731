"""What is waiting for each person: the "Waiting for you" list on every role's home.

Each list is worked out from the same rules as the pages where the thing is done (the
evidence statuses, the off-the-job log, the review schedule and signatures, the gateway
declarations, the assessment list), as annotations on the person's apprenticeships: a
fixed number of queries however big the caseload. An item links to where it is done and
is gone once it is.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Membership, Role
from config.db import count_of
from epa.models import GatewayDeclaration
from epa.selectors import lists as epa_lists
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.models import Evidence, TestimonyRequest, WitnessTestimony
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


@dataclass(frozen=True)
class Rule:
    """One kind of thing that waits: what counts on each apprenticeship (the rows waiting,
    filtered on the outer apprenticeship; a column of a standing row that keeps their
    count; or a condition that is one thing when true), how it reads and where it is done.
    `others`: it waits for someone else (listed apart)."""

    kind: str
    counts: QuerySet | F | Q
    label: Callable[[dict[str, Any], int], str]
    url_name: str
    query: str = ""
    others: bool = False
    # False: the page is the person's own list (url_name takes no apprenticeship).
    for_apprenticeship: bool = True


def _counted(one: str, many: str, words: str) -> Callable[[dict[str, Any], int], str]:
    return lambda row, n: _plural(n, one, many) + words


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _counted_by(rule: Rule) -> Any:
    if isinstance(rule.counts, Q):
        return _flag(rule.counts)
    if isinstance(rule.counts, F):
        return Coalesce(rule.counts, 0)
    return count_of(rule.counts)


def _listed(
    scope: QuerySet[Apprenticeship],
    rules: list[Rule],
    more_url: str,
    label_columns: tuple[str, ...] = (),
) -> WaitingList:
    """The apprenticeships in `scope` where any rule counts something, each rule's item in
    order, in one query. The rows are picked by whether anything waits (EXISTS, which stops
    at the first row, for each apprenticeship in scope, or a count a standing row keeps);
    the counts are worked out only for the rows shown. A rule's label reads the row's
    columns `label_columns`."""
    fields = {f"w{i}": rule for i, rule in enumerate(rules)}
    annotated = scope.annotate(**{name: _counted_by(rule) for name, rule in fields.items()})
    waiting = Q()
    for name, rule in fields.items():
        if isinstance(rule.counts, Q):
            waiting |= rule.counts
        elif isinstance(rule.counts, F):
            waiting |= Q(**{f"{name}__gt": 0})
        else:
            waiting |= Q(Exists(rule.counts))
    # Only the columns the items read, as values: no model to build for each row.
    rows = list(
        annotated.filter(waiting)
        .order_by("apprentice__full_name", "pk")
        .values("pk", "apprentice__full_name", *label_columns, *fields)[: LIMIT + 1]
    )
    result = WaitingList(more=len(rows) > LIMIT, more_url=more_url)
    for row in rows[:LIMIT]:
        for name, rule in fields.items():
            n = row[name]
            if n:
                item = Item(
                    rule.kind,
                    rule.label(row, n),
                    _url(rule.url_name, row["pk"], rule.query)
                    if rule.for_apprenticeship
                    else reverse(rule.url_name),
                    row["apprentice__full_name"],
                )
                (result.others if rule.others else result.items).append(item)
    return result


def _otj_rule() -> Rule:
    return Rule(
        "otj_to_verify",
        # Kept by the log services (`OtjStanding`).
        F("otj_standing__pending"),
        _counted("off-the-job entry", "off-the-job entries", " to verify"),
        "portfolio:otj-log",
        "status=waiting",
    )


def _sign_rule(reviews: QuerySet[Review]) -> Rule:
    return Rule(
        "review_to_sign",
        reviews,
        _counted("progress review", "progress reviews", " for you to sign"),
        "portfolio:review-list",
    )


def _testimony_requests() -> QuerySet[TestimonyRequest]:
    return TestimonyRequest.objects.open().filter(apprenticeship=OuterRef("pk"))


# -- the apprentice --------------------------------------------------------------------


def for_apprentice(scope: QuerySet[Apprenticeship]) -> WaitingList:
    """The apprentice's own apprenticeships (`scope`): evidence referred back, reviews to
    sign, training rejected and testimonies not yet used in any evidence; apart, reviews
    they signed that wait for others and testimonies asked for and not yet written. One
    query."""
    rules = [
        Rule(
            "evidence_referred",
            Evidence.objects.filter(apprenticeship=OuterRef("pk"), status=Evidence.Status.REFERRED),
            _counted("piece of evidence", "pieces of evidence", " referred back to you"),
            "portfolio:evidence-list",
            "status=referred",
        ),
        _sign_rule(_awaiting(ReviewParty.APPRENTICE, signed=False)),
        Rule(
            "otj_rejected",
            OtjEntry.objects.current().filter(
                apprenticeship=OuterRef("pk"), status=OtjEntry.Status.REJECTED
            ),
            _counted("off-the-job entry", "off-the-job entries", " not accepted: read why"),
            "portfolio:otj-log",
            "status=rejected",
        ),
        Rule(
            "testimony_received",
            WitnessTestimony.objects.filter(apprenticeship=OuterRef("pk"), evidence__isnull=True),
            _counted(
                "witness testimony",
                "witness testimonies",
                " you have not added to any evidence yet",
            ),
            "portfolio:testimony-list",
        ),
        Rule(
            "review_waiting_for_others",
            _awaiting(ReviewParty.APPRENTICE, signed=True),
            _counted(
                "progress review", "progress reviews", " you signed, waiting for the others to sign"
            ),
            "portfolio:review-list",
            others=True,
        ),
        Rule(
            "testimony_requested",
            _testimony_requests(),
            _counted("witness testimony", "witness testimonies", " asked for, not written yet"),
            "portfolio:testimony-list",
            others=True,
        ),
    ]
    return _listed(scope, rules, reverse("dashboards:my-apprenticeships"))


# -- the tutor -------------------------------------------------------------------------


def for_tutor(user: User, *, today: dt.date | None = None) -> WaitingList:
    """The tutor's caseload: evidence to review, training to verify, reviews due (by the
    caseload's own review schedule) or waiting for the tutor's signature, and gateways
    where everything else holds and the provider's confirmation is what is left; apart,
    testimonies the tutor asked for that are not written yet. One query."""
    today = today or timezone.localdate()
    # Only the due date: the rest of the review status is not read here, and every column
    # of a list this wide costs building and planning.
    scope = review_schedule.with_next_review_due(access.apprenticeships_as(user, Role.TUTOR))
    rules = [
        Rule(
            "evidence_to_review",
            # Kept by the evidence services (`EvidenceStanding`).
            F("evidence_standing__waiting"),
            _counted("piece of evidence", "pieces of evidence", " to review"),
            "portfolio:evidence-list",
            "status=submitted",
        ),
        _otj_rule(),
        Rule(
            "review_due",
            review_schedule.needs_review(today),
            lambda row, n: (
                f"Progress review {'overdue' if row['next_review_due'] < today else 'due'}: "
                f"due by {row['next_review_due']:%-d %B %Y}"
            ),
            "portfolio:review-list",
        ),
        _sign_rule(_awaiting(ReviewParty.TUTOR, signed=False)),
        # Decisions an IQA lead judged and asked a tutor of this apprenticeship to follow up.
        Rule(
            "iqa_follow_up",
            IqaItem.objects.filter(apprenticeship=OuterRef("pk")).follow_up_open(),
            _counted("quality assurance verdict", "quality assurance verdicts", " to follow up"),
            "quality:iqa-follow-ups",
            for_apprenticeship=False,
        ),
        Rule(
            "gateway_provider",
            Q(status=Apprenticeship.Status.ON_PROGRAMME)
            & _declared(GatewayDeclaration.Party.EMPLOYER)
            & ~_declared(GatewayDeclaration.Party.PROVIDER),
            lambda row, n: (
                "Gateway: the employer has confirmed; the provider's confirmation is next"
            ),
            "epa:gateway",
        ),
        Rule(
            "testimony_requested",
            _testimony_requests().filter(requested_by=user),
            _counted("witness testimony", "witness testimonies", " you asked for, not written yet"),
            "portfolio:testimony-list",
            others=True,
        ),
    ]
    return _listed(scope, rules, reverse("dashboards:caseload"), ("next_review_due",))


# -- the employer ----------------------------------------------------------------------


def for_employer(user: User) -> WaitingList:
    """The employer contact's apprentices: reviews naming them as the employer's
    signatory, training to verify, testimonies asked of them, and the employer's gateway
    confirmation once every duty is signed off. One query."""
    # Only the duty columns its gateway rule reads: a join it does not read costs planning.
    scope = evidence_selectors.annotate_duties(access.apprenticeships_as(user, Role.EMPLOYER))
    rules = [
        _sign_rule(
            _awaiting(ReviewParty.EMPLOYER, signed=False).filter(
                current_version__employer_signatory=user
            )
        ),
        _otj_rule(),
        Rule(
            "testimony_asked",
            _testimony_requests().filter(witness=user),
            _counted("witness testimony", "witness testimonies", " asked of you"),
            "portfolio:testimony-list",
        ),
        Rule(
            "gateway_employer",
            Q(status=Apprenticeship.Status.ON_PROGRAMME)
            & Q(duties_total__gt=0, duties_signed_off__gte=F("duties_total"))
            & ~_declared(GatewayDeclaration.Party.EMPLOYER),
            lambda row, n: (
                "Every duty is signed off: confirm for the employer that they are "
                "ready for end-point assessment"
            ),
            "epa:gateway",
        ),
    ]
    return _listed(scope, rules, reverse("dashboards:employer-home"))


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


def for_admin(
    user: User,
    *,
    today: dt.date | None = None,
    scope: QuerySet[Apprenticeship] | None = None,
    overdue: int | None = None,
) -> WaitingList:
    """The provider admin's enrolments: those in training with no tutor, how many have a
    progress review overdue, and reports that could not be built and have not been asked
    for again since. Three queries. The overview passes what it has already: its `scope`
    (the same as `apprenticeships_as(user, Role.ADMIN)`) and its `overdue` count, rather
    than have it counted twice (two queries)."""
    if scope is None:
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
    if overdue is None:
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
    those they may not judge). One query: which plans have any is asked of the first such
    decision of each plan, and only the plans listed count theirs, from the index that
    lists a sample (`iqa_item_plan_list`, which carries who decided and on what)."""
    waiting_here = iqa_access.items_to_judge(user).filter(plan=OuterRef("pk"), verdict="")
    plans = list(
        SamplingPlan.objects.filter(provider__in=iqa_access.led_providers(user))
        .filter(Exists(waiting_here))
        .annotate(w=count_of(waiting_here))
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
