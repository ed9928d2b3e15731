"""Take a demo enrolment through gateway for real: a portfolio that covers every duty and
is signed off, off-the-job training done and verified, a recent review signed by all
three, and both confirmations. The gateway service then checks the list and freezes the
portfolio, as it would for anyone.

The confirmations are dated in the past (the services take `now=`), so the assessment
that follows can be dated after them.
"""

import datetime as dt

from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from demo.seed.clock import as_of
from demo.seed.core import at
from epa.models import GatewayDeclaration
from epa.selectors import gateway as gateway_selectors
from epa.services import gateway as gateway_services
from portfolio.evidence.services import decisions, sign_offs
from portfolio.evidence.services import evidence as evidence_services
from portfolio.reviews.models import Review
from portfolio.reviews.services import reviews
from portfolio.training import selectors as otj
from portfolio.training.models import ActivityType
from portfolio.training.services import log as otj_log

# One piece of evidence per duty number: (title, what happened and what was learned).
EVIDENCE = {
    1: (
        "First weeks with someone new to the service",
        "We met weekly at the café they chose. I explained what peer support is and is not, "
        "agreed how we would end, and kept every small promise. Trust grew slowly.",
    ),
    2: (
        "Sharing my story at the recovery group",
        "I shared a short part of my own recovery that matched the group's topic and said "
        "what helped me manage setbacks. Afterwards I checked in with myself and my supervisor.",
    ),
    3: (
        "Working towards a self-defined goal",
        "They wanted to get back to volunteering. We broke it into steps they chose, and I "
        "supported rather than did it for them. They now volunteer one morning a week.",
    ),
    4: (
        "Preparing for a care review",
        "We wrote down their questions and their rights before the review. I went with them "
        "and they spoke for themselves; I only reminded them of their list.",
    ),
    5: (
        "Finding a local walking group",
        "I found three options in the area, shared the leaflets and let them decide. They "
        "chose one and went on their own the second time.",
    ),
    6: (
        "Peer support at the service planning day",
        "I presented what peer workers add to the team and collected ideas from people who "
        "use the service for the new drop-in times.",
    ),
    7: (
        "Improving the discharge letter",
        "I pointed out that our letters are hard to read and worked with two colleagues on a "
        "plainer template, which the team now uses.",
    ),
    8: (
        "What supervision taught me this term",
        "Supervision helped me notice when the work brings up my own memories and plan how "
        "to look after myself on hard days.",
    ),
    9: (
        "A safeguarding concern, handled well",
        "I noticed a change, wrote down what I saw and heard, and told the safeguarding lead "
        "the same day, following the policy step by step.",
    ),
    10: (
        "Feedback after a group session",
        "I asked the group what worked and what did not, shared it with the team and gave "
        "each person feedback they could use.",
    ),
}
OTJ_ENTRY_MINUTES = 7 * 60  # a training day a week


def _portfolio(apprenticeship: Apprenticeship, tutor, gateway_day: dt.date) -> None:
    apprentice = apprenticeship.apprentice
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    span = max(1, (gateway_day - apprenticeship.start_date).days - 60)
    for index, duty in enumerate(duties):
        title, account = EVIDENCE.get(duty.number, (f"Evidence for {duty.code}", duty.text))
        activity = apprenticeship.start_date + dt.timedelta(
            days=30 + span * index // max(1, len(duties))
        )
        # Written the day after, accepted three days later, signed off the day after that:
        # all at least three weeks before gateway.
        with as_of(at(activity + dt.timedelta(days=1), 18)):
            evidence = evidence_services.create_evidence(
                apprenticeship=apprenticeship,
                by=apprentice,
                title=title,
                kind="work_record",
                activity_date=activity,
                account=account,
                duties=[duty],
            )
            evidence = evidence_services.submit_evidence(
                evidence=evidence, by=apprentice, own_work=True, names_no_one=True
            )
        with as_of(at(activity + dt.timedelta(days=4), 11)):
            evidence = decisions.review_evidence(
                evidence=evidence, by=tutor, decision="accept", feedback="This shows the duty well."
            )
        with as_of(at(activity + dt.timedelta(days=5), 12)):
            sign_offs.sign_off_duty(
                apprenticeship=apprenticeship,
                duty=duty,
                by=tutor,
                evidence_versions=[evidence.accepted_version],
                comment="Accepted evidence shows this duty done safely and well.",
            )


