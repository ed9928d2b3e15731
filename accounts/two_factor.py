"""Two-factor sign-in: a code from an authenticator app (TOTP) after the password, with ten
single-use recovery codes for a lost phone. Built on django-otp's TOTP and static devices.

Who must use it (provider admins, assessment organisation admins, site operators) is
decided above this layer, by the function `settings.TWO_FACTOR_STAFF_CHECK` names; everyone
else may turn it on from their account page. The session says how this sign-in went, in
`SESSION_KEY`: passed the second factor, signed in with a password only, or must set up
two-factor sign-in before anything else (TwoFactorSetupMiddleware). Wrong codes count
towards the same sign-in lockout as wrong passwords (accounts/views.py).
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

SESSION_KEY = "two_factor"
VERIFIED = "verified"
WITHOUT_CODE = "without_code"
SETUP_REQUIRED = "setup"
# The person who gave the right password and has yet to give their code (not signed in).
PENDING_KEY = "two_factor_pending"
# How long after the password the code may be given.
PENDING_SECONDS = 10 * 60

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class TwoFactorError(Exception):
    """A code that is not right, or a step out of order; the message says what to do."""


def must_use_two_factor(user: User) -> bool:
    """Whether `user` must set up two-factor sign-in before using the site."""
    if not settings.REQUIRE_TWO_FACTOR_FOR_STAFF:
        return False
    return bool(import_string(settings.TWO_FACTOR_STAFF_CHECK)(user))


def has_two_factor(user: User) -> bool:
    """Whether `user` has a confirmed authenticator app (one query)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_after_password(user: User) -> str:
    """The session's state for someone signed in with a password alone."""
    return SETUP_REQUIRED if must_use_two_factor(user) else WITHOUT_CODE


@transaction.atomic
def start_setup(*, user: User) -> TOTPDevice:
    """The not yet confirmed authenticator app being set up for `user` (the same one each
    time the setup page is opened, so the QR code stays the same until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The device's key as people type it into an app: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the device's otpauth:// address (made here, no request
    leaves the site)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000")


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def confirm_setup(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Turn on the app being set up once `code` comes from it: it replaces any earlier app,
    and a fresh set of recovery codes replaces any earlier set. Returns the recovery codes
    (shown once). Raises TwoFactorError if the code is not right."""
    locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
    if locked is None or locked.confirmed:
        raise TwoFactorError("This set-up has already finished. Start again if you need to.")
    if not locked.verify_token(_clean(code)):
        raise TwoFactorError(
            "That code is not right. Check the app shows Peer worker portfolio, and type the "
            "six digits it shows now."
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Ten new single-use recovery codes for `user`; any earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` for `user`: the app's current code, or one of the
    recovery codes (which is then used up). None if neither does."""
    code = _clean(code)
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def remove_two_factor(*, user: User) -> bool:
    """Remove `user`'s authenticator app and recovery codes. Returns whether there were
    any. The history of an admin's reset is recorded by the caller."""
    apps, _ = TOTPDevice.objects.filter(user=user).delete()
    codes, _ = StaticDevice.objects.filter(user=user).delete()
    return bool(apps or codes)
