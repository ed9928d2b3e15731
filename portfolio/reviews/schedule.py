"""When progress reviews are due, and the flags the caseload and overview show. Read-only.

A review is due one interval after the last review held (or after the start): the funding
rule for the start date (apprenticeship/funding_rules.py) unless a different interval was
agreed, with its reason, for this apprenticeship. The due date is worked out once, in SQL
(`with_review_status`, with date arithmetic that means the same on PostgreSQL and SQLite),
for lists and for one apprenticeship alike, from the `ReviewStanding` row the review
services keep (services/standing.py): one row per apprenticeship, so a list or a count
never reads the reviews themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import models
from django.db.models import (
    Count,
    F,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship
from config.db import DaysBetween, months_and_weeks_later
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
    waiting: int = 0  # held reviews waiting for signatures

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
    """The interval in force, the last review held, the next due date and how many held
    reviews wait for signatures. Three queries."""
    agreed = active_agreed_interval(apprenticeship)
    rule = funding_rules.progress_review_interval(apprenticeship.start_date)
    # The due date comes from the same expression the lists use, so a page and a list
    # never disagree (on either database engine).
    last_held_on, next_due, waiting = (
        with_review_status(Apprenticeship.objects.filter(pk=apprenticeship.pk))
        .values_list("last_review_held_on", "next_review_due", "reviews_waiting")
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
        waiting=waiting,
    )


def _standing(column: str) -> F:
    """A column of the apprenticeship row's `ReviewStanding` (empty when it has none)."""
    return F(f"review_standing__{column}")


class _NextReviewDue(Func):
    """The date the next review is due, for an apprenticeship in training (else NULL): one
    interval after the last review held, or after the start; the interval agreed for the
    apprenticeship if one is in force (both parts stored, one of them 0), else the funding
    rule's for its start date.

    One expression over five columns, with the rule's constants written into its SQL,
    rather than a tree of cases and coalesces: the caseload and its "Waiting for you" write
    the date out six times, and building and compiling that tree took 5-6% of the
    caseload's time."""

    output_field = models.DateField()

    def __init__(self) -> None:
        super().__init__(
            F("status"),
            F("start_date"),
            _standing("last_held_on"),
            _standing("agreed_months"),
            _standing("agreed_weeks"),
        )

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        if any(params for _, params in compiled):
            raise ValueError("The due date's columns compile to SQL without parameters.")
        status, start, last_held, months, weeks = (sql for sql, _ in compiled)
        before_2025 = f"({start}) < '{funding_rules.RULES_2025.isoformat()}'"
        later = months_and_weeks_later(
            connection.vendor,
            f"COALESCE({last_held}, {start})",
            f"COALESCE({months}, CASE WHEN {before_2025} THEN 0 "
            f"ELSE {int(funding_rules.REVIEW_MONTHS_FROM_2025)} END)",
            f"COALESCE({weeks}, CASE WHEN {before_2025} "
            f"THEN {int(funding_rules.REVIEW_WEEKS_BEFORE_2025)} ELSE 0 END)",
        )
        in_training = Apprenticeship.Status.ON_PROGRAMME.value
        if not in_training.isidentifier():
            raise ValueError("A status written into SQL is a plain word.")
        return f"CASE WHEN ({status}) = '{in_training}' THEN {later} ELSE NULL END", []


class ReviewStatus(TypedDict):
    """The annotations `with_review_status` adds, so the type checker knows the rows have
    them. Read-only: rows are only read, and the checker works out some of them as
    narrower types (a date that is never None), which read-only keys accept."""

    last_review_held_on: ReadOnly[dt.date | None]
    next_review_due: ReadOnly[dt.date | None]
    next_review_planned: ReadOnly[dt.date | None]
    reviews_waiting: ReadOnly[int]


