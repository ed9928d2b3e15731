"""The funding rules of every era, each shown by an apprentice: Owen started in July 2022,
under the 20% rule, and completed in 2023; Morgan and Ruth (otj.py) and the apprentices
in end-point assessment (epa.py) started under the 2022-25 rules, and Ruth has a gap of
more than 4 weeks; Jamie and Priya (core.py) started under the 2025-26 rules, and Nadia
trains unevenly, as her tutor planned month by month; Sam and Kofi started after
1 August 2026, whose rules are not loaded.

ST0896's published minimum off-the-job hours for 2025-26 starts is not loaded, so the
provider enters an interim figure (labelled as entered by the provider) for the totals of
2025 starts to be known. Everything goes through the services; running the step twice
changes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apprenticeship.models import Apprenticeship, InterimOtjMinimum, Role
from apprenticeship.otj_minimum import set_interim_otj_minimum
from demo.seed import epa as epa_seed
from demo.seed import gateway
from demo.seed.clock import as_of
from demo.seed.core import at, ensure_enrolment, ensure_person
from demo.seed.otj import TEMPLATES, TOPICS
from epa.models import AssessmentRound, ConflictDeclaration
from epa.selectors import assessment as epa_selectors
from epa.services import assessment as epa_services
from epa.services import assessors
from epa.services import gateway as gateway_services
from portfolio.training import plan as otj_plan
from portfolio.training import selectors as otj_selectors
from portfolio.training.models import OtjEntry, OtjPlannedMonth
from portfolio.training.services import log as otj_log
from portfolio.training.services import planning
from standards.models import StandardVersion

# The provider's interim figure while ST0896's published minimum (Annex C of the 2025-26
# funding rules) is not loaded: above the 187-hour floor, and about what the 2022-25 rule
# gives a full-time 15-month plan (348 hours) less a little for the shorter minimum.
INTERIM_MINIMUM_HOURS = 280
INTERIM_SOURCE = (
    "Our interim figure while ST0896's published minimum for 2025-26 starts is not loaded: "
    "above the 187-hour floor, close to the 2022-25 rule for a 15-month plan. Replace it "
    "when the official figure is published."
)

OWEN = ("owen.price@example.org", "Owen Price", "employer", dt.date(1988, 1, 19))
OWEN_START, OWEN_END = dt.date(2022, 7, 25), dt.date(2023, 10, 23)
OWEN_GATEWAY = dt.date(2023, 11, 6)

NADIA = ("nadia.hussain@example.org", "Nadia Hussain", "employer", dt.date(1994, 6, 2))
NADIA_START, NADIA_END = dt.date(2025, 11, 3), dt.date(2027, 2, 1)
# How the tutor spread Nadia's training: heavy while she settles in, light over the
# summer, a block in the autumn, and a last push before gateway. Relative weights, one a
# month from November 2025.
NADIA_PATTERN = (4, 4, 3, 1, 1, 1, 1, 1, 2, 3, 3, 1, 2, 2, 2, 0)
ENTRY_MINUTES = 210


def enter_interim_minimum(provider, standard: StandardVersion, by) -> None:
    """The provider's own interim figure, for its apprentices who started from 1 August
    2025, while the standard's published minimum is not loaded (once)."""
    if standard.otj_minimum_hours is not None:
        return
    if InterimOtjMinimum.objects.filter(provider=provider, standard_version=standard).exists():
        return
    set_interim_otj_minimum(
        provider=provider,
        standard_version=standard,
        hours=INTERIM_MINIMUM_HOURS,
        source=INTERIM_SOURCE,
        by=by,
    )


def _enrol(context, key, person, start, end) -> Apprenticeship:
    email, full_name, employer_key, born = person
    apprentice = ensure_person(context, key, email, full_name, context.organisations[employer_key])
    return ensure_enrolment(
        context,
        key,
        apprentice=apprentice,
        employer_key=employer_key,
        start=start,
        end=end,
        born=born,
        hours=Decimal("37.5"),
    )


# -- Owen: a July 2022 start, under the 20% rule, completed ------------------------------


