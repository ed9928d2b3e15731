"""Who operates this installation.

A site operator looks after what every training provider here shares: the standards and
their assessment plans. Django's `is_superuser` flag is the mechanism; a site operator is an
active superuser, made with `manage.py create_site_operator`. Being one gives no access to
anyone's apprenticeships: that comes only from roles (apprenticeship/access.py).
"""

from django.core.exceptions import PermissionDenied

from accounts.models import User


def is_site_operator(user: User) -> bool:
    """Whether `user` (maybe anonymous) is an active site operator."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def require_site_operator(user: User) -> None:
    """For pages that change shared reference data. Raises PermissionDenied otherwise."""
    if not is_site_operator(user):
        raise PermissionDenied
