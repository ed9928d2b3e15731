"""A provider of N apprenticeships with realistic volumes, built fast with set-based
inserts (`manage.py seed_scale`), for measuring pages and reports at scale.

Only ever run in a scratch database (config.scratch_database): the command makes one or
refuses. The mix: a tutor for every 300 apprentices, an employer for every 25 (each looked
after by the provider's admin), about 100 evidence items per apprentice in every state
(accepted ones with their accepted version, each decision on the item's thread), about 500
off-the-job entries, six reviews (the first two signed through the real review services
for the first apprenticeships), and one apprentice ("the big portfolio") with 2,000 items,
each with its own photo, and 5,000 entries, mapped to the NCCMH framework too. A second
apprenticeship of 2,000 items ("the frozen portfolio") has passed gateway through the
real services, so its portfolio is frozen for the assessor. The provider has entered an
interim off-the-job minimum for starts from August 2025, as the demo's provider has, and
has an IQA lead whose plan samples 5% of every kind of decision on every apprenticeship,
drawn over the last year through the real services.
The random numbers are seeded, so two runs build the same data. On PostgreSQL the
big tables are then laid out in the order a real provider's rows would lie, each
apprenticeship's scattered among everyone's (`lay_out_as_written`).
"""

import datetime as dt
import hashlib
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    DecisionDay,
    DecisionStage,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from demo.seed.eras import enter_interim_minimum
from portfolio.evidence.models import Evidence, EvidenceComment, EvidenceFile, EvidenceVersion
from portfolio.evidence.services.standing import refresh_evidence_standing
from portfolio.training.models import ActivityType, OtjEntry
from portfolio.training.services.standing import refresh_otj_standing
from quality.models import SamplingPlan
from standards.models import FrameworkUnit, StandardVersion
from standards.parsing import load_standard_file
from standards.services import frameworks as framework_data
from standards.services.imports import import_standard

BATCH = 5000
APPRENTICES_PER_TUTOR = 300
APPRENTICES_PER_EMPLOYER = 25
PLANNED_DAYS = 460
# The second apprenticeship is as big as the big portfolio, and has passed gateway: its
# portfolio is frozen for the assessor.
FROZEN = 1
FROZEN_DAYS_ON_PROGRAMME = 420
TRAINING_DAY_MINUTES = 7 * 60
ACCOUNT = (
    "I met them at the door and we agreed what the session was for. I shared a short part "
    "of my own story when it helped, and kept the focus on their goals. Afterwards I wrote "
    "down what went well and what I would try next time, and took it to supervision. "
)
DECISIONS = {
    Evidence.Status.ACCEPTED: "This shows the duty well: clear about what you did and why.",
    Evidence.Status.REFERRED: "Say more about what you did, and what you would do next time.",
}
# Evidence states, as shares of every apprentice's items.
STATES = (
    (Evidence.Status.ACCEPTED, 0.55),
    (Evidence.Status.SUBMITTED, 0.25),
    (Evidence.Status.REFERRED, 0.05),
    (Evidence.Status.DRAFT, 0.15),
)


@dataclass
class Seeded:
    apprenticeships: int
    evidence: int
    entries: int
    reviews: int
    big_portfolio: int
    frozen_portfolio: int | None
    iqa_plan: int


