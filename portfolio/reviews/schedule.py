"""When progress reviews are due, and the flags the caseload and overview show. Read-only.

A review is due one interval after the last review held (or after the start): the funding
rule for the start date (apprenticeship/funding_rules.py) unless a different interval was
agreed, with its reason, for this apprenticeship. The due date is worked out once, in SQL
(`with_review_status`, with date arithmetic that means the same on PostgreSQL and SQLite),
for lists and for one apprenticeship alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship
from config.db import AddMonthsAndWeeks, DaysBetween
from portfolio.reviews.models import AgreedReviewInterval, Review

# Only the type checker reads these (the annotations below are never evaluated), so the
# running site does not need django-stubs-ext.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
    from typing_extensions import ReadOnly

# A review due within this many days is "due soon": the caseload says so and the tutor
# gets one reminder.
DUE_SOON_DAYS = 14


# A review signed by everyone more than this many days after it took place is flagged on
# the provider overview: a record signed long afterwards is weaker evidence.
LATE_SIGNATURE_DAYS = 14


@dataclass(frozen=True)
class ReviewSchedule:
    """When the next review is due for one apprenticeship, and why."""

    rule: funding_rules.ReviewInterval
    agreed: AgreedReviewInterval | None
    last_held_on: dt.date | None
    next_due: dt.date | None  # None once the apprenticeship has left training
    state: str  # "overdue", "due_soon", "not_due" or "not_needed"
    planned: Review | None

    @property
    def interval(self) -> funding_rules.ReviewInterval:
        return self.agreed.interval if self.agreed else self.rule

    @property
    def longer_than_rule(self) -> bool:
        return self.interval.longer_than(self.rule)

    @property
    def employer_agreement_missing(self) -> bool:
        """A longer interval than the rule's whose employer agreement was not recorded (one
        agreed before it had to be)."""
        return (
            self.agreed is not None
            and self.longer_than_rule
            and self.agreed.employer_agreed_by_id is None
        )


def review_due_state(due_on: dt.date | None, *, today: dt.date | None = None) -> str:
    """ "overdue" after the due date, "due_soon" within DUE_SOON_DAYS of it, else
    "not_due"; "not_needed" when there is no due date (after gateway)."""
    if due_on is None:
        return "not_needed"
    today = today or timezone.localdate()
    if due_on < today:
        return "overdue"
    if due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "not_due"


def active_agreed_interval(apprenticeship: Apprenticeship) -> AgreedReviewInterval | None:
    return (
        AgreedReviewInterval.objects.filter(apprenticeship=apprenticeship, ended_at__isnull=True)
        .select_related("agreed_by", "employer_agreed_by")
        .first()
    )


def review_schedule(
    apprenticeship: Apprenticeship, *, today: dt.date | None = None
) -> ReviewSchedule:
    """The interval in force, the last review held and the next due date. Three queries."""
    agreed = active_agreed_interval(apprenticeship)
    rule = funding_rules.progress_review_interval(apprenticeship.start_date)
    # The due date comes from the same expression the lists use, so a page and a list
    # never disagree (on either database engine).
    last_held_on, next_due = (
        with_review_status(Apprenticeship.objects.filter(pk=apprenticeship.pk), today=today)
        .values_list("last_review_held_on", "next_review_due")
        .get()
    )
    planned = (
        Review.objects.filter(apprenticeship=apprenticeship, status=Review.Status.SCHEDULED)
        .order_by("scheduled_for", "pk")
        .first()
    )
    return ReviewSchedule(
        rule=rule,
        agreed=agreed,
        last_held_on=last_held_on,
        next_due=next_due,
        state=review_due_state(next_due, today=today),
        planned=planned,
    )


def _interval_parts() -> tuple[Coalesce, Coalesce]:
    """(months, weeks) of the interval in force for the outer apprenticeship row."""
    agreed = AgreedReviewInterval.objects.filter(
        apprenticeship=OuterRef("pk"), ended_at__isnull=True
    )
    before_2025 = Q(start_date__lt=funding_rules.RULES_2025)
    integer = models.IntegerField()

    def agreed_part(unit: str) -> Subquery:
        value = Case(When(unit=unit, then=F("every")), default=Value(0), output_field=integer)
        return Subquery(agreed.annotate(part=value).values("part")[:1], output_field=integer)

    months = Coalesce(
        agreed_part(AgreedReviewInterval.Unit.MONTHS),
        Case(
            When(before_2025, then=Value(0)),
            default=Value(funding_rules.REVIEW_MONTHS_FROM_2025),
            output_field=integer,
        ),
        output_field=integer,
    )
    weeks = Coalesce(
        agreed_part(AgreedReviewInterval.Unit.WEEKS),
        Case(
            When(before_2025, then=Value(funding_rules.REVIEW_WEEKS_BEFORE_2025)),
            default=Value(0),
            output_field=integer,
        ),
        output_field=integer,
    )
    return months, weeks


class ReviewStatus(TypedDict):
    """The annotations `with_review_status` adds, so the type checker knows the rows have
    them. Read-only: rows are only read, and the checker works out some of them as
    narrower types (a date that is never None), which read-only keys accept."""

    last_review_held_on: ReadOnly[dt.date | None]
    next_review_due: ReadOnly[dt.date | None]
    next_review_planned: ReadOnly[dt.date | None]
    reviews_waiting: ReadOnly[int]
    review_overdue: ReadOnly[bool]
    review_due_soon: ReadOnly[bool]


def with_review_status(
    queryset: QuerySet[Apprenticeship], *, today: dt.date | None = None
) -> QuerySet[WithAnnotations[Apprenticeship, ReviewStatus]]:
    """Annotate each apprenticeship, in the same query, with:

    - `last_review_held_on`: when the last review was held, if one has been,
    - `next_review_due`: the date the next review is due (None once it has left training),
    - `review_overdue` and `review_due_soon`: booleans against `today`,
    - `next_review_planned`: the earliest planned review's date, if any,
    - `reviews_waiting`: how many held reviews are waiting for signatures.

    This is the one place the due date is worked out: `review_schedule` reads it from here
    for a single apprenticeship, so lists and pages agree on every engine.
    """
    today = today or timezone.localdate()
    held = Review.objects.filter(apprenticeship=OuterRef("pk"), status__in=Review.HELD)
    last_held = Subquery(
        held.order_by("-current_version__held_on").values("current_version__held_on")[:1],
        output_field=models.DateField(),
    )
    months, weeks = _interval_parts()
    next_due = AddMonthsAndWeeks(Coalesce(last_held, F("start_date")), months, weeks)
    waiting = (
        Review.objects.filter(
            apprenticeship=OuterRef("pk"), status=Review.Status.AWAITING_SIGNATURES
        )
        .order_by()
        .values("apprenticeship")
        .annotate(n=Count("pk"))
        .values("n")
    )
    planned = (
        Review.objects.filter(apprenticeship=OuterRef("pk"), status=Review.Status.SCHEDULED)
        .order_by("scheduled_for")
        .values("scheduled_for")[:1]
    )
    return queryset.annotate(
        last_review_held_on=last_held,
        next_review_due=Case(
            When(status=Apprenticeship.Status.ON_PROGRAMME, then=next_due),
            default=None,
            output_field=models.DateField(),
        ),
        next_review_planned=Subquery(planned, output_field=models.DateField()),
        reviews_waiting=Coalesce(Subquery(waiting, output_field=models.IntegerField()), 0),
    ).annotate(
        review_overdue=Case(
            When(next_review_due__lt=today, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        ),
        review_due_soon=Case(
            When(
                next_review_due__gte=today,
                next_review_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
                then=Value(True),
            ),
            default=Value(False),
            output_field=models.BooleanField(),
        ),
    )


REVIEW_FLAGS = {
    "overdue": "Review overdue",
    "unsigned": "Waiting for signatures",
    "late": f"Signed more than {LATE_SIGNATURE_DAYS} days after the review",
}


def _signed_late() -> Q:
    days_to_sign = DaysBetween(TruncDate("signed_at"), F("current_version__held_on"))
    return Q(status=Review.Status.SIGNED) & Q(GreaterThan(days_to_sign, Value(LATE_SIGNATURE_DAYS)))


def _flag_annotations() -> dict[str, Exists]:
    own = Review.objects.filter(apprenticeship=OuterRef("pk"))
    return {
        "has_unsigned_review": Exists(own.filter(status=Review.Status.AWAITING_SIGNATURES)),
        "has_late_review": Exists(own.filter(_signed_late())),
    }


def review_flags(
    scope: QuerySet[Apprenticeship], *, today: dt.date | None = None
) -> dict[str, int]:
    """How many apprenticeships in `scope` have a review overdue, one waiting for
    signatures, or one signed more than LATE_SIGNATURE_DAYS after it took place. One query,
    set-based: the reviews and agreed intervals of every apprenticeship in scope are joined
    and grouped once (no subquery run per apprenticeship), then counted. The due date is
    the same arithmetic as `with_review_status`, so the flags agree with every list."""
    today = today or timezone.localdate()
    integer = models.IntegerField()
    before_2025 = Q(start_date__lt=funding_rules.RULES_2025)
    active = Q(agreed_review_intervals__ended_at__isnull=True)

    def agreed(unit: str) -> Max:
        return Max(
            "agreed_review_intervals__every",
            filter=active & Q(agreed_review_intervals__unit=unit),
        )

    days_to_sign = DaysBetween(
        TruncDate("reviews__signed_at"), F("reviews__current_version__held_on")
    )
    per_apprenticeship = Apprenticeship.objects.filter(pk__in=scope.values("pk")).annotate(
        flag_last_held=Max(
            "reviews__current_version__held_on", filter=Q(reviews__status__in=Review.HELD)
        ),
        flag_unsigned=Count("reviews", filter=Q(reviews__status=Review.Status.AWAITING_SIGNATURES)),
        flag_late=Count(
            "reviews",
            filter=Q(reviews__status=Review.Status.SIGNED)
            & Q(GreaterThan(days_to_sign, Value(LATE_SIGNATURE_DAYS))),
        ),
        flag_months=agreed(AgreedReviewInterval.Unit.MONTHS),
        flag_weeks=agreed(AgreedReviewInterval.Unit.WEEKS),
        flag_has_agreed=Count("agreed_review_intervals", filter=active),
    )
    # An agreed interval in force sets both parts (the other one is 0), as in
    # `_interval_parts`; without one, the funding rules' interval for the start date.
    months = Case(
        When(flag_has_agreed__gt=0, then=Coalesce(F("flag_months"), Value(0))),
        When(before_2025, then=Value(0)),
        default=Value(funding_rules.REVIEW_MONTHS_FROM_2025),
        output_field=integer,
    )
    weeks = Case(
        When(flag_has_agreed__gt=0, then=Coalesce(F("flag_weeks"), Value(0))),
        When(before_2025, then=Value(funding_rules.REVIEW_WEEKS_BEFORE_2025)),
        default=Value(0),
        output_field=integer,
    )
    next_due = AddMonthsAndWeeks(Coalesce(F("flag_last_held"), F("start_date")), months, weeks)
    counts = per_apprenticeship.annotate(
        flag_overdue=Case(
            When(
                Q(status=Apprenticeship.Status.ON_PROGRAMME) & Q(LessThan(next_due, Value(today))),
                then=Value(1),
            ),
            default=Value(0),
            output_field=integer,
        )
    ).aggregate(
        overdue=Coalesce(Sum("flag_overdue"), 0),
        unsigned=Count("pk", filter=Q(flag_unsigned__gt=0)),
        late=Count("pk", filter=Q(flag_late__gt=0)),
    )
    return {**counts, "late_days": LATE_SIGNATURE_DAYS}


def filter_by_review_flag(
    scope: QuerySet[Apprenticeship], flag: str, *, today: dt.date | None = None
) -> tuple[QuerySet[Apprenticeship], str]:
    """Only the apprenticeships with `flag` (a key of REVIEW_FLAGS); an unknown flag
    filters nothing. Returns the queryset and the flag applied ("" for none)."""
    if flag == "overdue":
        return with_review_status(scope, today=today).filter(review_overdue=True), flag
    if flag == "unsigned":
        return scope.filter(_flag_annotations()["has_unsigned_review"]), flag
    if flag == "late":
        return scope.filter(_flag_annotations()["has_late_review"]), flag
    return scope, ""


def signed_late(review: Review) -> bool:
    """Whether everyone signed more than LATE_SIGNATURE_DAYS after the review took place."""
    if review.status != Review.Status.SIGNED or review.signed_at is None:
        return False
    days = (timezone.localdate(review.signed_at) - review.recorded_version().held_on).days
    return days > LATE_SIGNATURE_DAYS


def reviews_summary(apprenticeship: Apprenticeship, *, today: dt.date | None = None) -> dict:
    """What the apprenticeship page shows about reviews, in a fixed number of queries."""
    return {
        "schedule": review_schedule(apprenticeship, today=today),
        "latest": Review.objects.held()
        .filter(apprenticeship=apprenticeship)
        .select_related("current_version")
        .order_by("-current_version__held_on", "-pk")
        .first(),
        "waiting": Review.objects.filter(
            apprenticeship=apprenticeship, status=Review.Status.AWAITING_SIGNATURES
        ).count(),
    }
