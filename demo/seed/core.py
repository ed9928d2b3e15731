"""Organisations, people and enrolments at different stages."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import services
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from standards import services as standard_services
from standards.models import StandardVersion

ST0896_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "standards" / "st0896-v1.0.json"

ORGANISATIONS = {
    # key: (name, kind, managed by key)
    "provider": ("Northfield Peer Training", Organisation.Kind.PROVIDER, None),
    "employer": (
        "Riverside Community Mental Health Service",
        Organisation.Kind.EMPLOYER,
        "provider",
    ),
    "employer2": ("Harbour Housing and Recovery", Organisation.Kind.EMPLOYER, "provider"),
    "epao": ("Fairway End-Point Assessment", Organisation.Kind.EPAO, "provider"),
}

PEOPLE = {
    # key: (email, full name, organisation key, is admin)
    "admin": ("admin@example.org", "Alex Morgan", "provider", True),
    "tutor": ("tutor@example.org", "Tara Okafor", "provider", False),
    "employer": ("employer@example.org", "Eleanor Hughes", "employer", False),
    "employer2": ("housing.manager@example.org", "Dev Patel", "employer2", False),
    "assessor": ("assessor@example.org", "Imran Shah", "epao", False),
    "apprentice": ("apprentice@example.org", "Jamie Reid", "employer", False),
    "sam": ("sam.carter@example.org", "Sam Carter", "employer", False),
    "priya": ("priya.nair@example.org", "Priya Nair", "employer2", False),
    "kofi": ("kofi.mensah@example.org", "Kofi Mensah", "employer2", False),
}

ENROLMENTS = {
    # key: (apprentice key, employer key, months ago started, date of birth, weekly hours)
    "apprentice": ("apprentice", "employer", 7, dt.date(1986, 3, 14), Decimal("37.5")),
    "sam": ("sam", "employer", 1, dt.date(1999, 11, 2), Decimal("30")),
    "priya": ("priya", "employer2", 13, dt.date(1979, 6, 21), Decimal("37.5")),
    "kofi": ("kofi", "employer2", 4, dt.date(1992, 1, 9), Decimal("22.5")),
}


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, 28))


@transaction.atomic
def seed(context) -> None:
    standard = StandardVersion.objects.filter(reference="ST0896", version="1.0").first()
    if standard is None:
        data = standard_services.load_standard_file(ST0896_FIXTURE)
        standard = standard_services.import_standard(data=data).standard_version

    for key, (name, kind, managed_key) in ORGANISATIONS.items():
        managed_by = context.organisations.get(managed_key)
        organisation = Organisation.objects.filter(name=name, kind=kind).first()
        if organisation is None:
            organisation = services.create_organisation(
                name=name, kind=kind, managed_by=managed_by, by=None
            )
        context.organisations[key] = organisation

    for key, (email, full_name, org_key, is_admin) in PEOPLE.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name)
        user.set_password(context.password)
        user.save()
        OrganisationMembership.objects.get_or_create(
            user=user,
            organisation=context.organisations[org_key],
            is_active=True,
            defaults={"is_admin": is_admin},
        )
        context.people[key] = user

    today = timezone.localdate()
    admin = context.people["admin"]
    for key, (person_key, employer_key, months_ago, born, hours) in ENROLMENTS.items():
        apprentice = context.people[person_key]
        apprenticeship = Apprenticeship.objects.filter(apprentice=apprentice).first()
        if apprenticeship is None:
            start = months_before(today, months_ago)
            duration = 15 if hours >= 30 else 20
            apprenticeship = services.create_apprenticeship(
                by=admin,
                apprentice=apprentice,
                standard_version=standard,
                provider=context.organisations["provider"],
                employer=context.organisations[employer_key],
                epao=context.organisations["epao"],
                start_date=start,
                planned_end_date=months_before(start, -duration),
                contracted_weekly_hours=hours,
                date_of_birth=born,
                today=today,
            )
        context.apprenticeships[key] = apprenticeship
        contacts = {"employer": "employer", "employer2": "employer2"}
        for role, person in (
            (Role.TUTOR, context.people["tutor"]),
            (Role.EMPLOYER, context.people[contacts[employer_key]]),
        ):
            if not Membership.objects.filter(
                apprenticeship=apprenticeship, user=person, role=role, is_active=True
            ).exists():
                services.add_member(apprenticeship=apprenticeship, user=person, role=role, by=admin)