def photo(n: int) -> bytes:
    """A distinct flipchart photo (1200 by 900 JPEG), as a phone might take."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (230 - n % 50, 235, 225 - n % 30))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.ellipse([40 + i * 90, 300, 120 + i * 90, 380], fill=(60 + i * 12, 120, 160 - i * 5))
    draw.text((60, 80), f"Flipchart from session {n}", fill=(30, 30, 30))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


# The big tables, each by the date its rows would have been written on.
WRITTEN_ON = (
    (OtjEntry, '"date"'),
    (Evidence, """date_trunc('day', "updated_at" AT TIME ZONE 'UTC')"""),
)


def lay_out_as_written() -> None:
    """Put the rows of the big tables in the order a real provider's would lie (PostgreSQL).

    A provider's entries and items are written over months by everyone at once, so one
    apprenticeship's rows lie scattered through the table, a page for almost every row of
    a long log. Inserted apprenticeship by apprenticeship, each one's rows would share a
    few pages, and reading them would be timed far cheaper than on any real site. So each
    table is rewritten in the order of its dates, and within a day in an order that has
    nothing to do with the apprenticeship (the ids, shuffled by multiplying)."""
    with connection.cursor() as cursor:
        # Check the foreign keys now, not at commit: a table with checks still to run
        # cannot be rewritten in the same transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model, written_on in WRITTEN_ON:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"CREATE INDEX seed_scale_written_on ON {table} "  # noqa: S608 - our names
                f"(({written_on}), ((id * 2654435761) % 4294967291))"
            )
            cursor.execute(f"CLUSTER {table} USING seed_scale_written_on")
            cursor.execute("DROP INDEX seed_scale_written_on")


def _standard() -> StandardVersion:
    path = Path(settings.BASE_DIR) / "fixtures" / "standards" / "st0896-v1.0.json"
    return import_standard(data=load_standard_file(path)).standard_version


def _users(prefix: str, count: int, password: str) -> list[User]:
    return User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{n + 1}@scale.example.org",
                full_name=f"{prefix.replace('.', ' ').title()} {n + 1}",
                password=password,
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )


@transaction.atomic
def seed(
    apprentices: int,
    *,
    items: int = 100,
    entries: int = 500,
    big_items: int = 2000,
    big_entries: int = 5000,
    photos: bool = True,
    signed_reviews_for: int = 20,
    today: dt.date | None = None,
) -> Seeded:
    rng = random.Random(17)  # noqa: S311 - test data, not secrets
    today = today or timezone.localdate()
    standard = _standard()
    framework = framework_data.import_framework(
        data=framework_data.load_framework_file(framework_data.NCCMH_FIXTURE)
    )
    duties = list(standard.duties.order_by("number"))
    ksbs = list(standard.ksbs.all())
    units = list(
        FrameworkUnit.objects.filter(section__framework=framework).values_list("pk", flat=True)
    )
    password = make_password("scale-password")

    provider = Organisation.objects.create(name="Scale Peer Training", kind="provider")
    employers = Organisation.objects.bulk_create(
        [
            # Looked after by the provider's admin, as employers a provider signs up are.
            Organisation(name=f"Scale Employer {n + 1}", kind="employer", managed_by=provider)
            for n in range(max(1, apprentices // APPRENTICES_PER_EMPLOYER))
        ]
    )
    admin = User.objects.create_user(
        "admin@scale.example.org", "scale-password", full_name="Scale Admin"
    )
    enter_interim_minimum(provider, standard, admin)
    tutors = _users("tutor.", -(-apprentices // APPRENTICES_PER_TUTOR), password)
    contacts = _users("employer.contact.", len(employers), password)
    learners = _users("apprentice.", apprentices, password)
    OrganisationMembership.objects.bulk_create(
        [OrganisationMembership(user=admin, organisation=provider, is_admin=True)]
        + [OrganisationMembership(user=t, organisation=provider) for t in tutors]
        + [
            OrganisationMembership(user=c, organisation=e)
            for c, e in zip(contacts, employers, strict=True)
        ]
        + [
            OrganisationMembership(user=a, organisation=employers[n % len(employers)])
            for n, a in enumerate(learners)
        ],
        batch_size=BATCH,
    )
    enrolments = Apprenticeship.objects.bulk_create(
        [
            Apprenticeship(
                apprentice=a,
                standard_version=standard,
                provider=provider,
                employer=employers[n % len(employers)],
                start_date=_started(n, today),
                planned_end_date=_started(n, today) + dt.timedelta(days=PLANNED_DAYS),
                contracted_weekly_hours=Decimal("37.5"),
                date_of_birth=dt.date(1970 + n % 35, 1 + n % 12, 1 + n % 28),
            )
            for n, a in enumerate(learners)
        ],
        batch_size=BATCH,
    )
    # Each tutor and employer contact since the apprenticeship began (so no tutor counts
    # as new to the provider when its IQA lead draws a sample).
    Membership.objects.bulk_create(
        [
            Membership(
                apprenticeship=a,
                user=person,
                role=role,
                started_at=timezone.make_aware(dt.datetime.combine(a.start_date, dt.time(9))),
            )
            for n, a in enumerate(enrolments)
            for person, role in (
                (tutors[n // APPRENTICES_PER_TUTOR], Role.TUTOR),
                (contacts[n % len(employers)], Role.EMPLOYER),
            )
        ],
        batch_size=BATCH,
    )
    big = enrolments[0]
    big.competence_frameworks.add(framework)
    frozen = enrolments[FROZEN] if len(enrolments) > FROZEN else None
    evidence_count = 0
    entry_count = 0
    decided: dict[User, Counter] = defaultdict(Counter)
    for n, enrolment in enumerate(enrolments):
        if enrolment is big or enrolment is frozen:
            wanted = big_items
        else:
            wanted = max(1, int(rng.gauss(items, items / 4)))
        tutor = tutors[n // APPRENTICES_PER_TUTOR]
        evidence_count += _evidence(
            rng,
            enrolment,
            tutor,
            wanted,
            duties,
            ksbs,
            units if enrolment is big else [],
            photos and enrolment is big,
            today,
            decided[tutor],
            cover_every_duty=enrolment is frozen,
        )
        logged = big_entries if enrolment is big else max(1, int(rng.gauss(entries, entries / 4)))
        entry_count += _entries(rng, enrolment, tutor, logged, duties, today)
    # The evidence and entries went in in bulk: keep their standing as the services would.
    refresh_evidence_standing(apprenticeship_ids=[enrolment.pk for enrolment in enrolments])
    refresh_otj_standing(apprenticeship_ids=[enrolment.pk for enrolment in enrolments])
    # And the days of the tutors' decisions on evidence, as the review service counts them
    # (the services below count only sign-offs, reviews and gateway confirmations).
    DecisionDay.objects.bulk_create(
        [
            DecisionDay(
                provider=provider, made_by=t, stage=DecisionStage.EVIDENCE, day=day, decisions=n
            )
            for t, days in decided.items()
            for day, n in days.items()
        ],
        batch_size=BATCH,
    )
    reviews = _reviews(enrolments, tutors, contacts, employers, signed_reviews_for, today)
    if frozen is not None:
        entry_count += _train_enough(frozen, tutors[0], today)
        _pass_gateway(frozen, tutors[0], contacts[FROZEN % len(employers)], today)
        reviews += 1  # the review it holds three weeks before gateway
    plan = _quality_assurance(provider, admin, password, today)
    if connection.vendor == "postgresql":
        lay_out_as_written()
    return Seeded(
        apprenticeships=len(enrolments),
        evidence=evidence_count,
        entries=entry_count,
        reviews=reviews,
        big_portfolio=big.pk,
        frozen_portfolio=frozen.pk if frozen else None,
        iqa_plan=plan.pk,
    )


def _started(n: int, today: dt.date) -> dt.date:
    """Starts spread over 16 months; the frozen portfolio's long enough ago for gateway."""
    return today - dt.timedelta(days=FROZEN_DAYS_ON_PROGRAMME if n == FROZEN else 60 + n % 480)


