"""Accounts: invitation links and site operators."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


class AccountError(Exception):
    """A change to an account that is not allowed; the message says why."""


def invitation_url(user: User) -> str:
    """A link with which `user` chooses their own password (it works once)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:invitation", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def make_site_operator(*, email: str, full_name: str = "") -> tuple[User, bool, bool]:
    """Make the person with this email a site operator, creating an account with no
    password if there is none. Idempotent. A switched-off account is refused
    (AccountError): switching it back on is a decision of its own.

    Returns the user, whether the account is new, and whether anything changed.
    """
    email = User.objects.normalize_email(email).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"{email!r} is not an email address.") from None
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, full_name=full_name.strip() or email.split("@")[0])
        user.set_unusable_password()
        user.full_clean()
    elif not user.is_active:
        raise AccountError(f"The account of {email} is switched off, so it was not changed.")
    elif user.is_superuser:
        return user, False, False
    user.is_superuser = True
    user.save()
    return user, created, True
