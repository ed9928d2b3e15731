"""Auditor access: granting it, the single-use invitation link, taking it up, revoking it,
and recording every page and file the auditor opens.

The link works once and only for the account with the grant's email. Only the SHA-256 of
its token is stored; the email is written when it is sent, from a random salt the outbox
message keeps (the token is a keyed hash of that salt with SECRET_KEY), so no table holds
the token.
"""

import datetime as dt
import hmac
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Organisation
from audit.actions import AuditAction
from audit.services import record_event
from config.link_tokens import LinkTokens
from outbox import services as outbox
from outbox.runner import GiveUp
from quality import auditors as access
from quality.errors import QualityError
from quality.models import AUDITOR_MAX_DAYS, AuditorGrant

TOKEN_BYTES = 32

logger = logging.getLogger(__name__)


TOKENS = LinkTokens("auditor invitation")
token_hash = TOKENS.hash
token_for = TOKENS.token


def invitation_url(grant_id: int, token: str) -> str:
    return settings.SITE_URL + reverse("quality:auditor-invitation", args=[grant_id, token])


def ends_at_for(last_day: dt.date) -> dt.datetime:
    """Access works to the end of its last day (local time)."""
    next_day = last_day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))


def latest_last_day(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=AUDITOR_MAX_DAYS)