def _evidence(
    rng,
    enrolment,
    tutor,
    count,
    duties,
    ksbs,
    units,
    photos,
    today,
    decided: Counter,
    *,
    cover_every_duty=False,
) -> int:
    """`count` items over the apprenticeship so far, in every state; accepted items get
    the version the tutor accepted; with `photos`, each item gets a photo of its own; with
    `cover_every_duty`, the first item for each duty is accepted. Each decision on an item
    is counted in `decided` by its day."""
    apprentice = enrolment.apprentice
    days = max(1, (today - enrolment.start_date).days)
    states = [s for s, share in STATES for _ in range(round(share * 100))]
    rows = []
    for n in range(count):
        state = states[rng.randrange(len(states))]
        if cover_every_duty and n < len(duties):
            state = Evidence.Status.ACCEPTED
        activity = enrolment.start_date + dt.timedelta(days=rng.randrange(days))
        when = timezone.make_aware(dt.datetime.combine(activity, dt.time(17)))
        rows.append(
            Evidence(
                apprenticeship=enrolment,
                title=f"Session {n + 1}: peer support at the drop-in",
                kind="work_record",
                activity_date=activity,
                account=ACCOUNT * (2 + n % 6),
                status=state,
                visible_to_employer=n % 4 != 0,
                created_at=when,
                updated_at=when,
                submitted_at=None if state == Evidence.Status.DRAFT else when,
                reviewed_at=when if state in ("accepted", "referred") else None,
                reviewed_by=tutor if state in ("accepted", "referred") else None,
            )
        )
    created = Evidence.objects.bulk_create(rows, batch_size=BATCH)
    duty_links, ksb_links, unit_links, files = [], [], [], []
    for n, item in enumerate(created):
        duty_links.append(Evidence.duties.through(evidence=item, duty=duties[n % len(duties)]))
        if ksbs:
            ksb_links.append(Evidence.ksbs.through(evidence=item, ksb=ksbs[n % len(ksbs)]))
        if units and n % 3 == 0:
            unit_links.append(
                Evidence.framework_units.through(
                    evidence=item, frameworkunit_id=units[n % len(units)]
                )
            )
        if photos:
            data = photo(n)
            name = default_storage.save(
                f"evidence/scale/{enrolment.pk}/{n + 1}.jpg", ContentFile(data)
            )
            files.append(
                EvidenceFile(
                    evidence=item,
                    file=name,
                    original_name=f"flipchart-{n + 1}.jpg",
                    content_type="image/jpeg",
                    category=EvidenceFile.Category.IMAGE,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    uploaded_by=apprentice,
                    uploaded_at=item.created_at,
                )
            )
    Evidence.duties.through.objects.bulk_create(duty_links, batch_size=BATCH)
    Evidence.ksbs.through.objects.bulk_create(ksb_links, batch_size=BATCH)
    Evidence.framework_units.through.objects.bulk_create(unit_links, batch_size=BATCH)
    stored = EvidenceFile.objects.bulk_create(files, batch_size=BATCH)
    file_of = {f.evidence_id: f for f in stored}
    accepted = [e for e in created if e.status == Evidence.Status.ACCEPTED]
    versions = EvidenceVersion.objects.bulk_create(
        [
            EvidenceVersion(
                evidence=e,
                number=1,
                title=e.title,
                kind=e.kind,
                activity_date=e.activity_date,
                account=e.account,
                submitted_at=e.submitted_at,
                accepted_at=e.reviewed_at,
                accepted_by=tutor,
            )
            for e in accepted
        ],
        batch_size=BATCH,
    )
    position = {e.pk: n for n, e in enumerate(created)}
    EvidenceVersion.duties.through.objects.bulk_create(
        [
            EvidenceVersion.duties.through(
                evidenceversion=v, duty=duties[position[v.evidence_id] % len(duties)]
            )
            for v in versions
        ],
        batch_size=BATCH,
    )
    if ksbs:
        EvidenceVersion.ksbs.through.objects.bulk_create(
            [
                EvidenceVersion.ksbs.through(
                    evidenceversion=v, ksb=ksbs[position[v.evidence_id] % len(ksbs)]
                )
                for v in versions
            ],
            batch_size=BATCH,
        )
    EvidenceVersion.files.through.objects.bulk_create(
        [
            EvidenceVersion.files.through(evidenceversion=v, evidencefile=file_of[v.evidence_id])
            for v in versions
            if v.evidence_id in file_of
        ],
        batch_size=BATCH,
    )
    by_evidence = {v.evidence_id: v.pk for v in versions}
    for item in accepted:
        item.accepted_version_id = by_evidence[item.pk]
    Evidence.objects.bulk_update(accepted, ["accepted_version"], batch_size=BATCH)
    # The tutor's decision on each reviewed item, posted to its thread with what they saw,
    # as the review service posts it (internal quality assurance samples these).
    EvidenceComment.objects.bulk_create(
        [
            EvidenceComment(
                evidence=e,
                author=tutor,
                kind=(
                    EvidenceComment.Kind.ACCEPTED
                    if e.status == Evidence.Status.ACCEPTED
                    else EvidenceComment.Kind.REFERRED
                ),
                version=1,
                body=DECISIONS[e.status],
                reviewed_content={
                    "title": e.title,
                    "kind": e.kind,
                    "activity_date": str(e.activity_date),
                    "account": e.account,
                    "duties": [duties[position[e.pk] % len(duties)].pk],
                    "ksbs": [ksbs[position[e.pk] % len(ksbs)].pk] if ksbs else [],
                    "files": [file_of[e.pk].pk] if e.pk in file_of else [],
                    "testimonies": [],
                },
                created_at=e.reviewed_at,
            )
            for e in created
            if e.status in (Evidence.Status.ACCEPTED, Evidence.Status.REFERRED)
        ],
        batch_size=BATCH,
    )
    decided.update(
        timezone.localdate(e.reviewed_at)
        for e in created
        if e.status in (Evidence.Status.ACCEPTED, Evidence.Status.REFERRED)
    )
    return len(created)