def with_next_review_due(queryset: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """Annotate only `next_review_due` (None once it has left training), for a list that
    needs nothing else of `with_review_status`, which builds on this."""
    return queryset.annotate(next_review_due=_NextReviewDue())


def needs_review(today: dt.date) -> Q:
    """A review overdue, or due within DUE_SOON_DAYS with none planned: what the tutor is
    asked to see to. Needs `next_review_due` (`with_next_review_due`). The same as
    `review_due_state` "overdue", or "due_soon" with no `next_review_planned`: a review
    due before today is overdue whether or not one is planned."""
    return overdue(today) | (due_by(today) & Q(review_standing__next_planned__isnull=True))


def overdue(today: dt.date) -> Q:
    """A review due before `today`: `review_due_state`'s "overdue" as a filter. Needs
    `next_review_due` (`with_next_review_due`)."""
    return Q(next_review_due__lt=today)


def due_by(today: dt.date) -> Q:
    """A review overdue or due within DUE_SOON_DAYS: `review_due_state`'s "overdue" or
    "due_soon" as a filter. Needs `next_review_due` (`with_next_review_due`)."""
    return Q(next_review_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def with_review_status(
    queryset: QuerySet[Apprenticeship],
) -> QuerySet[WithAnnotations[Apprenticeship, ReviewStatus]]:
    """Annotate each apprenticeship, in the same query, with:

    - `last_review_held_on`: when the last review was held, if one has been,
    - `next_review_due`: the date the next review is due (None once it has left training),
    - `next_review_planned`: the earliest planned review's date, if any,
    - `reviews_waiting`: how many held reviews are waiting for signatures.

    This is the one place the due date is worked out: `review_schedule` reads it from here
    for a single apprenticeship, so lists and pages agree on every engine. Whether it is
    overdue or due soon is `review_due_state(next_review_due)` on a row, and `overdue` or
    `due_by` in a filter: comparing a date the row already has costs the query nothing.
    """
    annotated = with_next_review_due(queryset).annotate(
        last_review_held_on=_standing("last_held_on"),
        next_review_planned=_standing("next_planned"),
        reviews_waiting=Coalesce(_standing("awaiting_signatures"), 0),
    )
    return cast("QuerySet[WithAnnotations[Apprenticeship, ReviewStatus]]", annotated)


REVIEW_FLAGS = {
    "overdue": "Review overdue",
    "unsigned": "Waiting for signatures",
    "late": f"Signed more than {LATE_SIGNATURE_DAYS} days after the review",
}


def signed_late_condition() -> Q:
    """Reviews signed by everyone more than LATE_SIGNATURE_DAYS after they were held."""
    days_to_sign = DaysBetween(TruncDate("signed_at"), F("current_version__held_on"))
    return Q(status=Review.Status.SIGNED) & Q(GreaterThan(days_to_sign, Value(LATE_SIGNATURE_DAYS)))


def review_flags(
    scope: QuerySet[Apprenticeship], *, today: dt.date | None = None
) -> dict[str, int]:
    """How many apprenticeships in `scope` have a review overdue, one waiting for
    signatures, or one signed more than LATE_SIGNATURE_DAYS after it took place. One query
    over the apprenticeships and their review standing (one row each): no review is read,
    so it costs the same however many reviews there are. The due date is the one
    `with_review_status` works out, so the flags agree with every list."""
    today = today or timezone.localdate()
    counts = with_next_review_due(scope).aggregate(
        overdue=Count("pk", filter=overdue(today)),
        unsigned=Count("pk", filter=Q(review_standing__awaiting_signatures__gt=0)),
        late=Count("pk", filter=Q(review_standing__signed_late=True)),
    )
    return {**counts, "late_days": LATE_SIGNATURE_DAYS}


def filter_by_review_flag(
    scope: QuerySet[Apprenticeship], flag: str, *, today: dt.date | None = None
) -> tuple[QuerySet[Apprenticeship], str]:
    """Only the apprenticeships with `flag` (a key of REVIEW_FLAGS); an unknown flag
    filters nothing. Returns the queryset and the flag applied ("" for none)."""
    if flag == "overdue":
        return with_next_review_due(scope).filter(overdue(today or timezone.localdate())), flag
    if flag == "unsigned":
        return scope.filter(review_standing__awaiting_signatures__gt=0), flag
    if flag == "late":
        return scope.filter(review_standing__signed_late=True), flag
    return scope, ""


def signed_late(review: Review) -> bool:
    """Whether everyone signed more than LATE_SIGNATURE_DAYS after the review took place."""
    if review.status != Review.Status.SIGNED or review.signed_at is None:
        return False
    days = (timezone.localdate(review.signed_at) - review.recorded_version().held_on).days
    return days > LATE_SIGNATURE_DAYS


def reviews_summary(apprenticeship: Apprenticeship, *, today: dt.date | None = None) -> dict:
    """What the apprenticeship page shows about reviews, in a fixed number of queries."""
    schedule = review_schedule(apprenticeship, today=today)
    return {
        "schedule": schedule,
        "latest": Review.objects.held()
        .filter(apprenticeship=apprenticeship)
        .select_related("current_version")
        .order_by("-current_version__held_on", "-pk")
        .first(),
        "waiting": schedule.waiting,
    }
