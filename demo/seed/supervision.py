"""The supervision log: Jamie's managerial and peer supervision (one used as evidence, one
logged as off-the-job training, one with the reflection shared), Sam's first managerial
supervision, and Priya and Kofi with none recently, so the tutor's caseload flags them.
Made through the services, in date order, all in the past."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portfolio.supervision import services
from portfolio.supervision.models import SupervisionRecord

KIND = SupervisionRecord.Kind
FORMAT = SupervisionRecord.Format
PEER_GROUP = "Riverside peer supervision group (led by Grace Otieno, senior peer worker)"


def _record(context, key: str, held_on: dt.date, **values) -> SupervisionRecord:
    return services.record_supervision(
        apprenticeship=context.apprenticeships[key],
        by=context.people[key],
        held_on=held_on,
        today=held_on,
        **values,
    )


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    jamie = context.apprenticeships["apprentice"]
    if not jamie.supervision_records.exists():
        start = jamie.start_date
        _record(
            context,
            "apprentice",
            start + dt.timedelta(days=21),
            kind=KIND.MANAGERIAL,
            format=FORMAT.INDIVIDUAL,
            supervisor=context.people["employer"],
            minutes=60,
            agreed=(
                "Jamie keeps Tuesday drop-in and starts one-to-ones in week six. Eleanor "
                "books a shadowing day with the crisis team."
            ),
            reflection="I was nervous saying I needed a slower start, but it was fine.",
        )
        group = _record(
            context,
            "apprentice",
            start + dt.timedelta(days=49),
            kind=KIND.PEER,
            format=FORMAT.GROUP,
            supervisor_name=PEER_GROUP,
            minutes=90,
            agreed=(
                "Use the 'what happened, not what's wrong' question to open conversations. "
                "Bring one story-sharing moment to next month's group."
            ),
            reflection=(
                "Hearing others talk about sharing too much made me feel less alone. I "
                "want to keep my own story shorter."
            ),
        )
        services.use_as_evidence(record=group, by=context.people["apprentice"])
        recent = _record(
            context,
            "apprentice",
            today - dt.timedelta(days=12),
            kind=KIND.PEER,
            format=FORMAT.INDIVIDUAL,
            supervisor_name="Grace Otieno, senior peer worker",
            minutes=60,
            agreed="Plan a break day after the two heavy visits next week.",
            reflection="Tiredness shows first in my patience. I said so, which felt good.",
            reflection_shared=True,
        )
        services.log_as_otj(
            record=recent,
            by=context.people["apprentice"],
            duty=jamie.standard_version.duties.order_by("number").first(),
            today=recent.held_on,
        )

    sam = context.apprenticeships["sam"]
    if not sam.supervision_records.exists():
        _record(
            context,
            "sam",
            max(sam.start_date, today - dt.timedelta(days=20)),
            kind=KIND.MANAGERIAL,
            format=FORMAT.INDIVIDUAL,
            supervisor=context.people["employer"],
            minutes=45,
            agreed="Sam reads the lone working policy and shadows Jamie on Tuesday.",
        )

    priya = context.apprenticeships["priya"]
    if not priya.supervision_records.exists():
        # Long ago and nothing since: the caseload's gentle flag.
        _record(
            context,
            "priya",
            priya.start_date + dt.timedelta(days=30),
            kind=KIND.PEER,
            format=FORMAT.GROUP,
            supervisor_name=PEER_GROUP,
            minutes=90,
            agreed="Priya brings a housing case study (with no names) to the group.",
        )
