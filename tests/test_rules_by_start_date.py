"""Hand-worked cases of every rule that depends on the start date, one table per rule.

Each case's id names the rule it checks by the reference source that states it, as
`st0896-facts.json` gives them (its `otj`, `epa` and `sources` sections), or says that no
stored source does ("NO-SOURCE", "INFERRED", "NOT-LOADED"). The arithmetic is written out
beside each case; none of it calls the function under test to work out what to expect.

Off-the-job hours: planned weeks = round(days / 7); statutory leave = days x 5.6 / 365
(not rounded); hours = round((weeks - leave) x weekly hours x 20%), halves up.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from apprenticeship import funding_rules, rules
from apprenticeship.funding_rules import ReviewInterval
from apprenticeship.models import Organisation
from epa.grading import capped_grade, epa_window, resit_rules, window_is_maximum
from epa.models import ResitPolicy
from portfolio.training import plan as otj_plan
from portfolio.training.services import planning
from standards.models import AssessmentPlan, StandardVersion
from tests import factories

D = dt.date


def case(id_: str, *values):
    return pytest.param(*values, id=id_)


# -- the minimum time on programme, by start date and weekly hours ---------------------

MINIMUM_DURATION = [
    case("SRC-PIER+SRC-DFE-FORUM-PT:2021-full-time-12", D(2021, 9, 1), "30", 12),
    # 12 x 30 / 16 = 22.5 -> 23 months; the extension before August 2022 is an inference.
    case("INFERRED:2021-part-time-16h-23", D(2021, 9, 1), "16", 23),
    case("SRC-DFE-FORUM-PT:2022-first-day-of-new-rules-12", D(2022, 8, 1), "37.5", 12),
    # 12 x 30 / 20 = 18 months.
    case("SRC-DFE-FORUM-PT:2023-part-time-20h-18", D(2023, 9, 4), "20", 18),
    # 12 x 30 / 22.5 = 16 months exactly.
    case("SRC-DFE-FORUM-PT:2024-part-time-22.5h-16", D(2024, 1, 8), "22.5", 16),
    # The last day of the 2022-25 rules: 12 x 30 / 25 = 14.4 -> 15 months.
    case("SRC-DFE-FORUM-PT:2025-07-31-part-time-25h-15", D(2025, 7, 31), "25", 15),
    # From 1 August 2025: 8 months, no automatic part-time extension.
    case("SRC-CITYGUILDS-2025:2025-08-01-part-time-16h-8", D(2025, 8, 1), "16", 8),
    case("SRC-APTEM-2025:2025-08-01-full-time-8", D(2025, 8, 1), "37.5", 8),
    # After the last rules held: the 2025-26 figure, applied (NOT-LOADED 2026-27 rules).
    case("NOT-LOADED+SRC-SKILLSRADAR:2026-09-part-time-8", D(2026, 9, 1), "20", 8),
]


@pytest.mark.parametrize(("start", "hours", "months"), MINIMUM_DURATION)
def test_minimum_time_on_programme(start, hours, months):
    assert funding_rules.minimum_duration_months(start, Decimal(hours)) == months


# -- which year's rules apply ----------------------------------------------------------

FUNDING_YEARS = [
    case("SRC-GOVUK-FR:start-31-july-2022-is-2021-22", D(2022, 7, 31), "2021-22", "2021-22", True),
    case("SRC-GOVUK-FR:start-1-august-2022-is-2022-23", D(2022, 8, 1), "2022-23", "2022-23", True),
    case("SRC-GOVUK-FR:start-31-july-2025-is-2024-25", D(2025, 7, 31), "2024-25", "2024-25", True),
    case("SRC-GOVUK-FR:start-31-july-2026-is-2025-26", D(2026, 7, 31), "2025-26", "2025-26", True),
    case(
        "NOT-LOADED:start-1-august-2026-applies-2025-26", D(2026, 8, 1), "2026-27", "2025-26", False
    ),
]


@pytest.mark.parametrize(("start", "year", "applied", "loaded"), FUNDING_YEARS)
def test_funding_year_of_the_start_date(start, year, applied, loaded):
    found = funding_rules.funding_year(start)
    assert (found.year, found.applied, found.loaded) == (year, applied, loaded)


# -- the off-the-job training required, before prior learning --------------------------

OTJ_HOURS = [
    # 365 days = 52 weeks; leave 5.6; 46.4 x 6 = 278.4 -> 278.
    case("SRC-HASO-OTJ:before-2022-30h", D(2021, 9, 1), D(2022, 9, 1), "30", "5.6", None, 278),
    # Before August 2022 every contracted hour counts: 46.4 x 7.5 = 348.
    case(
        "SRC-FEWEEK-2017:before-2022-37.5h", D(2021, 9, 1), D(2022, 9, 1), "37.5", "5.6", None, 348
    ),
    # A provider that sets no leave: 52 x 6 = 312.
    case(
        "SRC-HASO-TRAINING:before-2022-no-leave", D(2021, 9, 1), D(2022, 9, 1), "30", "0", None, 312
    ),
    # 700 days = 100 weeks; leave 10.7397; 89.2603 x 3.2 = 285.63 -> 286.
    case(
        "SRC-HASO-OTJ:before-2022-part-time-16h",
        D(2020, 9, 7),
        D(2022, 8, 8),
        "16",
        "5.6",
        None,
        286,
    ),
    # 455 days = 65 weeks; leave 6.9808; 58.0192 x 6 = 348.12 -> 348.
    case(
        "SRC-TRIBAL:2023-full-time-37.5h-counts-30",
        D(2023, 9, 4),
        D(2024, 12, 2),
        "37.5",
        "5.6",
        None,
        348,
    ),
    # Over 30 hours is still 6 hours a week.
    case("SRC-EDCENTRAL:2023-45h-counts-30", D(2023, 9, 4), D(2024, 12, 2), "45", "5.6", None, 348),
    # 700 days = 100 weeks; leave 10.7397; 89.2603 x 4.5 = 401.67 -> 402.
    case(
        "SRC-DFE-FORUM-PT:2023-part-time-22.5h",
        D(2023, 9, 4),
        D(2025, 8, 4),
        "22.5",
        "5.6",
        None,
        402,
    ),
    # 462 days = 66 weeks; leave 7.0882; 58.9118 x 4.8 = 282.78 -> 283.
    case(
        "SRC-LINCOLN-ONEFILE:2024-part-time-24h",
        D(2024, 4, 8),
        D(2025, 7, 14),
        "24",
        "5.6",
        None,
        283,
    ),
    # From 1 August 2025 the standard's published minimum, whatever the duration or hours.
    case(
        "SRC-FEWEEK-OTJ-2025:2025-published-300",
        D(2025, 9, 1),
        D(2026, 12, 1),
        "16",
        "5.6",
        300,
        300,
    ),
    # ST0896's figure was not found: not known, never guessed.
    case(
        "NOT-LOADED+SRC-FEWEEK-OTJ-2025:2025-not-loaded",
        D(2025, 9, 1),
        D(2026, 12, 1),
        "37.5",
        "5.6",
        None,
        None,
    ),
    case(
        "NOT-LOADED:2026-27-start-uses-2025-26-rule",
        D(2026, 9, 1),
        D(2027, 12, 1),
        "37.5",
        "5.6",
        300,
        300,
    ),
]


@pytest.mark.parametrize(("start", "end", "weekly", "leave", "published", "hours"), OTJ_HOURS)
def test_off_the_job_hours_required(start, end, weekly, leave, published, hours):
    requirement = funding_rules.required_otj(
        start_date=start,
        planned_end_date=end,
        weekly_hours=Decimal(weekly),
        leave_weeks_per_year=Decimal(leave),
        standard_minimum_hours=published,
    )
    assert requirement.minutes == (None if hours is None else hours * 60)


# -- recognised prior learning and the 2025-26 floor -----------------------------------

PRIOR_LEARNING = [
    # 348 - 48 = 300 hours.
    case("SRC-TRIBAL:2023-prior-learning-reduces", 348, 48, 300),
    # Prior learning can take the whole total, never below nothing.
    case("SRC-TRIBAL:2023-prior-learning-all", 348, 348, 0),
    case("NOT-LOADED:unknown-total-stays-unknown", None, 0, None),
]


@pytest.mark.parametrize(("required", "prior", "after"), PRIOR_LEARNING)
def test_prior_learning_reduces_the_total(required, prior, after):
    minutes = None if required is None else required * 60
    result = otj_plan.required_after_prior_learning(minutes, prior * 60)
    assert result == (None if after is None else after * 60)


FLOOR = [
    # 300 - 113 = 187: exactly the floor, allowed.
    case("SRC-FEWEEK-OTJ-2025:floor-exactly-187-allowed", D(2025, 9, 1), 300, 113, True),
    # 300 - 114 = 186: below the floor of 187, refused with the rule's words.
    case("SRC-FEWEEK-OTJ-2025:floor-186-refused", D(2025, 9, 1), 300, 114, False),
    # 250 - 100 = 150: refused.
    case("SRC-ONEFILE-2025:floor-150-refused", D(2026, 1, 5), 250, 100, False),
    # The floor is a 2025-26 rule: a 2023 start may go lower (348 - 200 = 148).
    case("SRC-TRIBAL:2022-25-no-floor", D(2023, 9, 4), None, 200, True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "published", "prior_hours", "allowed"), FLOOR)
def test_the_2025_26_floor_holds_whatever_prior_learning(start, published, prior_hours, allowed):
    standard = factories.StandardVersionFactory(otj_minimum_hours=published)
    factories.DutyFactory(standard_version=standard, number=1)
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=standard,
        start_date=start,
        planned_end_date=start + dt.timedelta(days=455),
        contracted_weekly_hours=Decimal("37.5"),
    )
    tutor = factories.UserFactory()

    def save():
        return planning.save_otj_requirement(
            apprenticeship=apprenticeship,
            by=tutor,
            leave_weeks_per_year=Decimal("5.6"),
            prior_learning_minutes=prior_hours * 60,
            prior_learning_reason="Level 2 certificate, checked at the initial assessment.",
        )

    if allowed:
        assert save().prior_learning_minutes == prior_hours * 60
    else:
        with pytest.raises(ValidationError, match="floor of 187 hours"):
            save()


# -- breaks in learning and the earliest gateway ---------------------------------------

EARLIEST_GATEWAY = [
    # 1 September 2025 + 8 months = 1 May 2026.
    case("SRC-CITYGUILDS-2025:2025-no-breaks", D(2025, 9, 1), 8, [], D(2026, 5, 1), D(2026, 1, 1)),
    # A 21-day break (1-21 December) moves it 21 days: 22 May 2026.
    case(
        "SRC-APTEM-2025:2025-a-21-day-break",
        D(2025, 9, 1),
        8,
        [(D(2025, 12, 1), D(2025, 12, 21))],
        D(2026, 5, 22),
        D(2026, 1, 1),
    ),
    # A break still going on counts up to today: 1-10 June 2024 is 10 days.
    case(
        "SRC-PIER:2023-a-break-not-over-yet",
        D(2023, 9, 4),
        12,
        [(D(2024, 6, 1), None)],
        D(2024, 9, 14),
        D(2024, 6, 10),
    ),
    # A 31 August start plus 8 months is 30 April (the month's last day).
    case(
        "SRC-CITYGUILDS-2025:2025-end-of-month",
        D(2025, 8, 31),
        8,
        [],
        D(2026, 4, 30),
        D(2026, 1, 1),
    ),
]


@pytest.mark.parametrize(("start", "months", "spans", "earliest", "today"), EARLIEST_GATEWAY)
def test_earliest_gateway_counts_breaks(start, months, spans, earliest, today):
    assert funding_rules.earliest_gateway(start, months, spans, today=today) == earliest


def test_time_on_programme_leaves_out_the_days_of_a_break():
    # SRC-HASO-OTJ: 1 September to 1 November 2025 is 61 days, less a 10-day break = 51.
    spans = [(D(2025, 10, 1), D(2025, 10, 10))]
    assert funding_rules.days_on_programme(D(2025, 9, 1), spans, today=D(2025, 11, 1)) == 51
    # The planned end moves by the length of the break: 2 December + 10 days.
    assert funding_rules.planned_end_with_breaks(D(2024, 12, 2), spans, today=D(2025, 11, 1)) == D(
        2024, 12, 12
    )


# -- active learning at least every 4 weeks (2022-23 rules, P36.2) ----------------------

GAPS = [
    # Training on 5 September then 4 October: 6 September to 3 October is 28 days, not more.
    case(
        "SRC-TRIBAL-P36.2:28-days-is-not-a-gap",
        [D(2023, 9, 5), D(2023, 10, 4)],
        [],
        D(2023, 10, 4),
        [],
    ),
    # 5 September then 5 October: 29 days without training, flagged.
    case(
        "SRC-TRIBAL-P36.2:29-days-is-a-gap",
        [D(2023, 9, 5), D(2023, 10, 5)],
        [],
        D(2023, 10, 5),
        [(D(2023, 9, 6), D(2023, 10, 4), 29, False)],
    ),
    # The same 29 days with a 5-day break in them: 24 learning days, not a gap.
    case(
        "SRC-LINCOLN-ONEFILE-P36.2:a-break-is-not-a-gap",
        [D(2023, 9, 5), D(2023, 10, 5)],
        [(D(2023, 9, 20), D(2023, 9, 24))],
        D(2023, 10, 5),
        [],
    ),
    # Nothing since 5 September, today 10 October: 35 days and still going on.
    case(
        "SRC-HASO-OTJ-P36.2:an-ongoing-gap",
        [D(2023, 9, 5)],
        [],
        D(2023, 10, 10),
        [(D(2023, 9, 6), D(2023, 10, 10), 35, True)],
    ),
    # Counted from the start (4 September): first training 3 October is 29 days in.
    case(
        "SRC-EDCENTRAL-P36.2:a-gap-from-the-start",
        [D(2023, 10, 3)],
        [],
        D(2023, 10, 3),
        [(D(2023, 9, 4), D(2023, 10, 2), 29, False)],
    ),
]


@pytest.mark.parametrize(("days", "spans", "today", "expected"), GAPS)
def test_gaps_of_more_than_4_weeks(days, spans, today, expected):
    gaps = otj_plan.learning_gaps(
        days,
        start=D(2023, 9, 4),
        today=today,
        spans=spans,
        longer_than=funding_rules.ACTIVE_LEARNING_DAYS,
    )
    assert [(g.first, g.last, g.days, g.ongoing) for g in gaps] == expected


ACTIVE_LEARNING_ERAS = [
    case("SRC-HASO-OTJ:before-2022-no-4-week-rule", D(2022, 7, 25), False),
    case("SRC-TRIBAL-P36.2:2022-25-has-the-4-week-rule", D(2024, 3, 4), True),
    case("SRC-APTEM-2025:2025-26-no-4-week-rule", D(2025, 8, 1), False),
]


@pytest.mark.parametrize(("start", "applies"), ACTIVE_LEARNING_ERAS)
def test_the_4_week_rule_applies_to_2022_25_starts_only(start, applies):
    keys = {
        rule.key
        for rule in rules.funding_rules_in_force(
            start_date=start,
            weekly_hours=Decimal("30"),
            standard_version=StandardVersion(reference="ST0896"),
        )
    }
    assert ("active_learning" in keys) is applies


# -- progress reviews (NO-SOURCE: the product brief's figures) -------------------------

REVIEW_DUE = [
    # Before 1 August 2025: 12 weeks from the start, 31 July + 84 days = 23 October.
    case("NO-SOURCE:2025-07-31-12-weeks", D(2025, 7, 31), None, D(2025, 10, 23)),
    # From 1 August 2025: 3 calendar months.
    case("NO-SOURCE:2025-08-01-3-months", D(2025, 8, 1), None, D(2025, 11, 1)),
    # 31 August + 3 months is 30 November (the month's last day).
    case("NO-SOURCE:2025-08-31-month-end", D(2025, 8, 31), None, D(2025, 11, 30)),
    # From the last review held: 15 January 2024 + 12 weeks = 8 April 2024.
    case("NO-SOURCE:2023-from-last-review", D(2023, 9, 4), D(2024, 1, 15), D(2024, 4, 8)),
]


@pytest.mark.parametrize(("start", "last", "due"), REVIEW_DUE)
def test_review_due_dates(start, last, due):
    assert funding_rules.next_review_due(start_date=start, last_review_on=last) == due


LONGER_INTERVALS = [
    # From 31 January: 4 months is 31 May, 3 months is 30 April: longer, so the employer
    # must agree.
    case("NO-SOURCE:4-months-longer-than-3", (4, "months"), (3, "months"), True),
    # 13 weeks (2 May) is longer than 3 months (30 April).
    case("NO-SOURCE:13-weeks-longer-than-3-months", (13, "weeks"), (3, "months"), True),
    case("NO-SOURCE:12-weeks-not-longer-than-12", (12, "weeks"), (12, "weeks"), False),
    # 2 months (31 March) is shorter than 12 weeks (24 April).
    case("NO-SOURCE:2-months-shorter-than-12-weeks", (2, "months"), (12, "weeks"), False),
]


@pytest.mark.parametrize(("agreed", "rule", "longer"), LONGER_INTERVALS)
def test_which_intervals_are_longer_than_the_rule(agreed, rule, longer):
    assert ReviewInterval(*agreed).longer_than(ReviewInterval(*rule)) is longer


# -- the gateway's minimum, with a longer one from the assessment plan -----------------

GATEWAY_MINIMUM = [
    case(
        "SRC-CITYGUILDS-2025:2025-no-plan-minimum-8",
        D(2025, 9, 1),
        "37.5",
        None,
        8,
        False,
        "secondary_sources",
    ),
    # A plan minimum of 12 is longer than the 2025-26 rules' 8: the plan's applies.
    case("PLAN:2025-plan-sets-12-longer-than-8", D(2025, 9, 1), "37.5", 12, 12, True, "verified"),
    # The same 12 is not longer than the 2022-25 rules' 12: the rules' applies.
    case(
        "SRC-DFE-FORUM-PT:2023-plan-12-not-longer",
        D(2023, 9, 4),
        "37.5",
        12,
        12,
        False,
        "secondary_sources",
    ),
    # Part time on 20 hours: the rules' 18 is longer than a plan's 14.
    case(
        "SRC-DFE-FORUM-PT:2023-part-time-rule-18-beats-plan-14",
        D(2023, 9, 4),
        "20",
        14,
        18,
        False,
        "secondary_sources",
    ),
    case("INFERRED:2021-part-time-extension", D(2021, 9, 1), "15", None, 24, False, "inferred"),
]


@pytest.mark.parametrize(
    ("start", "hours", "plan_months", "months", "from_plan", "label"), GATEWAY_MINIMUM
)
def test_gateway_minimum_time_on_programme(start, hours, plan_months, months, from_plan, label):
    standard = StandardVersion(
        reference="ST0896",
        minimum_programme_months=plan_months,
        facts={"minimum_programme_months": {"provenance": "verified", "source": "EPA plan"}},
    )
    minimum = rules.minimum_programme(start, Decimal(hours), standard)
    assert (minimum.months, minimum.from_plan, minimum.rule.label) == (months, from_plan, label)


# -- the typical end-point assessment period (SRC-PIER: "3 months EPA") -----------------

GATEWAY_AT = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)
EPA_PERIOD = [
    # 31 January + 3 months = 30 April; 6 May is day 95, 6 days past: guidance only.
    case("SRC-PIER:typical-day-95-not-a-breach", False, None, D(2026, 5, 6), 95, False, True),
    # The same day past a published maximum is a breach.
    case("PLAN-MAXIMUM:a-maximum-is-a-deadline", True, None, D(2026, 5, 6), 95, True, False),
    # Completed on 2 March: day 30, within the typical period.
    case("SRC-PIER:completed-on-day-30", False, D(2026, 3, 2), D(2026, 9, 1), 30, False, False),
]


@pytest.mark.parametrize(
    ("is_maximum", "completed", "today", "day", "breached", "beyond"), EPA_PERIOD
)
def test_end_point_assessment_period(is_maximum, completed, today, day, breached, beyond):
    window = epa_window(
        gateway_passed_at=GATEWAY_AT,
        months=3,
        completed_on=completed,
        today=today,
        is_maximum=is_maximum,
    )
    assert (window.day, window.breached, window.beyond_typical) == (day, breached, beyond)


MAXIMUM_STATED = [
    case("NOT-LOADED:st0896-no-maximum-published", False, "not_loaded", False),
    case("INFERRED:an-inferred-maximum-is-no-deadline", True, "inferred", False),
    case("PLAN:a-published-maximum-is-a-deadline", True, "verified", True),
]


@pytest.mark.parametrize(("flag", "provenance", "deadline"), MAXIMUM_STATED)
def test_only_a_stated_maximum_is_a_deadline(flag, provenance, deadline):
    plan = AssessmentPlan(
        epa_window_months=3,
        epa_window_is_maximum=flag,
        facts={"epaWindowIsMaximum": {"provenance": provenance}},
    )
    assert window_is_maximum(plan) is deadline


# -- resits: the plan's rule, else the assessment organisation's policy ----------------

ST0896_GRADES = ["fail", "pass", "distinction"]


def _plan(
    cap: str = "",
    cap_provenance: str = "not_loaded",
    scope: str = "",
    scope_provenance="not_loaded",
):
    return AssessmentPlan(
        provenance="secondary",
        overall_grades=ST0896_GRADES,
        resit_grade_cap=cap,
        resit_scope=scope,
        facts={
            "resitGradeCap": {"provenance": cap_provenance},
            "resitScope": {"provenance": scope_provenance},
        },
    )


def _policy(cap: str = "pass", scope: str = "failed") -> ResitPolicy:
    return ResitPolicy(
        epao=Organisation(name="Fairway EPA"),
        name="Resit policy v2",
        grade_cap=cap,
        scope=scope,
        recorded_by=User(full_name="Grace Adeyemi"),
        recorded_at=dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC),
    )


RESIT_RULES = [
    # SRC facts epa.resits_and_retakes: not_found. Nothing stated: no cap, failed methods.
    case("NOT-LOADED:st0896-no-policy-no-cap", _plan(), None, ("", "none", "failed", "none")),
    # The assessment organisation's recorded policy applies, as theirs.
    case(
        "EPAO-POLICY:st0896-policy-caps-at-pass",
        _plan(),
        _policy(),
        ("pass", "epao", "failed", "epao"),
    ),
    case(
        "EPAO-POLICY:policy-repeats-every-method",
        _plan(),
        _policy("", "all"),
        ("", "epao", "all", "epao"),
    ),
    # A plan that states its cap with a source wins over the organisation's policy.
    case(
        "PLAN:stated-cap-wins",
        _plan("distinction", "verified"),
        _policy(),
        ("distinction", "plan", "failed", "epao"),
    ),
    # An inferred cap (the old ST0896 data) is never applied.
    case(
        "INFERRED:an-inferred-cap-is-not-applied",
        _plan("pass", "inferred"),
        None,
        ("", "none", "failed", "none"),
    ),
    case(
        "PLAN:stated-scope-wins",
        _plan(scope="all", scope_provenance="verified"),
        _policy(),
        ("pass", "epao", "all", "plan"),
    ),
]


@pytest.mark.parametrize(("plan", "policy", "expected"), RESIT_RULES)
def test_resit_rules_come_from_the_plan_or_the_organisations_policy(plan, policy, expected):
    found = resit_rules(plan, policy)
    assert (found.cap, found.cap_from, found.scope, found.scope_from) == expected


def test_resit_rules_say_whose_they_are():
    found = resit_rules(_plan(), _policy())
    assert found.cap_basis == (
        "Capped at pass by Fairway EPA's policy \u201cResit policy v2\u201d, recorded by Grace "
        "Adeyemi on 2 March 2026."
    )
    none = resit_rules(_plan(), None)
    assert none.scope_basis.startswith("Only the failed methods are assessed again. Neither")


CAPS = [
    case(
        "EPAO-POLICY:distinction-capped-at-pass", "distinction", "pass", True, False, ("pass", True)
    ),
    case(
        "EPAO-POLICY:exceptional-circumstances-lift-the-cap",
        "distinction",
        "pass",
        True,
        True,
        ("distinction", False),
    ),
    case(
        "EPAO-POLICY:a-first-attempt-is-never-capped",
        "distinction",
        "pass",
        False,
        False,
        ("distinction", False),
    ),
    case("NOT-LOADED:no-cap-stated-no-cap", "distinction", "", True, False, ("distinction", False)),
]


@pytest.mark.parametrize(("grade", "cap", "resit", "exceptional", "expected"), CAPS)
def test_the_cap_on_a_resit_or_retake(grade, cap, resit, exceptional, expected):
    plan = _plan()
    assert (
        capped_grade(plan, grade, cap=cap, resit_or_retake=resit, exceptional=exceptional)
        == expected
    )


# -- English and maths at gateway ------------------------------------------------------

ENGLISH_MATHS = [
    case("SRC-PIER:16-to-18-always-required", 17, D(2026, 1, 5), True),
    case("SRC-HELP-EM:19-before-11-february-2025-required", 19, D(2025, 2, 10), True),
    case("SRC-HELP-EM:19-from-11-february-2025-optional", 19, D(2025, 2, 11), False),
    case("SRC-FEWEEK-EM:45-optional-now", 45, D(2026, 1, 5), False),
]


@pytest.mark.parametrize(("age", "on", "required"), ENGLISH_MATHS)
def test_english_and_maths_at_gateway(age, on, required):
    assert funding_rules.english_maths_required(age, on=on) is required


def test_there_are_at_least_40_hand_worked_cases():
    tables = (
        MINIMUM_DURATION,
        FUNDING_YEARS,
        OTJ_HOURS,
        PRIOR_LEARNING,
        FLOOR,
        EARLIEST_GATEWAY,
        GAPS,
        ACTIVE_LEARNING_ERAS,
        REVIEW_DUE,
        LONGER_INTERVALS,
        GATEWAY_MINIMUM,
        EPA_PERIOD,
        MAXIMUM_STATED,
        RESIT_RULES,
        CAPS,
        ENGLISH_MATHS,
    )
    cases = [param for table in tables for param in table]
    assert len(cases) >= 40
    # Every case names the rule it checks.
    assert all(param.id and ":" in param.id for param in cases)
