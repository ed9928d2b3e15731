"""Everything that changes organisations, people and enrolments. Each change is audited."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import two_factor
from accounts.models import User
from apprenticeship import funding_rules, separation
from apprenticeship.models import (
    Apprenticeship,
    DecisionDay,
    DecisionStage,
    Membership,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    Role,
)
from audit.actions import AuditAction
from audit.changes import end_row, snapshot
from audit.services import record_event
from outbox import services as outbox
from standards.models import StandardVersion

ENROLMENT_FIELDS = (
    "apprentice",
    "standard_version",
    "provider",
    "employer",
    "epao",
    "start_date",
    "planned_end_date",
    "contracted_weekly_hours",
    "date_of_birth",
    "uln",
)


class EnrolmentError(Exception):
    """A change to an organisation, person or enrolment that the rules do not allow."""


# -- organisations ---------------------------------------------------------------------


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, managed_by: Organisation | None, by: User | None
) -> Organisation:
    """A new organisation looked after by `managed_by` (a provider); a top-level provider
    has none and its first admin is added with `invite_person`."""
    if managed_by is not None and managed_by.kind != Organisation.Kind.PROVIDER:
        raise EnrolmentError("Only a training provider can look after other organisations.")
    organisation = Organisation(name=name.strip(), kind=kind, managed_by=managed_by)
    organisation.full_clean()
    organisation.save()
    record_event(
        action=AuditAction.ORGANISATION_CREATED,
        obj=organisation,
        actor=by,
        summary=f"Created {organisation.get_kind_display().lower()} {organisation.name}",
        after={"name": organisation.name, "kind": kind},
    )
    return organisation


@transaction.atomic
def rename_organisation(*, organisation: Organisation, name: str, by: User) -> Organisation:
    before = organisation.name
    organisation.name = name.strip()
    organisation.full_clean()
    organisation.save(update_fields=["name"])
    record_event(
        action=AuditAction.ORGANISATION_RENAMED,
        obj=organisation,
        actor=by,
        summary=f"Renamed {before} to {organisation.name}",
        before={"name": before},
        after={"name": organisation.name},
    )
    return organisation


# -- people ----------------------------------------------------------------------------


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:invitation", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def send_invitation(*, user: User, organisation: Organisation, by: User | None) -> None:
    """Email a link with which the person chooses their own password, through the outbox.
    The email is written when it is sent, so the link (a password token) is never stored."""
    outbox.enqueue(
        "apprenticeship.tasks.send_invitation",
        user_id=user.pk,
        organisation_id=organisation.pk,
        inviter_id=by.pk if by else None,
    )


def invitation_email(
    *, user_id: int, organisation_id: int, inviter_id: int | None
) -> EmailMessage | None:
    """The invitation, or None if there is no one left to invite (the person has chosen a
    password since, or is gone)."""
    user = User.objects.filter(pk=user_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None or user.has_usable_password():
        return None
    context = {
        "user": user,
        "organisation": organisation,
        "inviter": User.objects.filter(pk=inviter_id).first() if inviter_id else None,
        "url": invitation_url(user),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    return EmailMessage("Your Peer worker portfolio account", body, None, [user.email])


@transaction.atomic
def invite_person(
    *, email: str, full_name: str, organisation: Organisation, is_admin: bool, by: User | None
) -> tuple[User, bool]:
    """Add a person to an organisation and email them.

    A new person gets an account with no password, works for the organisation at once and
    is emailed a link to choose their password. Someone who already has an account is only
    invited: they get nothing of the organisation's until they accept, signed in
    (`accept_organisation_invitation`). Recorded in the history.

    Returns the user and whether the account is new.
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if OrganisationMembership.objects.filter(
        user=user, organisation=organisation, is_active=True
    ).exists():
        raise EnrolmentError(f"{email} already works for {organisation.name} here.")
    if not created:
        invite_existing_account(user=user, organisation=organisation, is_admin=is_admin, by=by)
        return user, False
    membership = OrganisationMembership(user=user, organisation=organisation, is_admin=is_admin)
    membership.full_clean()
    membership.save()
    record_event(
        action=AuditAction.PERSON_INVITED,
        obj=membership,
        actor=by,
        summary=f"Added {user.email} to {organisation.name}" + (" as admin" if is_admin else ""),
        after={"user": user.pk, "organisation": organisation.pk, "is_admin": is_admin},
    )
    send_invitation(user=user, organisation=organisation, by=by)
    return user, True


