"""Organisations, people and enrolments at different stages."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import make_site_operator
from apprenticeship import services
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from standards.models import StandardVersion
from standards.parsing import load_standard_file
from standards.services.imports import import_standard

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

# The site operator looks after the standards every provider shares; no organisation.
OPERATOR = ("operator@example.org", "Olu Adebayo")

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


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    """A moment on `day`, for services that take now=."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def ensure_person(
    context, key: str, email: str, full_name: str, organisation, *, is_admin: bool = False
) -> User:
    """A demo login with the demo password, working for `organisation`."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name)
    user.set_password(context.password)
    user.save()
    OrganisationMembership.objects.get_or_create(
        user=user, organisation=organisation, is_active=True, defaults={"is_admin": is_admin}
    )
    context.people[key] = user
    return user


def ensure_operator(context) -> User:
    """The demo site operator, with the demo password."""
    email, full_name = OPERATOR
    user, _created, _changed = make_site_operator(email=email, full_name=full_name)
    user.set_password(context.password)
    user.save(update_fields=["password"])
    context.people["operator"] = user
    return user


def ensure_enrolment(
    context,
    key: str,
    *,
    apprentice: User,
    employer_key: str,
    start: dt.date,
    end: dt.date,
    born: dt.date,
    hours: Decimal,
) -> Apprenticeship:
    """The apprentice's enrolment on ST0896 with the demo tutor and the employer's contact
    (the person keyed like the employer), made once."""
    admin = context.people["admin"]
    apprenticeship = Apprenticeship.objects.filter(apprentice=apprentice).first()
    if apprenticeship is None:
        apprenticeship = services.create_apprenticeship(
            by=admin,
            apprentice=apprentice,
            standard_version=StandardVersion.objects.get(reference="ST0896", version="1.0"),
            provider=context.organisations["provider"],
            employer=context.organisations[employer_key],
            epao=context.organisations["epao"],
            start_date=start,
            planned_end_date=end,
            contracted_weekly_hours=hours,
            date_of_birth=born,
        )
    for role, person in (
        (Role.TUTOR, context.people["tutor"]),
        (Role.EMPLOYER, context.people[employer_key]),
    ):
        if not Membership.objects.filter(
            apprenticeship=apprenticeship, user=person, role=role, is_active=True
        ).exists():
            services.add_member(apprenticeship=apprenticeship, user=person, role=role, by=admin)
    context.apprenticeships[key] = apprenticeship
    return apprenticeship


@transaction.atomic
def seed(context) -> None:
    if not StandardVersion.objects.filter(reference="ST0896", version="1.0").exists():
        import_standard(data=load_standard_file(ST0896_FIXTURE), by_label="demo data")

    for key, (name, kind, managed_key) in ORGANISATIONS.items():
        managed_by = context.organisations.get(managed_key)
        organisation = Organisation.objects.filter(name=name, kind=kind).first()
        if organisation is None:
            organisation = services.create_organisation(
                name=name, kind=kind, managed_by=managed_by, by=None
            )
        context.organisations[key] = organisation

    for key, (email, full_name, org_key, is_admin) in PEOPLE.items():
        ensure_person(
            context, key, email, full_name, context.organisations[org_key], is_admin=is_admin
        )
    ensure_operator(context)

    today = timezone.localdate()
    for key, (person_key, employer_key, months_ago, born, hours) in ENROLMENTS.items():
        start = months_before(today, months_ago)
        ensure_enrolment(
            context,
            key,
            apprentice=context.people[person_key],
            employer_key=employer_key,
            start=start,
            end=months_before(start, -(15 if hours >= 30 else 20)),
            born=born,
            hours=hours,
        )
