"""Off-the-job training: the figures every other area reads, and what the changes share.

`otj_summary` is the one place the figures come from (the apprenticeship page, progress
reviews, the gateway checklist and the PDF report all call it); `annotate_otj_progress`
gives the same "behind" judgement as a database annotation for lists; the CSV rows are
here too. The changes live in `otj_log` (entries and their verification) and
`otj_planning` (the training plan and breaks in learning).

Race safety: every change that must see the apprenticeship's other entries or breaks (the
24-hours-a-day limit, no training during a break, no break over logged training) first
locks the apprenticeship row with `lock_apprenticeship`, so two saves at once are checked
one after the other. Decisions lock the entry row, so two verifiers at once give exactly
one decision.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, BreakInLearning, Role
from portfolio import otj_plan
from portfolio.models import NOT_COUNTED_ACTIVITIES, OtjAllocation, OtjEntry, OtjPlan
from portfolio.otj_plan import Figures, Pace
from standards.models import Duty, Provenance, StandardVersion


class OtjError(Exception):
    """An off-the-job change the rules do not allow; the message says why, plainly."""


def format_minutes(minutes: int | None) -> str:
    """'12 hours 30 minutes', '45 minutes', '0 hours'."""
    if minutes is None:
        return "not known"
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours or not rest:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def day_text(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def log_is_closed(
    apprenticeship: Apprenticeship, what: str = "the off-the-job log is closed"
) -> str:
    """Why nothing more can be logged ('' while the log is open)."""
    if apprenticeship.is_post_gateway:
        return f"This apprenticeship has passed gateway: {what}."
    if apprenticeship.status == Apprenticeship.Status.WITHDRAWN:
        return f"This apprenticeship has been withdrawn: {what}."
    return ""


BREAKS_CLOSED = "breaks in learning can no longer change"


def lock_apprenticeship(apprenticeship: Apprenticeship) -> Apprenticeship:
    """The apprenticeship row, locked until the transaction ends. Every off-the-job change
    that checks other entries or breaks takes this lock first (and only then any entry's),
    so concurrent saves are checked one after the other and never deadlock."""
    return (
        Apprenticeship.objects.select_for_update(of=("self",))
        .select_related("standard_version")
        .get(pk=apprenticeship.pk)
    )


def break_spans(apprenticeship_id: int, *, excluding: int | None = None) -> list:
    """(first day, last day or None) of each active break, oldest first."""
    breaks = BreakInLearning.objects.filter(apprenticeship_id=apprenticeship_id)
    if excluding is not None:
        breaks = breaks.exclude(pk=excluding)
    return breaks.spans()


def plan_row(apprenticeship: Apprenticeship) -> OtjPlan | None:
    return OtjPlan.objects.filter(apprenticeship=apprenticeship).first()


def requirement_for(
    apprenticeship: Apprenticeship, plan: OtjPlan | None
) -> funding_rules.OtjRequirement:
    """The national rule's total for this enrolment, before prior learning."""
    return funding_rules.required_otj(
        start_date=apprenticeship.start_date,
        planned_end_date=apprenticeship.planned_end_date,
        weekly_hours=apprenticeship.contracted_weekly_hours,
        leave_weeks_per_year=(
            plan.leave_weeks_per_year if plan else funding_rules.STATUTORY_LEAVE_WEEKS
        ),
        standard_minimum_hours=apprenticeship.standard_version.otj_minimum_hours,
    )


# -- the figures -----------------------------------------------------------------------


class SplitSource:
    CUSTOM = "custom"  # the tutor's own split
    STANDARD = "standard"  # the standard's default weights (Duty.otj_weight)
    EQUAL = "equal"  # no weights loaded: shared equally


@dataclass(frozen=True)
class DutyLine:
    duty_id: int
    number: int
    code: str
    text: str
    figures: Figures


@dataclass(frozen=True)
class OtjSummary:
    """Off-the-job figures for one apprenticeship, in minutes, as of `today`."""

    apprenticeship_id: int
    today: dt.date
    requirement: funding_rules.OtjRequirement  # the national rule, before prior learning
    leave_weeks_per_year: Decimal
    prior_learning_minutes: int
    prior_learning_reason: str
    total: Figures
    duties: list[DutyLine]
    not_counted_minutes: int  # English and maths study, logged but never counted
    rejected_minutes: int
    split_source: str
    split_provenance: str  # of the standard's default weights
    split_note: str
    split_needs_review: bool  # the tutor's split no longer adds up to the total
    breaks: list[BreakInLearning]
    current_break: tuple[dt.date, dt.date | None] | None
    planned_end: dt.date
    planned_end_with_breaks: dt.date
    closed: bool
    standard_version: StandardVersion

    @property
    def required_known(self) -> bool:
        return self.total.required is not None

    @property
    def is_behind(self) -> bool:
        return self.total.state == Pace.BEHIND

    @property
    def verified_complete(self) -> bool:
        """The required total is known and verified training reaches it (for gateway)."""
        return self.total.required is not None and self.total.verified >= self.total.required

    @property
    def verified_share(self) -> int:
        """Whole per cent of the required total verified so far (capped at 100)."""
        if not self.total.required:
            return 0
        return min(100, 100 * self.total.verified // self.total.required)

    @property
    def finishes_late(self) -> bool:
        finish = self.total.projection.finish
        return finish is not None and finish > self.planned_end_with_breaks


def otj_summary(apprenticeship: Apprenticeship, today: dt.date | None = None) -> OtjSummary:
    """Per duty and in total: required, logged, verified, expected by today, projected
    finish and on-track state. Totals are database aggregates; the query count is the same
    however many entries there are (five, with the standard version already loaded)."""
    today = today or timezone.localdate()
    standard = apprenticeship.standard_version
    duties = list(Duty.objects.filter(standard_version_id=standard.pk).order_by("number"))
    counted = ~Q(status=OtjEntry.Status.REJECTED) & ~Q(activity_type__in=NOT_COUNTED_ACTIVITIES)
    rows = (
        OtjEntry.objects.current()
        .filter(apprenticeship_id=apprenticeship.pk)
        .order_by()
        .values("duty_id")
        .annotate(
            logged=Sum("minutes", filter=counted),
            verified=Sum("minutes", filter=counted & Q(status=OtjEntry.Status.VERIFIED)),
            not_counted=Sum(
                "minutes",
                filter=Q(activity_type__in=NOT_COUNTED_ACTIVITIES)
                & ~Q(status=OtjEntry.Status.REJECTED),
            ),
            rejected=Sum("minutes", filter=Q(status=OtjEntry.Status.REJECTED)),
        )
    )
    by_duty = {row["duty_id"]: row for row in rows}
    plan = plan_row(apprenticeship)
    allocations = {
        a.duty_id: a.minutes
        for a in OtjAllocation.objects.filter(plan__apprenticeship=apprenticeship)
    }
    breaks = list(BreakInLearning.objects.filter(apprenticeship_id=apprenticeship.pk).active())
    spans = tuple(b.span for b in breaks)

    requirement = requirement_for(apprenticeship, plan)
    prior = plan.prior_learning_minutes if plan else 0
    required = otj_plan.required_after_prior_learning(requirement.minutes, prior)
    closed = bool(log_is_closed(apprenticeship))

    if plan is not None and plan.has_custom_split:
        source = SplitSource.CUSTOM
        weights = [allocations.get(d.pk, 0) for d in duties]
        needs_review = required is not None and sum(weights) != required
    elif any(d.otj_weight for d in duties):
        source, weights, needs_review = SplitSource.STANDARD, [d.otj_weight for d in duties], False
    else:
        source, weights, needs_review = SplitSource.EQUAL, [1] * len(duties), False
    first = duties[0] if duties else None

    inputs = otj_plan.PlanInputs(
        required=required,
        start=apprenticeship.start_date,
        planned_end=apprenticeship.planned_end_date,
        today=today,
        spans=spans,
        closed=closed,
    )
    total, lines = otj_plan.figures(
        inputs,
        weights=weights,
        logged=[by_duty.get(d.pk, {}).get("logged") or 0 for d in duties],
        verified=[by_duty.get(d.pk, {}).get("verified") or 0 for d in duties],
    )
    return OtjSummary(
        apprenticeship_id=apprenticeship.pk,
        today=today,
        requirement=requirement,
        leave_weeks_per_year=(
            plan.leave_weeks_per_year if plan else funding_rules.STATUTORY_LEAVE_WEEKS
        ),
        prior_learning_minutes=prior,
        prior_learning_reason=plan.prior_learning_reason if plan else "",
        total=total,
        duties=[
            DutyLine(duty_id=d.pk, number=d.number, code=d.code, text=d.text, figures=line)
            for d, line in zip(duties, lines, strict=True)
        ],
        not_counted_minutes=sum(row["not_counted"] or 0 for row in by_duty.values()),
        rejected_minutes=sum(row["rejected"] or 0 for row in by_duty.values()),
        split_source=source,
        split_provenance=first.otj_weight_provenance if first else Provenance.NOT_LOADED,
        split_note=first.otj_weight_note if first else "",
        split_needs_review=needs_review,
        breaks=breaks,
        current_break=funding_rules.on_break(spans, today=today),
        planned_end=apprenticeship.planned_end_date,
        planned_end_with_breaks=funding_rules.planned_end_with_breaks(
            apprenticeship.planned_end_date, spans, today=today
        ),
        closed=closed,
        standard_version=standard,
    )


# -- the same judgement in SQL, for lists ----------------------------------------------


class _DaysBetween(Func):
    """later - earlier, in whole days (PostgreSQL date subtraction gives an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


_ZERO = Value(0, output_field=BigIntegerField())


def _big(expression) -> Cast:
    return Cast(expression, BigIntegerField())


def _percent_rule_hours(days, hours_tenths, leave_hundredths):
    """funding_rules.percent_rule_hours, as a database expression (same integer steps)."""
    weeks = ExpressionWrapper((2 * days + 7) / 14, output_field=BigIntegerField())
    net = Greatest(weeks * 36500 - days * leave_hundredths, _ZERO, output_field=BigIntegerField())
    denominator = 365 * 100 * 5 * 10
    return ExpressionWrapper(
        (2 * net * hours_tenths + denominator) / (2 * denominator),
        output_field=BigIntegerField(),
    )


def annotate_otj_progress(
    queryset: QuerySet[Apprenticeship], today: dt.date | None = None
) -> QuerySet[Apprenticeship]:
    """Add otj_required, otj_logged, otj_expected and otj_behind to each apprenticeship,
    as SQL in the same query: the same rules and arithmetic as `otj_summary` (tested to
    agree). otj_required is None while the rule needs a published minimum not loaded yet.
    """
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    days = _big(_DaysBetween(F("planned_end_date"), F("start_date")))
    tenths = _big(F("contracted_weekly_hours") * 10)
    leave = _big(
        Coalesce(F("otj_plan__leave_weeks_per_year"), Value(funding_rules.STATUTORY_LEAVE_WEEKS))
        * 100
    )
    prior = Coalesce(
        _big(F("otj_plan__prior_learning_minutes")), _ZERO, output_field=BigIntegerField()
    )

    def after_prior(hours):
        return Greatest(hours * 60 - prior, _ZERO, output_field=BigIntegerField())

    required = Case(
        When(
            start_date__lt=funding_rules.RULES_2022,
            then=after_prior(_percent_rule_hours(days, tenths, leave)),
        ),
        When(
            start_date__lt=funding_rules.RULES_2025,
            then=after_prior(
                _percent_rule_hours(
                    days,
                    Least(
                        tenths,
                        Value(300, output_field=BigIntegerField()),
                        output_field=BigIntegerField(),
                    ),
                    leave,
                )
            ),
        ),
        When(
            standard_version__otj_minimum_hours__isnull=False,
            then=after_prior(_big(F("standard_version__otj_minimum_hours"))),
        ),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    logged = Coalesce(
        Subquery(
            OtjEntry.objects.counted()
            .filter(apprenticeship=OuterRef("pk"))
            .order_by()
            .values("apprenticeship")
            .annotate(total=Sum("minutes"))
            .values("total"),
            output_field=BigIntegerField(),
        ),
        _ZERO,
        output_field=BigIntegerField(),
    )
    yesterday_value = Value(yesterday, output_field=DateField())
    break_days = Coalesce(
        Subquery(
            BreakInLearning.objects.active()
            .filter(apprenticeship=OuterRef("pk"), start_date__lt=today)
            .order_by()
            .values("apprenticeship")
            .annotate(
                total=Sum(
                    _DaysBetween(
                        Least(Coalesce(F("end_date"), yesterday_value), yesterday_value),
                        F("start_date"),
                    )
                    + 1
                )
            )
            .values("total"),
            output_field=BigIntegerField(),
        ),
        _ZERO,
        output_field=BigIntegerField(),
    )
    elapsed = Greatest(
        _big(_DaysBetween(Value(today, output_field=DateField()), F("start_date"))),
        _ZERO,
        output_field=BigIntegerField(),
    )
    learning = Least(elapsed - break_days, days, output_field=BigIntegerField())
    queryset = queryset.annotate(
        otj_required=required,
        otj_logged=logged,
        otj_days=days,
        otj_learning_days=learning,
    )
    return queryset.annotate(
        otj_expected=ExpressionWrapper(
            F("otj_required") * F("otj_learning_days") / F("otj_days"),
            output_field=BigIntegerField(),
        ),
        otj_behind=Case(
            When(
                Q(status=Apprenticeship.Status.ON_PROGRAMME)
                & Q(otj_required__isnull=False)
                & Q(start_date__lt=today)
                & Q(otj_logged__lt=F("otj_required"))
                & Q(
                    otj_logged__lt=ExpressionWrapper(
                        F("otj_required") * F("otj_learning_days") / F("otj_days")
                        - F("otj_required") * 7 / F("otj_days"),
                        output_field=BigIntegerField(),
                    )
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


# -- exports ---------------------------------------------------------------------------

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Text for a spreadsheet cell that a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text


def _utc(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LOG_CSV_HEADER = [
    "Record",
    "Entry",
    "Version",
    "Current version",
    "Date",
    "Minutes",
    "Hours",
    "Activity",
    "Counts towards off-the-job",
    "Duty",
    "What was done and learned",
    "Evidence id",
    "Status",
    "Logged by",
    "Logged at (UTC)",
    "Decided by",
    "Decided as",
    "Decided at (UTC)",
    "Reason for rejecting",
]


def otj_log_rows(apprenticeship: Apprenticeship) -> Iterator[list[str]]:
    """Every version of every entry, oldest first, for an audit: who logged it, who
    verified or rejected it and when (UTC). Streams in chunks: a fixed number of queries."""
    yield LOG_CSV_HEADER
    entries = (
        OtjEntry.objects.filter(apprenticeship=apprenticeship)
        .select_related("duty", "created_by", "decided_by")
        .order_by("date", "lineage", "version")
    )
    for entry in entries.iterator(chunk_size=2000):
        hours, minutes = divmod(entry.minutes, 60)
        yield [
            csv_cell(value)
            for value in (
                entry.pk,
                entry.lineage,
                entry.version,
                "yes" if entry.is_current else "no",
                entry.date.isoformat(),
                entry.minutes,
                f"{hours}:{minutes:02d}",
                entry.get_activity_type_display(),
                "yes" if entry.counts else "no",
                entry.duty.code if entry.duty else "",
                entry.description,
                entry.evidence_id or "",
                entry.get_status_display(),
                entry.created_by.full_name,
                _utc(entry.created_at),
                entry.decided_by.full_name if entry.decided_by else "",
                Role(entry.decided_as).label if entry.decided_as else "",
                _utc(entry.decided_at),
                entry.rejection_reason,
            )
        ]


def _figures_data(figures: Figures) -> dict:
    return {
        "required": figures.required,
        "logged": figures.logged,
        "verified": figures.verified,
        "expected": figures.expected,
        "state": figures.state.value,
        "state_label": figures.state.label,
        "finish": figures.projection.finish,
    }


def otj_summary_data(summary: OtjSummary) -> dict:
    """The summary as plain data (minutes, dates): what a progress review, the gateway
    snapshot and the PDF report keep of it."""
    return {
        "as_of": summary.today,
        "required_known": summary.required_known,
        "prior_learning_minutes": summary.prior_learning_minutes,
        "not_counted_minutes": summary.not_counted_minutes,
        "planned_end_with_breaks": summary.planned_end_with_breaks,
        "total": _figures_data(summary.total),
        "duties": [
            {"code": line.code, "text": line.text, **_figures_data(line.figures)}
            for line in summary.duties
        ],
    }


def otj_summary_rows(summary: OtjSummary) -> Iterator[list[str]]:
    """The per-duty summary: one row per duty, then the total. Minutes and hours."""
    yield [
        "Duty",
        "Duty text",
        "Required (minutes)",
        "Logged (minutes)",
        "Verified (minutes)",
        "Expected by today (minutes)",
        "Projected finish",
        "State",
    ]

    def row(code: str, text: str, f: Figures) -> list[str]:
        return [
            csv_cell(value)
            for value in (
                code,
                text,
                "" if f.required is None else f.required,
                f.logged,
                f.verified,
                "" if f.expected is None else f.expected,
                f.projection.finish.isoformat() if f.projection.finish else "",
                f.state.label,
            )
        ]

    for line in summary.duties:
        yield row(line.code, line.text, line.figures)
    yield row("Total", f"As of {summary.today.isoformat()}", summary.total)
