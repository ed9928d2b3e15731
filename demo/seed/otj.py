"""Off-the-job training: months of entries, some verified, some rejected, some waiting; a
break in learning; prior learning; one apprentice behind pace.

The enrolments from the core step all started after 1 August 2025, when the required total
became the standard's published minimum, which is not loaded for ST0896 (the provider's
interim figure is entered in eras.py); their training may be uneven, so without a schedule
their pace is shown for information. Two more apprentices here started under the 2022-25
rules, so the demo also shows the expected pace, who is behind, and Ruth's gap of more than
4 weeks without training. Everything goes
through the services, so it is validated and audited. Entries are generated from a fixed
seed, so running the step twice changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Membership, Role
from demo.seed.core import ensure_enrolment, ensure_person
from portfolio.training.models import ActivityType, OtjEntry
from portfolio.training.services import log as otj_log
from portfolio.training.services import planning as otj_planning

EXTRA_PEOPLE = {
    # key: (email, full name, organisation key)
    "morgan": ("morgan.ellis@example.org", "Morgan Ellis", "employer"),
    "ruth": ("ruth.adeyemi@example.org", "Ruth Adeyemi", "employer2"),
}

EXTRA_ENROLMENTS = {
    # key: (employer key, start, planned end, date of birth, weekly hours)
    "morgan": ("employer", dt.date(2025, 7, 7), dt.date(2027, 7, 5), dt.date(1983, 8, 30), "37.5"),
    "ruth": ("employer2", dt.date(2025, 4, 7), dt.date(2027, 4, 5), dt.date(1975, 2, 11), "24"),
}

# Ruth's last training was more than 5 weeks ago: a 2022-25 start, she is flagged for
# going more than 4 weeks without training (2022-23 rules, P36.2).
LAST_TRAINED_DAYS_AGO = {"ruth": 38}

# key: (entries a week, chance an entry is English and maths study)
PACE = {
    "apprentice": (2.0, 0.0),
    "sam": (2.0, 0.0),
    "priya": (1.6, 0.0),
    "kofi": (1.2, 0.15),
    "morgan": (2.1, 0.0),
    "ruth": (0.8, 0.0),  # behind
}

TOPICS = {
    1: "building trust and keeping boundaries in a peer relationship",
    2: "deciding what to share of my own story, and when",
    3: "co-producing recovery goals that the person defines",
    4: "supporting people to speak up for themselves at care reviews",
    5: "finding local groups, benefits advice and housing support",
    6: "explaining what peer support is to a new team",
    7: "the team's service improvement project",
    8: "using supervision to look after my own wellbeing in the role",
    9: "positive risk-taking and when to raise a safeguarding concern",
    10: "clear, respectful notes and feedback",
}

TEMPLATES = {
    ActivityType.TEACHING: "Taught session at the training centre on {topic}. We worked "
    "through examples in small groups and I wrote down two things to try at work.",
    ActivityType.PRACTICAL: "Practical training: role play on {topic}, with feedback from "
    "the tutor on what went well and what to change.",
    ActivityType.SHADOWING: "Shadowed an experienced peer worker at the drop-in, watching "
    "how they handle {topic}. We talked it through afterwards.",
    ActivityType.MENTORING: "Mentoring session with my peer mentor about {topic}. We agreed "
    "one thing I will practise before we next meet.",
    ActivityType.SUPERVISION: "Reflective supervision on {topic}. I wrote up what I learned "
    "and what I would do differently next time.",
    ActivityType.INDUSTRY_VISIT: "Visit to a recovery college to learn how they approach "
    "{topic}, and what peer workers there do differently.",
    ActivityType.WRITING: "Worked on my written assignment about {topic} and linked it to "
    "the duties of the standard.",
    ActivityType.ONLINE: "Online learning module on {topic}, including the end-of-module "
    "questions.",
}
ACTIVITY_WEIGHTS = {
    ActivityType.TEACHING: 5,
    ActivityType.PRACTICAL: 3,
    ActivityType.SHADOWING: 3,
    ActivityType.MENTORING: 2,
    ActivityType.SUPERVISION: 2,
    ActivityType.INDUSTRY_VISIT: 1,
    ActivityType.WRITING: 3,
    ActivityType.ONLINE: 3,
}
MINUTES = (60, 90, 90, 120, 120, 150, 180, 210, 240, 360, 420)
REJECTIONS = (
    "This was part of your normal shift rather than training. Log the time you spent "
    "learning, for example the debrief afterwards.",
    "Please say what you learned, not only what happened.",
    "This looks like the same session as the entry the day before. Check the date.",
)


def _enrol(context, key: str) -> Apprenticeship:
    email, full_name, org_key = EXTRA_PEOPLE[key]
    apprentice = ensure_person(context, key, email, full_name, context.organisations[org_key])
    employer_key, start, end, born, hours = EXTRA_ENROLMENTS[key]
    return ensure_enrolment(
        context,
        key,
        apprentice=apprentice,
        employer_key=employer_key,
        start=start,
        end=end,
        born=born,
        hours=Decimal(hours),
    )


def _training_days(
    apprenticeship, rng, per_week: float, today: dt.date, spans, until: dt.date
) -> list:
    """Weekdays with training, from the start until before `until`, never during a break."""
    days = []
    week = apprenticeship.start_date - dt.timedelta(days=apprenticeship.start_date.weekday())
    while week < today:
        count = int(per_week) + (1 if rng.random() < per_week - int(per_week) else 0)
        for weekday in sorted(rng.sample(range(5), min(count, 5))):
            day = week + dt.timedelta(days=weekday)
            in_break = any(first <= day <= (last or today) for first, last in spans)
            if apprenticeship.start_date <= day < until and not in_break:
                days.append(day)
        week += dt.timedelta(days=7)
    return days


def _log_months(context, key: str, today: dt.date) -> None:
    apprenticeship = context.apprenticeships[key]
    if OtjEntry.objects.filter(apprenticeship=apprenticeship).exists():
        return
    per_week, english_maths = PACE[key]
    rng = random.Random(f"otj-{key}")  # noqa: S311 - demo data, not security
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    weights = [float(d.otj_weight or 1) for d in duties]
    spans = apprenticeship.breaks_in_learning.spans()
    contact = (
        Membership.objects.filter(apprenticeship=apprenticeship, role=Role.EMPLOYER, is_active=True)
        .select_related("user")
        .first()
    )
    verifiers = [(context.people["tutor"], Role.TUTOR), (contact.user, Role.EMPLOYER)]
    until = today - dt.timedelta(days=LAST_TRAINED_DAYS_AGO.get(key, 0))
    days = _training_days(apprenticeship, rng, per_week, today, spans, until)
    for day in days:
        if rng.random() < english_maths:
            activity, duty = ActivityType.ENGLISH_MATHS, None
            description = "Functional skills English: reading and summarising a leaflet."
        else:
            activity = rng.choices(list(ACTIVITY_WEIGHTS), list(ACTIVITY_WEIGHTS.values()))[0]
            duty = rng.choices(duties, weights)[0]
            description = TEMPLATES[activity].format(topic=TOPICS.get(duty.number, "the role"))
        entry = otj_log.log_otj_entry(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            date=day,
            minutes=rng.choice(MINUTES),
            activity_type=activity,
            duty=duty,
            description=description,
            today=today,
        )
        age = (today - day).days
        if age <= 14 or rng.random() < 0.08:
            continue  # recent, or not looked at yet: waiting for verification
        by, role = rng.choice(verifiers)
        if rng.random() < 0.05:
            otj_log.reject_otj_entry(
                entry=entry, by=by, as_role=role, reason=rng.choice(REJECTIONS)
            )
        else:
            otj_log.verify_otj_entry(entry=entry, by=by, as_role=role)


def _correct_one_verified_entry(apprenticeship, today: dt.date) -> None:
    """The apprentice corrects a verified entry: a second version waits for verification."""
    if OtjEntry.objects.filter(apprenticeship=apprenticeship, version__gt=1).exists():
        return
    entry = (
        OtjEntry.objects.current()
        .filter(apprenticeship=apprenticeship, status=OtjEntry.Status.VERIFIED)
        .exclude(activity_type=ActivityType.ENGLISH_MATHS)
        .order_by("-date")
        .first()
    )
    if entry is None:
        return
    otj_log.change_otj_entry(
        entry=entry,
        by=apprenticeship.apprentice,
        date=entry.date,
        minutes=entry.minutes + 30,
        activity_type=entry.activity_type,
        duty=entry.duty,
        description=entry.description + " (Corrected: the session ran 30 minutes longer.)",
        today=today,
    )


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    for key in EXTRA_ENROLMENTS:
        _enrol(context, key)
    tutor = context.people["tutor"]

    morgan = context.apprenticeships["morgan"]
    if not morgan.breaks_in_learning.exists():
        otj_planning.record_break_in_learning(
            apprenticeship=morgan,
            by=tutor,
            start_date=dt.date(2026, 2, 2),
            end_date=dt.date(2026, 2, 22),
            today=today,
        )
        otj_planning.save_otj_requirement(
            apprenticeship=morgan,
            by=tutor,
            leave_weeks_per_year=Decimal("5.6"),
            prior_learning_minutes=12 * 60,
            prior_learning_reason="Level 2 Certificate in Mental Health Awareness (2023), "
            "checked against the training plan at the initial assessment.",
        )

    for key in PACE:
        _log_months(context, key, today)
    _correct_one_verified_entry(context.apprenticeships["apprentice"], today)
