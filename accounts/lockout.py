"""The key the sign-in lockout (django-axes) counts failures under.

People sign in with their email address in any case, with stray spaces: every spelling of
one address must share one count of failed attempts, and a correct sign-in clears that one
count. So the lockout sees the address stripped and case-folded, whether it reads it from
the form, from the credentials given to the backend or from the signed-in user.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def normalise_username(value: object) -> str:
    """The address as the lockout counts it: surrounding spaces removed, case folded."""
    if value is None:
        return ""
    return str(value).strip().casefold()


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """AXES_USERNAME_CALLABLE: the normalised address, from the credentials if given, else
    from the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_username(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_username(data.get(field))
