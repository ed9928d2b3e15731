"""Evidence in every state, with small real files, a witness testimony, duty sign-offs and
a private list of names. Built through the services, so the history is real too."""

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from demo.seed.clock import as_of
from demo.seed.core import at
from portfolio.evidence.models import DutySignOff, Evidence
from portfolio.evidence.services import decisions, sign_offs, testimony_requests
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services import testimonies as testimonies_services

FILES = Path(__file__).resolve().parent.parent / "files"

# (title, kind, days ago, duties and KSB codes, account, files, state, visible to employer)
JAMIE = [
    (
        "Building trust at the Tuesday drop-in",
        "work_record",
        150,
        [1, 10, "S1", "S2", "S6"],
        "A new visitor sat by the door and didn't want to talk. I said hello, told them "
        "they didn't have to join in, and made us both a tea. Over three weeks they moved "
        "closer to the group. I kept my promises small and kept them. Last week they asked "
        "me how I got through my first year in recovery, and I shared a short part of my "
        "story that fitted what they were going through.",
        ["group-flipchart.jpg"],
        "accepted",
        True,
    ),
    (
        "Deciding what to share, and what not to",
        "reflective_account",
        120,
        [2, 8, "S5", "S7"],
        "Someone asked me directly whether I had ever been sectioned. I paused and thought "
        "about whether telling them would help them or just fill the silence. I chose to "
        "share that I had been in hospital and what helped me leave, but not the details. "
        "In supervision we talked about why that felt right. I learned that sharing is a "
        "tool, not a duty.",
        ["supervision-notes.pdf"],
        "accepted",
        False,
    ),
    (
        "Safeguarding refresher",
        "certificate",
        95,
        [9, "S17"],
        "I completed the level 2 safeguarding adults course. The part on recognising "
        "financial abuse changed how I listen when people talk about money.",
        ["safeguarding-certificate.pdf"],
        "accepted",
        True,
    ),
    (
        "Supporting a goal: getting back to the allotment",
        "work_record",
        40,
        [3, 5, "S9", "S10", "S11"],
        "We worked out together what the first small step would be. They chose to visit "
        "the allotment once with me, then once alone. I found out about the community "
        "gardening group and gave them the leaflet instead of phoning for them.",
        [],
        "submitted",
        True,
    ),
    (
        "Speaking up in the team meeting",
        "reflective_account",
        21,
        [6, 7],
        "I said in the team meeting that our discharge letters are hard to read. I felt "
        "nervous. The manager asked me to help rewrite the template.",
        [],
        "submitted",
        False,
    ),
    (
        "Explaining rights at a care review",
        "work_record",
        30,
        [4],
        "I helped someone prepare questions for their care review.",
        [],
        "referred",
        True,
    ),
    (
        "Ending a peer relationship well",
        "reflective_account",
        6,
        [1],
        "Notes so far: planned the last three sessions, talked about what comes next...",
        [],
        "draft",
        False,
    ),
]

KOFI = [
    (
        "First month at the housing project",
        "work_record",
        60,
        [1, 7, "S1", "S2"],
        "I shadowed two colleagues on welcome visits and then led one with them watching. "
        "I introduced myself as someone who has been homeless and explained what peer "
        "support is and is not.",
        [],
        "accepted",
        True,
    ),
    (
        "Using my story in a group",
        "reflective_account",
        12,
        [2],
        "I shared how I found my first flat. Afterwards I checked in with myself, as we "
        "practised in supervision.",
        [],
        "submitted",
        False,
    ),
]

SAM = [
    (
        "My first week",
        "reflective_account",
        3,
        [],
        "Starting to write about my first week on the ward...",
        [],
        "draft",
        False,
    ),
]


def _moment(day: dt.date, hour: int) -> dt.datetime:
    """`hour` on `day`, but never later than an hour ago."""
    return min(at(day, hour), timezone.now() - dt.timedelta(hours=1))


def _files(names: list[str]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, (FILES / name).read_bytes()) for name in names]