def _entries(rng, enrolment, tutor, count, duties, today) -> int:
    days = max(1, (today - enrolment.start_date).days)
    kinds = [ActivityType.values[n % len(ActivityType.values)] for n in range(5)]
    rows = []
    for n in range(count):
        date = enrolment.start_date + dt.timedelta(days=rng.randrange(days))
        verified = n % 10 < 7
        rows.append(
            OtjEntry(
                apprenticeship=enrolment,
                date=date,
                minutes=30 + 15 * (n % 12),
                activity_type=kinds[n % len(kinds)],
                duty=duties[n % len(duties)],
                description="Shadowed a group session and wrote up what I learned.",
                status=OtjEntry.Status.VERIFIED if verified else OtjEntry.Status.PENDING,
                decided_by=tutor if verified else None,
                decided_as="tutor" if verified else "",
                decided_at=timezone.now() if verified else None,
                created_by=enrolment.apprentice,
            )
        )
    OtjEntry.objects.bulk_create(rows, batch_size=BATCH)
    return count


def _reviews(enrolments, tutors, contacts, employers, signed_for, today) -> int:
    """Two reviews, signed by all three through the real services, for the first
    `signed_for` apprenticeships (the big portfolio among them); the rest get four
    scheduled reviews each, in bulk."""
    from portfolio.reviews.models import Review
    from portfolio.reviews.services.standing import refresh_standing

    count = 0
    for n, enrolment in enumerate(enrolments[:signed_for]):
        tutor = tutors[n // APPRENTICES_PER_TUTOR]
        contact = contacts[n % len(employers)]
        days = (today - enrolment.start_date).days
        for share in (1, 2):
            held_on = enrolment.start_date + dt.timedelta(days=days * share // 3)
            _signed_review(enrolment, tutor, contact, held_on, today)
            count += 1
    rows = [
        Review(
            apprenticeship=enrolment,
            scheduled_for=today + dt.timedelta(days=30 * k),
            created_by=tutors[n // APPRENTICES_PER_TUTOR],
        )
        for n, enrolment in enumerate(enrolments)
        if n >= signed_for
        for k in range(1, 5)
    ]
    Review.objects.bulk_create(rows, batch_size=BATCH)
    # Rows made in bulk bypass the services, so their standing is worked out here.
    refresh_standing(apprenticeship_ids=[enrolment.pk for enrolment in enrolments[signed_for:]])
    return count + len(rows)


def _signed_review(enrolment, tutor, contact, held_on: dt.date, today: dt.date) -> None:
    """A progress review recorded and signed by all three through the review services."""
    from portfolio.reviews.models import Review, ReviewParty
    from portfolio.reviews.services import reviews as review_services

    review = review_services.record_review(
        apprenticeship=enrolment,
        by=tutor,
        held_on=held_on,
        format="in_person",
        employer_signatory=contact,
        discussion="Settling in well; co-running the Tuesday peer group.",
        employer_view="Reliable and kind with people in crisis.",
        wellbeing="",
        targets=[("Write up one supervision session", today + dt.timedelta(days=30))],
        review=None,
    )
    for user, party in (
        (enrolment.apprentice, ReviewParty.APPRENTICE),
        (contact, ReviewParty.EMPLOYER),
        (tutor, ReviewParty.TUTOR),
    ):
        current = Review.objects.with_current().get(pk=review.pk)
        review_services.sign_review(
            review=current,
            by=user,
            party=party,
            seen_digest=review_services.seal_for(current.current_version, party),
        )


def _quality_assurance(provider, admin, password, today: dt.date) -> SamplingPlan:
    """The provider's IQA lead, named by its admin, and their plan: 5% of every kind of
    decision on every apprenticeship, its sample drawn over the last year."""
    from quality.iqa import services as iqa

    lead = User.objects.create(
        email="iqa.lead@scale.example.org", full_name="Scale IQA Lead", password=password
    )
    OrganisationMembership.objects.create(user=lead, organisation=provider)
    iqa.name_iqa_leads(provider=provider, by=admin, user_ids=[lead.pk])
    plan = iqa.make_plan(
        provider=provider,
        by=lead,
        name="Every apprenticeship",
        scope=SamplingPlan.Scope.COHORT,
        percent=5,
        stages=list(DecisionStage.values),
        cohort_start_from=today - dt.timedelta(days=PLANNED_DAYS * 2),
        cohort_start_to=today,
    )
    iqa.draw_sample(plan=plan, by=lead, start=today - dt.timedelta(days=365), end=today)
    return plan


def _pass_gateway(enrolment: Apprenticeship, tutor, contact, today: dt.date) -> None:
    """Take one apprenticeship (with its training done) through gateway with the real
    services: the tutor signs off every duty on up to three accepted items, English and
    maths are recorded, a review held three weeks ago is signed by all three, then the
    employer and the tutor confirm, and the gateway service freezes the portfolio."""
    from epa.selectors import gateway as gateway_selectors
    from epa.services import gateway as gateway_services
    from portfolio.evidence.selectors import sign_off_choices
    from portfolio.evidence.services import sign_offs

    for duty in enrolment.standard_version.duties.order_by("number"):
        sign_offs.sign_off_duty(
            apprenticeship=enrolment,
            duty=duty,
            by=tutor,
            evidence_versions=list(sign_off_choices(enrolment, duty)[:3]),
            comment="Accepted evidence shows this duty done safely and well.",
        )
    gateway_services.record_english_maths(
        apprenticeship=enrolment,
        by=tutor,
        english="level_2",
        maths="level_2",
        has_ehc_plan=False,
        evidence="GCSE English and maths, certificates seen.",
    )
    _signed_review(enrolment, tutor, contact, today - dt.timedelta(days=21), today)
    for party, person in (("employer", contact), ("provider", tutor)):
        gateway_services.declare(apprenticeship=enrolment, party=party, by=person, confirmed=True)
    enrolment.refresh_from_db()
    if not enrolment.is_post_gateway:
        waiting = [i.label for i in gateway_selectors.checklist(enrolment) if not i.holds]
        raise RuntimeError(f"The frozen portfolio did not pass gateway: {waiting}")


def _train_enough(enrolment: Apprenticeship, tutor, today: dt.date) -> int:
    """Verified training days, one a day back from yesterday, until the off-the-job
    training gateway asks for is logged and verified (a small seed logs too little).
    Returns how many it added."""
    from portfolio.training import selectors as otj

    total = otj.otj_summary(enrolment, today=today).total
    short = (total.required or 0) - total.verified
    if short <= 0:
        return 0
    days = -(-short // TRAINING_DAY_MINUTES)
    duties = list(enrolment.standard_version.duties.order_by("number"))
    OtjEntry.objects.bulk_create(
        [
            OtjEntry(
                apprenticeship=enrolment,
                date=today - dt.timedelta(days=1 + n),
                minutes=TRAINING_DAY_MINUTES,
                activity_type=ActivityType.PRACTICAL,
                duty=duties[n % len(duties)],
                description="Training day: the week's topic, practised with my tutor.",
                status=OtjEntry.Status.VERIFIED,
                decided_by=tutor,
                decided_as="tutor",
                decided_at=timezone.now(),
                created_by=enrolment.apprentice,
            )
            for n in range(days)
        ]
    )
    refresh_otj_standing(apprenticeship_ids=[enrolment.pk])
    return days