def invite_existing_account(
    *, user: User, organisation: Organisation, is_admin: bool, by: User | None
) -> OrganisationInvitation:
    """Invite someone who already has an account to work for `organisation`: a pending
    invitation and an email asking them to sign in and answer it. Refused if one is
    already waiting. Call inside a transaction (invite_person does)."""
    if OrganisationInvitation.objects.filter(
        user=user, organisation=organisation, status=OrganisationInvitation.Status.PENDING
    ).exists():
        raise EnrolmentError(
            f"{user.email} has already been invited to {organisation.name} and has not "
            "answered yet."
        )
    invitation = OrganisationInvitation(
        user=user, organisation=organisation, is_admin=is_admin, invited_by=by
    )
    invitation.full_clean()
    invitation.save()
    record_event(
        action=AuditAction.ORGANISATION_INVITATION_SENT,
        obj=invitation,
        actor=by,
        summary=f"Invited {user.email} to work for {organisation.name}"
        + (" as admin" if is_admin else "")
        + "; they must accept",
        after={"user": user.pk, "organisation": organisation.pk, "is_admin": is_admin},
    )
    body = render_to_string(
        "accounts/email/organisation_invitation.txt",
        {
            "user": user,
            "organisation": organisation,
            "inviter": by,
            "is_admin": is_admin,
            "url": settings.SITE_URL + reverse("apprenticeship:invitation-list"),
        },
    )
    outbox.enqueue(
        "outbox.tasks.send_email",
        to=[user.email],
        subject=f"You are invited to join {organisation.name}",
        body=body,
    )
    return invitation


def _lock_pending_invitation(invitation: OrganisationInvitation, by: User):
    locked = (
        OrganisationInvitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=invitation.pk)
    )
    if locked.user_id != by.pk:
        raise EnrolmentError("Only the person invited can answer an invitation.")
    if locked.status != OrganisationInvitation.Status.PENDING:
        raise EnrolmentError(
            f"This invitation has already been answered ({locked.get_status_display().lower()})."
        )
    return locked


@transaction.atomic
def accept_organisation_invitation(
    *, invitation: OrganisationInvitation, by: User
) -> OrganisationMembership:
    """The invited person, signed in, accepts: from now on they work for the organisation.
    Only that person can accept, once. Recorded in the history."""
    locked = _lock_pending_invitation(invitation, by)
    organisation = locked.organisation
    membership = OrganisationMembership.objects.filter(
        user=by, organisation=organisation, is_active=True
    ).first()
    if membership is None:
        membership = OrganisationMembership(
            user=by, organisation=organisation, is_admin=locked.is_admin
        )
        membership.full_clean()
        membership.save()
    locked.status = OrganisationInvitation.Status.ACCEPTED
    locked.answered_at = timezone.now()
    locked.membership = membership
    locked.save(update_fields=["status", "answered_at", "membership"])
    record_event(
        action=AuditAction.ORGANISATION_INVITATION_ACCEPTED,
        obj=locked,
        actor=by,
        summary=f"{by.email} accepted the invitation to work for {organisation.name}",
        before={"status": OrganisationInvitation.Status.PENDING},
        after={"status": locked.status, "membership": membership.pk},
    )
    return membership