def _add(apprenticeship, tutor, items, today: dt.date, testimonies=None) -> list[Evidence]:
    apprentice = apprenticeship.apprentice
    testimonies = testimonies or {}
    duties = {d.number: d for d in apprenticeship.standard_version.duties.all()}
    ksbs = {k.code: k for k in apprenticeship.standard_version.ksbs.all()}
    made = []
    for title, kind, days_ago, mapping, account, files, state, visible in items:
        activity = max(today - dt.timedelta(days=days_ago), apprenticeship.start_date)
        # Written up the day after the activity, reviewed four days after that.
        with as_of(_moment(activity + dt.timedelta(days=1), 18)):
            evidence = services.create_evidence(
                apprenticeship=apprenticeship,
                by=apprentice,
                title=title,
                kind=kind,
                activity_date=activity,
                account=account,
                duties=[duties[n] for n in mapping if n in duties],
                ksbs=[ksbs[code] for code in mapping if code in ksbs],
                testimonies=testimonies.get(title, []),
            )
            if evidence.visible_to_employer != visible:
                evidence = services.set_employer_visibility(
                    evidence=evidence, by=apprentice, visible=visible
                )
            if files:
                services.add_files(evidence=evidence, by=apprentice, files=_files(files))
            if state != "draft":
                evidence = services.submit_evidence(
                    evidence=evidence, by=apprentice, own_work=True, names_no_one=True
                )
        with as_of(_moment(activity + dt.timedelta(days=5), 11)):
            if state == "accepted":
                evidence = decisions.review_evidence(
                    evidence=evidence,
                    by=tutor,
                    decision=decisions.Decision.ACCEPT,
                    feedback="Thank you, this shows the duty clearly.",
                )
            elif state == "referred":
                evidence = decisions.review_evidence(
                    evidence=evidence,
                    by=tutor,
                    decision=decisions.Decision.REFER,
                    feedback="Good start. Say what you did, what they decided, and what you "
                    "learned about rights and choices.",
                )
        made.append(evidence)
    return made


def _sign_off(apprenticeship, tutor, evidence: Evidence, duty_number: int) -> None:
    duty = apprenticeship.standard_version.duties.get(number=duty_number)
    if DutySignOff.objects.active().filter(apprenticeship=apprenticeship, duty=duty).exists():
        return
    accepted = timezone.localdate(evidence.accepted_version.accepted_at)
    with as_of(_moment(accepted + dt.timedelta(days=1), 12)):
        sign_offs.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duty,
            by=tutor,
            evidence_versions=[evidence.accepted_version],
            comment="The accepted evidence shows this duty done safely and well.",
        )


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    tutor = context.people["tutor"]
    plans = [("apprentice", JAMIE), ("kofi", KOFI), ("sam", SAM)]
    for key, items in plans:
        apprenticeship = context.apprenticeships[key]
        if Evidence.objects.filter(apprenticeship=apprenticeship).exists():
            continue
        testimonies = {}
        if key == "apprentice":
            witnessed = today - dt.timedelta(days=45)
            with as_of(at(witnessed + dt.timedelta(days=2), 17)):
                testimony = testimonies_services.write_testimony(
                    apprenticeship=apprenticeship,
                    by=context.people["employer"],
                    author_role="Team leader",
                    witnessed_on=witnessed,
                    text="I watched Jamie run the drop-in when a visitor became distressed. "
                    "Jamie stayed calm, spoke quietly, offered a quieter room and checked in "
                    "with the duty worker afterwards. It was done kindly and safely.",
                )
            testimonies[JAMIE[3][0]] = [testimony]
        made = _add(apprenticeship, tutor, items, today, testimonies)
        if key == "apprentice":
            _sign_off(apprenticeship, tutor, made[0], 1)
            _sign_off(apprenticeship, tutor, made[1], 2)
            for name in ("Dee", "Marcus"):
                testimonies_services.add_protected_name(apprenticeship=apprenticeship, name=name)
            # Jamie asked the team leader for a testimony two days ago: it waits on the
            # employer's home until it is written.
            asked = today - dt.timedelta(days=2)
            with as_of(at(asked, 12)):
                testimony_requests.request_testimony(
                    apprenticeship=apprenticeship,
                    by=apprenticeship.apprentice,
                    activity="Co-facilitating the Tuesday recovery group",
                    activity_date=asked - dt.timedelta(days=1),
                    witness=context.people["employer"],
                )
