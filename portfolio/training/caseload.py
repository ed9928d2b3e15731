"""Off-the-job figures for lists (the caseload and the overview), as annotations computed
in SQL, so a page of apprenticeships costs the same few queries however many entries
there are. `otj_summary` in selectors.py gives the same figures for one apprenticeship;
tests check the two agree."""

import datetime as dt

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
from apprenticeship.models import Apprenticeship, BreakInLearning
from portfolio.training.models import OtjEntry


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