@transaction.atomic
def decline_organisation_invitation(
    *, invitation: OrganisationInvitation, by: User
) -> OrganisationInvitation:
    """The invited person declines: nothing changes for them, the answer is kept and
    recorded in the history."""
    locked = _lock_pending_invitation(invitation, by)
    locked.status = OrganisationInvitation.Status.DECLINED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    record_event(
        action=AuditAction.ORGANISATION_INVITATION_DECLINED,
        obj=locked,
        actor=by,
        summary=f"{by.email} declined the invitation to work for {locked.organisation.name}",
        before={"status": OrganisationInvitation.Status.PENDING},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def resend_invitation(*, person: User, by: User) -> None:
    """Email a new link to choose a password. Links sent before stop working: a link's
    token is made from the account's password field, which gets a fresh unusable value
    here (the new email's link is made when it is sent, from the new value)."""
    if person.has_usable_password():
        raise EnrolmentError(f"{person.full_name} has already chosen a password.")
    membership = (
        person.org_memberships.filter(is_active=True).select_related("organisation").first()
    )
    if membership is None:
        raise EnrolmentError(f"{person.full_name} does not work for any organisation here.")
    record_event(
        action=AuditAction.PERSON_INVITATION_RESENT,
        obj=person,
        actor=by,
        summary=f"Sent a new invitation to {person.email}; earlier links no longer work",
    )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    send_invitation(user=person, organisation=membership.organisation, by=by)


@transaction.atomic
def reset_two_factor(*, person: User, by: User) -> None:
    """An admin removes a person's authenticator app and recovery codes (a lost phone):
    they sign in with their password next time, and set it up again (at once, if they
    must use it). Recorded in the history."""
    if not two_factor.remove_two_factor(user=person):
        raise EnrolmentError(f"{person.full_name} has not set up two-factor sign-in.")
    record_event(
        action=AuditAction.PERSON_TWO_FACTOR_RESET,
        obj=person,
        actor=by,
        summary=f"Reset the two-factor sign-in of {person.email}",
    )


# -- enrolments ------------------------------------------------------------------------


def validate_enrolment(
    *,
    apprentice: User,
    provider: Organisation,
    employer: Organisation,
    epao: Organisation | None,
    start_date: dt.date,
    planned_end_date: dt.date,
    contracted_weekly_hours: Decimal,
    date_of_birth: dt.date,
    today: dt.date | None = None,
    check_employment: bool = True,
    **_other,
) -> None:
    """Raise ValidationError, keyed by field, for anything the rules refuse.

    `check_employment=False` leaves out whether the apprentice works for the employer, for
    a preview of people and employers not created yet (bulk enrolment)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if provider.kind != Organisation.Kind.PROVIDER:
        errors["provider"] = "Choose a training provider."
    if employer.kind != Organisation.Kind.EMPLOYER:
        errors["employer"] = "Choose an employer."
    if epao is not None and epao.kind != Organisation.Kind.EPAO:
        errors["epao"] = "Choose an end-point assessment organisation."
    if (
        check_employment
        and not OrganisationMembership.objects.filter(
            user=apprentice, organisation=employer, is_active=True
        ).exists()
    ):
        errors["apprentice"] = (
            f"{apprentice.full_name} does not work for {employer.name}. "
            "Add them to the employer first."
        )
    if date_of_birth >= today:
        errors["date_of_birth"] = "The date of birth must be in the past."
    elif Apprenticeship(date_of_birth=date_of_birth, start_date=start_date).age_at_start() < 16:
        errors["date_of_birth"] = "Apprentices must be 16 or over on their start date."
    if not Decimal(0) < contracted_weekly_hours <= Decimal(60):
        errors["contracted_weekly_hours"] = "Contracted hours must be more than 0 and at most 60."
    if planned_end_date <= start_date:
        errors["planned_end_date"] = "The planned end date must be after the start date."
    elif "contracted_weekly_hours" not in errors:
        months = funding_rules.minimum_duration_months(start_date, contracted_weekly_hours)
        earliest = funding_rules.add_months(start_date, months)
        if planned_end_date < earliest:
            errors["planned_end_date"] = (
                f"For this start date and these hours the funding rules need at least {months} "
                f"months: the planned end date must be on or after {earliest:%-d %B %Y}."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_apprenticeship(
    *,
    by: User | None,
    apprentice: User,
    standard_version: StandardVersion,
    provider: Organisation,
    employer: Organisation,
    start_date: dt.date,
    planned_end_date: dt.date,
    contracted_weekly_hours: Decimal,
    date_of_birth: dt.date,
    epao: Organisation | None = None,
    uln: str = "",
    today: dt.date | None = None,
) -> Apprenticeship:
    """Enrol an apprentice on a standard version. The version is fixed from now on."""
    values: dict[str, Any] = {
        "apprentice": apprentice,
        "standard_version": standard_version,
        "provider": provider,
        "employer": employer,
        "epao": epao,
        "start_date": start_date,
        "planned_end_date": planned_end_date,
        "contracted_weekly_hours": contracted_weekly_hours,
        "date_of_birth": date_of_birth,
        "uln": uln,
    }
    validate_enrolment(**values, today=today)
    apprenticeship = Apprenticeship(**values)
    apprenticeship.full_clean()
    apprenticeship.save()
    record_event(
        action=AuditAction.APPRENTICESHIP_CREATED,
        obj=apprenticeship,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Enrolled {apprentice.full_name} on {standard_version}",
        after=snapshot(apprenticeship, ENROLMENT_FIELDS),
    )
    return apprenticeship


@transaction.atomic
def update_apprenticeship(*, apprenticeship: Apprenticeship, by: User, **changes) -> Apprenticeship:
    """Change an enrolment's details. The standard version cannot change once enrolled."""
    if "standard_version" in changes and (
        changes["standard_version"].pk != apprenticeship.standard_version_id
    ):
        raise EnrolmentError("An enrolment stays on the standard version it started on.")
    locked = Apprenticeship.objects.select_for_update().get(pk=apprenticeship.pk)
    before = snapshot(locked, ENROLMENT_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    validate_enrolment(**{name: getattr(locked, name) for name in ENROLMENT_FIELDS})
    locked.full_clean()
    locked.save(update_fields=[name for name in changes if name != "standard_version"])
    after = snapshot(locked, ENROLMENT_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record_event(
            action=AuditAction.APPRENTICESHIP_UPDATED,
            obj=locked,
            actor=by,
            apprenticeship_id=locked.pk,
            summary="Changed " + ", ".join(k.replace("_", " ") for k in changed),
            before={k: before[k] for k in changed},
            after=changed,
        )
    return locked


# -- moving to another version of the standard -------------------------------------------


@transaction.atomic
def add_member(
    *, apprenticeship: Apprenticeship, user: User, role: Role, by: User | None
) -> Membership:
    """Give a person a role on an enrolment: a tutor from the provider, an employer contact
    from the employer, and never someone who already acts for another party to it
    (apprenticeship/separation.py)."""
    required_org = {
        Role.TUTOR: apprenticeship.provider,
        Role.EMPLOYER: apprenticeship.employer,
    }.get(role)
    if required_org is None:
        raise EnrolmentError("Only tutors and employer contacts are assigned here.")
    if not OrganisationMembership.objects.filter(
        user=user, organisation=required_org, is_active=True
    ).exists():
        raise EnrolmentError(f"{user.full_name} does not work for {required_org.name}.")
    if user.pk == apprenticeship.apprentice_id:
        raise EnrolmentError("The apprentice cannot also be their own tutor or employer contact.")
    if Membership.objects.filter(
        apprenticeship=apprenticeship, user=user, role=role, is_active=True
    ).exists():
        raise EnrolmentError(f"{user.full_name} is already {Role(role).label.lower()} here.")
    conflicts = separation.role_conflicts(apprenticeship, user, role)
    if conflicts:
        raise EnrolmentError(" ".join(conflicts))
    membership = Membership(apprenticeship=apprenticeship, user=user, role=role)
    membership.full_clean()
    membership.save()
    record_event(
        action=AuditAction.MEMBERSHIP_ADDED,
        obj=membership,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"{user.full_name} is now {Role(role).label.lower()}",
        after={"user": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by: User, reason: str) -> Membership:
    """Take a person off an enrolment. The row stays, marked ended, with the reason."""
    reason = reason.strip()
    if not reason:
        raise EnrolmentError("Give a reason for taking this person off the apprenticeship.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    end_row(
        locked,
        by=by,
        reason=reason,
        action=AuditAction.MEMBERSHIP_ENDED,
        summary=f"{membership.user.full_name} is no longer {locked.get_role_display().lower()}",
        apprenticeship_id=locked.apprenticeship_id,
        already=EnrolmentError("This person has already been taken off the apprenticeship."),
        also={"is_active": False},
        before={"is_active": True},
        after={"is_active": False, "reason": reason},
    )
    return locked


def lock_apprenticeship(apprenticeship: Apprenticeship | int) -> Apprenticeship:
    """The apprenticeship row again, fresh and locked until the transaction ends, with its
    standard and organisations. Every change that checks other rows of the apprenticeship
    (off-the-job entries, breaks, reviews, the assessment) takes this lock first and only
    then any child row's, so concurrent saves are checked one after the other and never
    deadlock."""
    pk = apprenticeship if isinstance(apprenticeship, int) else apprenticeship.pk
    return (
        Apprenticeship.objects.select_for_update(of=("self",))
        .select_related("standard_version", "apprentice", "employer", "provider", "epao")
        .get(pk=pk)
    )


def count_decision(
    *, apprenticeship: Apprenticeship, made_by: User, stage: DecisionStage, at: dt.datetime
) -> None:
    """Count one decision of `stage` that `made_by` recorded `at` on this apprenticeship in
    its provider's `DecisionDay`, in the caller's transaction. Two queries: make the day's
    row if it is missing (a concurrent maker of the same row waits, then makes nothing),
    then add one in the database, so two decisions counted at once both count."""
    key = {
        "provider_id": apprenticeship.provider_id,
        "made_by_id": made_by.pk,
        "stage": stage,
        "day": timezone.localdate(at),
    }
    DecisionDay.objects.bulk_create([DecisionDay(**key)], ignore_conflicts=True)
    DecisionDay.objects.filter(**key).update(decisions=F("decisions") + 1)
