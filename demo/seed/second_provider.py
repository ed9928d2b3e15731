"""A second training provider with its own people, employer and apprentices, so the demo
shows that providers share an installation without seeing or changing each other's
records: Eastgate's admin sees none of Northfield's apprentices, and Northfield's interim
off-the-job minimum does not apply to Eastgate's (whose total stays "not known yet")."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apprenticeship import services
from apprenticeship.models import Apprenticeship, Membership, Organisation, Role
from demo.seed.core import ensure_person, months_before
from portfolio.training.models import ActivityType, OtjEntry
from portfolio.training.services import log as otj_log
from standards.models import StandardVersion

ORGANISATIONS = {
    "p2_provider": ("Eastgate Learning", Organisation.Kind.PROVIDER, None),
    "p2_employer": ("Eastgate Recovery Cafe", Organisation.Kind.EMPLOYER, "p2_provider"),
}
PEOPLE = {
    # key: (email, full name, organisation key, is admin)
    "p2_admin": ("eastgate.admin@example.org", "Grace Whitfield", "p2_provider", True),
    "p2_tutor": ("eastgate.tutor@example.org", "Omar Haddad", "p2_provider", False),
    "p2_employer": ("cafe.manager@example.org", "Bea Lindqvist", "p2_employer", False),
    "p2_apprentice": ("lena.moss@example.org", "Lena Moss", "p2_employer", False),
}


def _organisation(context, key: str) -> Organisation:
    name, kind, managed_key = ORGANISATIONS[key]
    organisation = Organisation.objects.filter(name=name, kind=kind).first()
    if organisation is None:
        organisation = services.create_organisation(
            name=name,
            kind=kind,
            managed_by=context.organisations.get(managed_key),
            by=None,
        )
    context.organisations[key] = organisation
    return organisation


@transaction.atomic
def seed(context) -> None:
    today = timezone.localdate()
    for key in ORGANISATIONS:
        _organisation(context, key)
    for key, (email, full_name, org_key, is_admin) in PEOPLE.items():
        ensure_person(
            context, key, email, full_name, context.organisations[org_key], is_admin=is_admin
        )
    admin, apprentice = context.people["p2_admin"], context.people["p2_apprentice"]
    apprenticeship = Apprenticeship.objects.filter(apprentice=apprentice).first()
    if apprenticeship is None:
        start = months_before(today, 5)
        apprenticeship = services.create_apprenticeship(
            by=admin,
            apprentice=apprentice,
            standard_version=StandardVersion.objects.get(reference="ST0896", version="1.0"),
            provider=context.organisations["p2_provider"],
            employer=context.organisations["p2_employer"],
            epao=context.organisations.get("epao"),
            start_date=start,
            planned_end_date=start + dt.timedelta(days=460),
            contracted_weekly_hours=Decimal("30"),
            date_of_birth=dt.date(1990, 4, 2),
        )
    for role, key in ((Role.TUTOR, "p2_tutor"), (Role.EMPLOYER, "p2_employer")):
        person = context.people[key]
        if not Membership.objects.filter(
            apprenticeship=apprenticeship, user=person, role=role, is_active=True
        ).exists():
            services.add_member(apprenticeship=apprenticeship, user=person, role=role, by=admin)
    context.apprenticeships["p2_apprentice"] = apprenticeship
    if not OtjEntry.objects.filter(apprenticeship=apprenticeship).exists():
        duty = apprenticeship.standard_version.duties.order_by("number").first()
        for weeks_ago in (12, 9, 6, 3, 1):
            otj_log.log_otj_entry(
                apprenticeship=apprenticeship,
                by=apprentice,
                date=today - dt.timedelta(weeks=weeks_ago),
                minutes=180,
                activity_type=ActivityType.TEACHING,
                duty=duty,
                description="Taught session at Eastgate on building trust in a peer relationship.",
                today=today,
            )
