import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apprenticeship import funding_rules, services
from apprenticeship.models import Apprenticeship, Membership, Role
from audit.models import AuditEvent
from tests import factories
from tests.helpers.outbox import deliver_outbox

TODAY = dt.date(2026, 11, 23)


def enrolment_values(personas, **overrides) -> dict:
    values = {
        "apprentice": personas["apprentice"],
        "standard_version": personas["apprenticeship"].standard_version,
        "provider": personas["apprenticeship"].provider,
        "employer": personas["apprenticeship"].employer,
        "start_date": dt.date(2026, 9, 1),
        "planned_end_date": dt.date(2027, 12, 1),
        "contracted_weekly_hours": Decimal("37.5"),
        "date_of_birth": dt.date(1990, 1, 1),
    }
    values.update(overrides)
    return values


def test_enrolling_records_who_and_what(personas):
    apprenticeship = services.create_apprenticeship(
        by=personas["admin"], today=TODAY, **enrolment_values(personas)
    )
    event = AuditEvent.objects.get(action="apprenticeship.created")
    assert event.actor == personas["admin"]
    assert event.apprenticeship_id == apprenticeship.pk
    assert event.after["start_date"] == "2026-09-01"
    assert event.after["standard_version"] == apprenticeship.standard_version_id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_end_date": dt.date(2026, 8, 1)}, "planned_end_date", "after the start date"),
        (
            {"planned_end_date": dt.date(2027, 3, 1)},
            "planned_end_date",
            "at least 8 months: the planned end date must be on or after 1 May 2027",
        ),
        ({"date_of_birth": dt.date(2027, 1, 1)}, "date_of_birth", "must be in the past"),
        ({"date_of_birth": dt.date(2011, 1, 1)}, "date_of_birth", "16 or over"),
        ({"contracted_weekly_hours": Decimal("0")}, "contracted_weekly_hours", "more than 0"),
        ({"contracted_weekly_hours": Decimal("-5")}, "contracted_weekly_hours", "more than 0"),
        ({"contracted_weekly_hours": Decimal("61")}, "contracted_weekly_hours", "at most 60"),
    ],
)
def test_bad_enrolment_details_are_refused_and_nothing_is_saved(
    personas, overrides, field, message
):
    before = Apprenticeship.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.create_apprenticeship(
            by=personas["admin"], today=TODAY, **enrolment_values(personas, **overrides)
        )
    assert message in " ".join(excinfo.value.message_dict[field])
    assert Apprenticeship.objects.count() == before
    assert not AuditEvent.objects.filter(action="apprenticeship.created").exists()


def test_the_apprentice_must_work_for_the_employer(personas):
    elsewhere = factories.EmployerFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.create_apprenticeship(
            by=personas["admin"], today=TODAY, **enrolment_values(personas, employer=elsewhere)
        )
    assert "does not work for" in excinfo.value.message_dict["apprentice"][0]


def test_the_wrong_kind_of_organisation_is_refused(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.create_apprenticeship(
            by=personas["admin"],
            today=TODAY,
            **enrolment_values(personas, provider=personas["apprenticeship"].employer),
        )
    assert "Choose a training provider." in excinfo.value.message_dict["provider"]


@pytest.mark.parametrize(
    ("start", "hours", "months"),
    [
        (dt.date(2021, 9, 1), Decimal("37.5"), 12),
        (dt.date(2023, 9, 1), Decimal("30"), 12),
        (dt.date(2023, 9, 1), Decimal("20"), 18),  # 12 x 30 / 20
        (dt.date(2024, 1, 1), Decimal("16"), 23),  # 22.5 rounded up
        (dt.date(2025, 8, 1), Decimal("16"), 8),  # no automatic extension from 2025
        (dt.date(2025, 7, 31), Decimal("37.5"), 12),
    ],
)
def test_minimum_duration_follows_the_rules_of_the_start_date(start, hours, months):
    assert funding_rules.minimum_duration_months(start, hours) == months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 23), 15, dt.date(2028, 2, 23)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert funding_rules.add_months(day, months) == expected


def test_the_standard_version_cannot_change_after_enrolment(personas):
    apprenticeship = personas["apprenticeship"]
    other = factories.StandardVersionFactory()
    with pytest.raises(services.EnrolmentError, match="stays on the standard version"):
        services.update_apprenticeship(
            apprenticeship=apprenticeship, by=personas["admin"], standard_version=other
        )


def test_updating_records_only_what_changed(personas):
    apprenticeship = personas["apprenticeship"]
    services.update_apprenticeship(
        apprenticeship=apprenticeship, by=personas["admin"], contracted_weekly_hours=Decimal("30")
    )
    event = AuditEvent.objects.get(action="apprenticeship.updated")
    assert event.before == {"contracted_weekly_hours": "37.5"}
    assert event.after == {"contracted_weekly_hours": "30"}


def test_a_tutor_must_work_for_the_provider(personas):
    stranger = factories.UserFactory()
    with pytest.raises(services.EnrolmentError, match="does not work for Northfield"):
        services.add_member(
            apprenticeship=personas["apprenticeship"],
            user=stranger,
            role=Role.TUTOR,
            by=personas["admin"],
        )


def test_ending_a_membership_keeps_the_row_and_needs_a_reason(personas):
    membership = personas["apprenticeship"].memberships.get(role=Role.TUTOR)
    with pytest.raises(services.EnrolmentError, match="Give a reason"):
        services.end_membership(membership=membership, by=personas["admin"], reason="  ")
    services.end_membership(membership=membership, by=personas["admin"], reason="New tutor")
    membership.refresh_from_db()
    assert not membership.is_active and membership.ended_reason == "New tutor"
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_only_one_active_membership_per_person_and_role(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            apprenticeship=personas["apprenticeship"], user=personas["tutor"], role=Role.TUTOR
        )


def test_inviting_a_new_person_creates_an_account_without_a_password_and_emails_a_link(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    employer = personas["apprenticeship"].employer
    with django_capture_on_commit_callbacks(execute=True):
        user, created = services.invite_person(
            email="New.Person@Example.org",
            full_name="New Person",
            organisation=employer,
            is_admin=False,
            by=personas["admin"],
        )
    assert created and user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert deliver_outbox() == 1
    assert len(mailoutbox) == 1
    assert "/accounts/invitation/" in mailoutbox[0].body
    assert mailoutbox[0].to == ["new.person@example.org"]


def test_inviting_someone_already_in_the_organisation_is_refused(personas):
    with pytest.raises(services.EnrolmentError, match="already works for"):
        services.invite_person(
            email="tutor@example.org",
            full_name="Tutor",
            organisation=personas["apprenticeship"].provider,
            is_admin=False,
            by=personas["admin"],
        )
