from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apprenticeship import access


def navigation(request: HttpRequest) -> dict:
    """The roles the signed-in user holds anywhere, for the navigation bar (lazy: only a
    page that shows the bar pays its one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": SimpleLazyObject(lambda: {r.value for r in access.home_roles(user)})}