@transaction.atomic
def grant_access(
    *,
    organisation: Organisation,
    by: User,
    full_name: str,
    email: str,
    purpose: str,
    scope: str,
    apprenticeships: list[Apprenticeship],
    cohort_month: dt.date | None,
    standard_reference: str,
    areas: list[str],
    last_day: dt.date,
) -> AuditorGrant:
    """Give a named auditor read-only access to a scope of the organisation's records, for
    the areas chosen, up to the end of `last_day` (at most AUDITOR_MAX_DAYS from today), and
    email them a single-use link. The caller has checked that `by` administers
    `organisation`. Recorded in the history. The new grant carries its `token`."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if last_day < today:
        errors["last_day"] = "Choose today or a later day."
    elif last_day > latest_last_day(today):
        errors["last_day"] = (
            f"Access can last at most {AUDITOR_MAX_DAYS} days: choose "
            f"{latest_last_day(today):%-d %B %Y} or earlier."
        )
    allowed_areas = set(AuditorGrant.AREAS)
    if organisation.kind == Organisation.Kind.EPAO:
        allowed_areas &= access.EPAO_AREAS
    if not areas:
        errors["areas"] = "Choose at least one thing the auditor may see."
    elif set(areas) - allowed_areas:
        errors["areas"] = "An assessment organisation can open only the gateway and results."
    grantable = access.grantable_apprenticeships(organisation)
    if scope == AuditorGrant.Scope.APPRENTICESHIPS:
        if not apprenticeships:
            errors["apprenticeships"] = "Choose at least one apprenticeship."
        elif grantable.filter(pk__in=[a.pk for a in apprenticeships]).count() != len(
            {a.pk for a in apprenticeships}
        ):
            errors["apprenticeships"] = "Choose only your organisation's apprenticeships."
    elif scope == AuditorGrant.Scope.COHORT:
        if cohort_month is None:
            errors["cohort_month"] = "Choose the month the cohort started."
    elif scope == AuditorGrant.Scope.STANDARD:
        if not grantable.filter(standard_version__reference=standard_reference).exists():
            errors["standard_reference"] = "Choose a standard your apprentices follow."
    else:
        errors["scope"] = "Choose which apprenticeships the auditor may see."
    email = User.objects.normalize_email(email).strip().lower()
    if email == by.email.lower():
        errors["email"] = "You cannot give auditor access to yourself."
    if errors:
        raise ValidationError(errors)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif not user.is_active:
        raise ValidationError({"email": "This person's account is switched off."})
    salt = secrets.token_urlsafe(TOKEN_BYTES)
    token = token_for(salt)
    now = timezone.now()
    grant = AuditorGrant(
        organisation=organisation,
        full_name=full_name.strip(),
        email=email,
        user=user,
        purpose=purpose.strip(),
        scope=scope,
        cohort_month=cohort_month.replace(day=1)
        if scope == AuditorGrant.Scope.COHORT and cohort_month
        else None,
        standard_reference=standard_reference if scope == AuditorGrant.Scope.STANDARD else "",
        granted_by=by,
        granted_at=now,
        ends_at=ends_at_for(last_day),
        token_hash=token_hash(token),
        **{f"sees_{area}": area in areas for area in AuditorGrant.AREAS},
    )
    grant.full_clean()
    grant.save()
    if scope == AuditorGrant.Scope.APPRENTICESHIPS:
        grant.apprenticeships.set(apprenticeships)
    record_event(
        action=AuditAction.AUDITOR_ACCESS_GRANTED,
        obj=grant,
        actor=by,
        summary=(
            f"Gave {grant.full_name} ({email}) auditor access to {organisation.name}'s "
            f"records until the end of {last_day:%-d %B %Y}"
        ),
        after={
            "scope": scope,
            "areas": grant.areas,
            "ends_at": grant.ends_at,
            "apprenticeships": sorted(a.pk for a in apprenticeships)
            if scope == AuditorGrant.Scope.APPRENTICESHIPS
            else [],
            "cohort_month": grant.cohort_month,
            "standard_reference": grant.standard_reference,
        },
    )
    outbox.enqueue("quality.tasks.send_auditor_invitation", grant_id=grant.pk, salt=salt)
    grant.token = token
    return grant


def invitation_email(*, grant_id: int, salt: str) -> EmailMessage | None:
    """The invitation, written when it is sent; None when the grant can no longer be taken
    up (taken up already, revoked or ended)."""
    grant = (
        AuditorGrant.objects.select_related("organisation", "granted_by")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None or grant.accepted_at or grant.revoked_at or grant.ends_at <= timezone.now():
        logger.info("Auditor grant %s can no longer be taken up; no email to send.", grant_id)
        return None
    token = token_for(salt)
    if not hmac.compare_digest(token_hash(token), grant.token_hash):
        raise GiveUp(
            "The link in this email can't be made again (the site's secret key changed). "
            "Revoke this access and give it again."
        )
    body = render_to_string(
        "quality/auditor/email/invitation.txt",
        {
            "grant": grant,
            "url": invitation_url(grant.pk, token),
            "last_day": grant.last_day,
        },
    )
    subject = f"Read-only access to {grant.organisation.name}'s apprenticeship records"
    return EmailMessage(subject, body, None, [grant.email])


def open_invitation(*, grant_id: int, token: str, now: dt.datetime | None = None) -> AuditorGrant:
    """The grant the link is for, if it can still be taken up; otherwise QualityError with
    a plain message."""
    now = now or timezone.now()
    grant = (
        AuditorGrant.objects.select_related("organisation", "user", "granted_by")
        .filter(pk=grant_id, token_hash=token_hash(token))
        .first()
    )
    if grant is None:
        raise QualityError(
            "This link does not work. Check that you opened the whole link from the email."
        )
    if grant.accepted_at is not None:
        raise QualityError(
            "This link has already been used: each link works once. Sign in to see the "
            "records you were given access to."
        )
    if grant.revoked_at is not None:
        raise QualityError("This access was revoked, so the link no longer works.")
    if grant.ends_at <= now:
        raise QualityError("This access has ended, so the link no longer works.")
    return grant


@transaction.atomic
def accept_invitation(
    *, grant_id: int, token: str, by: User, now: dt.datetime | None = None
) -> AuditorGrant:
    """The auditor, signed in with the account the grant is for, takes up the access. The
    link is then used up. Recorded in the history."""
    now = now or timezone.now()
    grant = open_invitation(grant_id=grant_id, token=token, now=now)
    locked = AuditorGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.accepted_at is not None:
        raise QualityError("This link has already been used: each link works once.")
    if locked.user_id != by.pk:
        raise QualityError(
            f"This link is for {grant.email}. Sign out, then sign in with that email address."
        )
    locked.accepted_at = now
    locked.save(update_fields=["accepted_at"])
    record_event(
        action=AuditAction.AUDITOR_ACCESS_ACCEPTED,
        obj=locked,
        actor=by,
        summary=f"{grant.full_name} took up auditor access to {grant.organisation.name}'s records",
        after={"accepted_at": now},
    )
    locked.organisation = grant.organisation
    return locked


@transaction.atomic
def revoke_access(*, grant: AuditorGrant, by: User) -> AuditorGrant:
    """Stop the access now (the caller has checked that `by` administers the granting
    organisation). Recorded in the history. Revoking twice is refused."""
    locked = AuditorGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is not None:
        raise QualityError("This access has already been revoked.")
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        action=AuditAction.AUDITOR_ACCESS_REVOKED,
        obj=locked,
        actor=by,
        summary=f"Revoked {locked.full_name}'s auditor access",
        before={"ends_at": locked.ends_at},
        after={"revoked_at": locked.revoked_at},
    )
    return locked


def record_read(
    *, grant: AuditorGrant, by: User, what: str, apprenticeship: Apprenticeship | None = None
) -> None:
    """Record a page or file the auditor opened, in the grant's log and, for a page about
    one apprenticeship, in its history (the provider and the apprentice see who read)."""
    record_event(
        action=AuditAction.AUDITOR_READ,
        obj=grant,
        actor=by,
        apprenticeship_id=apprenticeship.pk if apprenticeship else None,
        summary=f"Auditor {grant.full_name} opened {what}",
        after={"what": what},
    )