def _owen(context) -> None:
    owen = _enrol(context, "owen", OWEN, OWEN_START, OWEN_END)
    tutor, assessor = context.people["tutor"], context.people["assessor"]
    if not owen.is_post_gateway:
        # Before 11 February 2025 Level 2 English and maths were needed at 19 or over.
        with as_of(at(OWEN_GATEWAY - dt.timedelta(days=30), 10)):
            gateway_services.record_english_maths(
                apprenticeship=owen,
                by=tutor,
                english="level_2",
                maths="level_2",
                has_ehc_plan=False,
                evidence="GCSE English and maths, grade C (2004), certificates seen.",
            )
        days_ago = (timezone.localdate() - OWEN_GATEWAY).days
        owen = gateway.pass_gateway(context, owen, days_ago=days_ago)
    context.apprenticeships["owen"] = owen
    if AssessmentRound.objects.filter(apprenticeship=owen).exists():
        return
    if not epa_selectors.is_assigned(owen, assessor):
        with as_of(at(OWEN_GATEWAY + dt.timedelta(days=1), 9)):
            assessors.assign_assessor(
                apprenticeship=owen, assessor=assessor, by=context.people["epao_admin"]
            )
    if not ConflictDeclaration.objects.filter(apprenticeship=owen, assessor=assessor).exists():
        with as_of(at(OWEN_GATEWAY + dt.timedelta(days=2), 10)):
            epa_services.declare_no_conflict(
                apprenticeship=owen,
                assessor=assessor,
                now=at(OWEN_GATEWAY + dt.timedelta(days=2), 10),
            )
    plan = epa_selectors.plan_for(owen)
    observation, discussion = plan.methods.order_by("order")
    first_day = OWEN_GATEWAY + dt.timedelta(days=7)
    epa_seed._record(owen, observation, assessor, start=first_day, grade="pass")
    discussion_day = first_day + dt.timedelta(days=14)
    epa_seed._record(owen, discussion, assessor, start=discussion_day, grade="pass")
    epa_seed._confirm(owen, assessor, on=discussion_day + dt.timedelta(days=1))


# -- Nadia: a 2025-26 start, training unevenly as planned --------------------------------


def _nadia_schedule(nadia: Apprenticeship, tutor) -> dict[tuple[dt.date, int], int]:
    """The tutor's month-by-month plan: the required total spread over the months by
    NADIA_PATTERN, and each month's share over the duties by the standard's default split.
    Nothing while the required total is not known."""
    required = otj_selectors.otj_summary(nadia).total.required
    if required is None:
        return {}
    months = planning.schedule_months(nadia)
    duties = list(nadia.standard_version.duties.order_by("number"))
    pattern = list(NADIA_PATTERN[: len(months)]) + [0] * (len(months) - len(NADIA_PATTERN))
    schedule = {}
    for month, month_minutes in zip(months, otj_plan.split_minutes(required, pattern), strict=True):
        shares = otj_plan.split_minutes(month_minutes, [d.otj_weight or 1 for d in duties])
        for duty, minutes in zip(duties, shares, strict=True):
            if minutes:
                schedule[(month, duty.pk)] = minutes
    if not OtjPlannedMonth.objects.filter(plan__apprenticeship=nadia).exists():
        planning.save_otj_schedule(apprenticeship=nadia, by=tutor, minutes=schedule)
    return schedule


def _weekdays(month: dt.date, first: dt.date, last: dt.date) -> list[dt.date]:
    day, days = month, []
    while day.month == month.month:
        if first <= day <= last and day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _nadia_log(nadia: Apprenticeship, tutor, schedule, today: dt.date) -> None:
    """Nadia's log follows the plan: each month's planned minutes for each duty, logged on
    its weekdays; this month, its share up to yesterday. Older entries are verified."""
    if OtjEntry.objects.filter(apprenticeship=nadia).exists():
        return
    duties = {d.pk: d for d in nadia.standard_version.duties.all()}
    activities = list(TEMPLATES)
    entries = []
    for (month, duty_id), planned in sorted(schedule.items()):
        due = otj_plan.expected_from_schedule([(month, planned)], today=today)
        days = _weekdays(month, nadia.start_date, today - dt.timedelta(days=1))
        if not due or not days:
            continue
        duty = duties[duty_id]
        chunks = [ENTRY_MINUTES] * (due // ENTRY_MINUTES)
        if due % ENTRY_MINUTES:
            chunks.append(due % ENTRY_MINUTES)
        for index, minutes in enumerate(chunks):
            activity = activities[(duty.number + index) % len(activities)]
            entries.append(
                otj_log.log_otj_entry(
                    apprenticeship=nadia,
                    by=nadia.apprentice,
                    date=days[(duty.number * 3 + index * 2) % len(days)],
                    minutes=minutes,
                    activity_type=activity,
                    duty=duty,
                    description=TEMPLATES[activity].format(
                        topic=TOPICS.get(duty.number, "the role")
                    ),
                    today=today,
                )
            )
    otj_log.verify_otj_entries(
        apprenticeship=nadia,
        by=tutor,
        as_role=Role.TUTOR,
        seen=[(e.pk, e.revision) for e in entries if (today - e.date).days > 14],
    )


def _nadia(context, today: dt.date) -> None:
    nadia = _enrol(context, "nadia", NADIA, NADIA_START, NADIA_END)
    tutor = context.people["tutor"]
    schedule = _nadia_schedule(nadia, tutor)
    _nadia_log(nadia, tutor, schedule, today)


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    enter_interim_minimum(
        context.organisations["provider"],
        StandardVersion.objects.get(reference="ST0896", version="1.0"),
        context.people["admin"],
    )
    _owen(context)
    _nadia(context, today)
