"""Progress reviews: signed, partly signed, changed after signing, signed late, planned and
overdue, made through the services so they are sealed and in the history."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from demo.seed.core import at
from portfolio.reviews.models import Review, ReviewParty
from portfolio.reviews.services import reviews, scheduling

DISCUSSION = {
    "first": (
        "Jamie has settled into the team and now co-runs the Tuesday drop-in with a "
        "senior peer worker. We talked about how Jamie introduces their own experience: "
        "briefly, and only when it helps the person they are supporting. Jamie has started "
        "a reflective journal and brought two entries."
    ),
    "second": (
        "Jamie has led three one-to-one sessions with support from Eleanor, and wrote a "
        "reflective account of a difficult conversation about a relapse. We looked at the "
        "duties signed off so far and what evidence would cover positive risk-taking."
    ),
    "priya": (
        "Priya is confident with one-to-one support and has helped two people move into "
        "their own tenancies. We went through the gateway requirements and what is still "
        "needed for team working and service improvement."
    ),
}
EMPLOYER_VIEW = {
    "first": "Jamie is reliable, kind and keeps good boundaries. The team trusts them.",
    "second": "Jamie handles hard conversations calmly. Ready to take on more one-to-ones.",
    "priya": "Priya is a steady presence in the service and people ask for her by name.",
}
WELLBEING = {
    "first": (
        "Jamie said the first weeks brought back memories of their own time in services. "
        "They are using supervision for this and know how to reach the employee support line."
    ),
    "second": "Sleeping better since moving to day shifts. Keeping fortnightly supervision.",
}


def _sign(review: Review, person, party: str, when: dt.datetime) -> None:
    review = Review.objects.with_current().get(pk=review.pk)
    reviews.sign_review(
        review=review,
        by=person,
        party=party,
        seen_digest=reviews.seal_for(review.current_version, party),
        now=when,
    )


def _record(context, key: str, employer_key: str, held_on: dt.date, text_key: str, **extra):
    targets = extra.pop(
        "targets",
        [
            ("Write a reflective account of one peer support session", 28),
            ("Shadow a colleague at a multi-agency meeting", 56),
        ],
    )
    return reviews.record_review(
        apprenticeship=context.apprenticeships[key],
        by=context.people["tutor"],
        held_on=held_on,
        format=extra.pop("format", "in_person"),
        employer_signatory=context.people[employer_key],
        discussion=DISCUSSION[text_key],
        employer_view=EMPLOYER_VIEW[text_key],
        wellbeing=WELLBEING.get(text_key, ""),
        targets=[(text, held_on + dt.timedelta(days=days)) for text, days in targets],
        today=held_on,
        **extra,
    )


def _all_sign(context, review, employer_key, day: dt.date, apprentice_key: str) -> None:
    _sign(review, context.people[apprentice_key], ReviewParty.APPRENTICE, at(day, 10))
    _sign(review, context.people["tutor"], ReviewParty.TUTOR, at(day, 11))
    _sign(review, context.people[employer_key], ReviewParty.EMPLOYER, at(day, 16))


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    tutor = context.people["tutor"]

    jamie = context.apprenticeships["apprentice"]
    if not jamie.reviews.exists():
        # Signed by everyone, two days after it took place.
        first_day = jamie.start_date + dt.timedelta(days=75)
        first = _record(context, "apprentice", "employer", first_day, "first")
        _all_sign(context, first, "employer", first_day + dt.timedelta(days=2), "apprentice")
        # Held last week: the apprentice and tutor have signed; the employer has not yet.
        second_day = today - dt.timedelta(days=6)
        second = _record(context, "apprentice", "employer", second_day, "second", format="video")
        _sign(second, context.people["apprentice"], ReviewParty.APPRENTICE, at(second_day, 17))
        _sign(second, tutor, ReviewParty.TUTOR, at(second_day, 18))
        # The next one is planned.
        scheduling.schedule_review(
            apprenticeship=jamie, by=tutor, scheduled_for=today + dt.timedelta(days=60)
        )

    priya = context.apprenticeships["priya"]
    if not priya.reviews.exists():
        day = priya.start_date + dt.timedelta(days=80)
        early = _record(context, "priya", "employer2", day, "priya")
        _all_sign(context, early, "employer2", day + dt.timedelta(days=1), "priya")
        # Changed after two people had signed: version 2, which everyone signed again.
        day = priya.start_date + dt.timedelta(days=165)
        changed = _record(context, "priya", "employer2", day, "priya")
        _sign(changed, context.people["priya"], ReviewParty.APPRENTICE, at(day, 12))
        _sign(changed, tutor, ReviewParty.TUTOR, at(day, 13))
        reviews.record_review(
            apprenticeship=priya,
            by=tutor,
            review=changed,
            held_on=day,
            format="in_person",
            employer_signatory=context.people["employer2"],
            discussion=DISCUSSION["priya"],
            employer_view=EMPLOYER_VIEW["priya"] + " Dev asked to add: she mentors a new starter.",
            targets=[
                ("Gather a witness testimony from the housing team", day + dt.timedelta(days=30))
            ],
            today=day,
        )
        _all_sign(context, changed, "employer2", day + dt.timedelta(days=3), "priya")
        # Signed three weeks after it took place: the overview flags it. Nothing since, so
        # Priya's next review is overdue.
        day = priya.start_date + dt.timedelta(days=250)
        late = _record(context, "priya", "employer2", day, "priya", format="phone")
        _all_sign(context, late, "employer2", day + dt.timedelta(days=21), "priya")

    kofi = context.apprenticeships["kofi"]
    if not kofi.agreed_review_intervals.exists():
        # Kofi started four months ago and has had no review: overdue.
        scheduling.agree_review_interval(
            apprenticeship=kofi,
            by=tutor,
            every=2,
            unit="months",
            reason="Kofi works 22.5 hours a week; we agreed to meet more often in the first year.",
        )