def _off_the_job(apprenticeship: Apprenticeship, tutor, gateway_day: dt.date) -> None:
    summary = otj.otj_summary(apprenticeship, today=gateway_day)
    needed = summary.total.required or 0
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    day = apprenticeship.start_date + dt.timedelta(days=2)
    logged = 0
    week = 0
    entries = []
    while logged < needed and day < gateway_day:
        with as_of(at(day, 18)):
            entries.append(
                otj_log.log_otj_entry(
                    apprenticeship=apprenticeship,
                    by=apprenticeship.apprentice,
                    date=day,
                    minutes=OTJ_ENTRY_MINUTES,
                    activity_type=ActivityType.PRACTICAL if week % 3 else ActivityType.TEACHING,
                    duty=duties[week % len(duties)],
                    description="Training day: the week's topic, practised with my tutor.",
                    today=day,
                )
            )
        logged += OTJ_ENTRY_MINUTES
        week += 1
        day += dt.timedelta(days=7)
    # Verified on gateway morning, after the last training day and before the confirmations.
    with as_of(at(gateway_day, 9)):
        otj_log.verify_otj_entries(
            apprenticeship=apprenticeship,
            by=tutor,
            as_role=Role.TUTOR,
            seen=[(entry.pk, entry.revision) for entry in entries],
        )


def _review(apprenticeship: Apprenticeship, tutor, employer, gateway_day: dt.date) -> None:
    held_on = gateway_day - dt.timedelta(days=21)
    with as_of(at(held_on, 16)):
        review = reviews.record_review(
            apprenticeship=apprenticeship,
            by=tutor,
            held_on=held_on,
            format="in_person",
            employer_signatory=employer,
            discussion="Ready for end-point assessment: every duty signed off and the "
            "off-the-job training done. We talked through what the observation will be like.",
            employer_view="Works at the standard every day; the team relies on them.",
            wellbeing="Feeling nervous about the assessment but well supported.",
            targets=[("Book a practice professional discussion", gateway_day)],
            review=None,
            today=held_on,
        )
    signed = at(held_on + dt.timedelta(days=1))
    for party, person in (
        ("apprentice", apprenticeship.apprentice),
        ("employer", employer),
        ("tutor", tutor),
    ):
        with as_of(signed):
            current = Review.objects.with_current().get(pk=review.pk)
            reviews.sign_review(
                review=current,
                by=person,
                party=party,
                seen_digest=reviews.seal_for(current.current_version, party),
                now=signed,
            )


def pass_gateway(context, apprenticeship: Apprenticeship, *, days_ago: int) -> Apprenticeship:
    """Everything gateway asks for, then both confirmations, `days_ago` days ago."""
    if apprenticeship.is_post_gateway:
        return apprenticeship
    tutor = context.people["tutor"]
    employer = apprenticeship.memberships.get(role=Role.EMPLOYER, is_active=True).user
    gateway_day = timezone.localdate() - dt.timedelta(days=days_ago)
    _portfolio(apprenticeship, tutor, gateway_day)
    _off_the_job(apprenticeship, tutor, gateway_day)
    _review(apprenticeship, tutor, employer, gateway_day)
    for party, person, hour in (
        (GatewayDeclaration.Party.EMPLOYER, employer, 10),
        (GatewayDeclaration.Party.PROVIDER, tutor, 14),
    ):
        with as_of(at(gateway_day, hour)):
            gateway_services.declare(
                apprenticeship=apprenticeship,
                party=party,
                by=person,
                confirmed=True,
                now=at(gateway_day, hour),
            )
    apprenticeship.refresh_from_db()
    if not apprenticeship.is_post_gateway:
        waiting = [i.label for i in gateway_selectors.checklist(apprenticeship) if not i.holds]
        raise RuntimeError(f"Demo gateway did not pass: {waiting}")
    return apprenticeship
