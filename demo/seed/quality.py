"""Moderation at Fairway: for the last 60 days its results have waited for a moderator
before the provider and the apprentice see them (every distinction and fail, and one in
ten of the rest). Two more apprentices passed gateway: Hana's distinction was moderated
and released, and Fairway has recorded asking for her certificate; Dan's distinction
waits for the moderator. Results confirmed before the policy (Aisha's,
Tom's, Owen's) were released at once. Built through the services."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apprenticeship.models import OrganisationMembership
from demo.seed import gateway
from demo.seed.core import at, ensure_person
from demo.seed.epa import _confirm, _enrol, _record
from epa.models import AssessmentRound, ConflictDeclaration
from epa.services import assessment as services
from epa.services import assessors
from quality.models import ModerationCase, ModerationPolicy
from quality.services import certificates, moderation
from standards.models import AssessmentPlan

MODERATOR = ("moderator@example.org", "Ruth Okafor")

APPRENTICES = {
    # key: (email, full name, employer key, months ago started, date of birth,
    #       days since gateway, whether the moderator has decided)
    "hana": (
        "hana.osei@example.org",
        "Hana Osei",
        "employer",
        18,
        dt.date(1990, 6, 21),
        50,
        True,
    ),
    "dan": (
        "dan.morris@example.org",
        "Dan Morris",
        "employer2",
        17,
        dt.date(1986, 1, 9),
        35,
        False,
    ),
}


@transaction.atomic
def seed(context) -> None:
    epao = context.organisations["epao"]
    epao_admin = context.people["epao_admin"]
    assessor = context.people["assessor"]
    moderator = ensure_person(context, "moderator", *MODERATOR, epao)
    OrganisationMembership.objects.filter(user=moderator, organisation=epao, is_active=True).update(
        is_moderator=True
    )
    today = timezone.localdate()
    if not ModerationPolicy.objects.filter(epao=epao).exists():
        moderation.set_moderation_policy(
            epao=epao,
            by=epao_admin,
            is_active=True,
            all_highest=True,
            all_fails=True,
            pass_percent=10,
            now=at(today - dt.timedelta(days=60), 9),
        )
    plan = AssessmentPlan.objects.get(
        standard_version=context.apprenticeships["apprentice"].standard_version
    )
    observation, discussion = plan.methods.order_by("order")
    for key, (email, name, employer_key, months_ago, born, days, decided) in APPRENTICES.items():
        apprenticeship = _enrol(context, key, email, name, employer_key, months_ago, born)
        apprenticeship = gateway.pass_gateway(context, apprenticeship, days_ago=days)
        context.apprenticeships[key] = apprenticeship
        if AssessmentRound.objects.filter(apprenticeship=apprenticeship).exists():
            continue
        gateway_day = timezone.localdate(apprenticeship.gateway_passed_at)
        assessors.assign_assessor(apprenticeship=apprenticeship, assessor=assessor, by=epao_admin)
        if not ConflictDeclaration.objects.filter(
            apprenticeship=apprenticeship, assessor=assessor
        ).exists():
            services.declare_no_conflict(
                apprenticeship=apprenticeship,
                assessor=assessor,
                now=at(gateway_day + dt.timedelta(days=2), 10),
            )
        first_day = gateway_day + dt.timedelta(days=5)
        _record(apprenticeship, observation, assessor, start=first_day, grade="pass")
        discussion_day = first_day + dt.timedelta(days=10)
        _record(apprenticeship, discussion, assessor, start=discussion_day, grade="distinction")
        confirmed_on = discussion_day + dt.timedelta(days=1)
        round_ = _confirm(apprenticeship, assessor, on=confirmed_on)
        if decided:
            released_on = confirmed_on + dt.timedelta(days=3)
            moderation.confirm_moderation(
                case=ModerationCase.objects.get(round=round_),
                by=moderator,
                note="The notes show clear, safe use of lived experience across all four "
                "themes. Distinction confirmed.",
                now=at(released_on, 14),
            )
            certificates.record_certificate_request(
                round_=round_, by=epao_admin, requested_on=released_on + dt.timedelta(days=2)
            )
