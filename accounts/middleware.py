"""Staff who must use two-factor sign-in set it up before anything else."""

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import two_factor

# Pages a person may still open while they must set up two-factor sign-in.
OPEN_WHILE_SETTING_UP = ("accounts:two-factor-setup", "accounts:logout")


class TwoFactorSetupMiddleware:
    """Reads the two-factor state that sign-in put in the session (no query). A session
    without one (made before two-factor sign-in existed, or by another way in, such as
    choosing a password from an invitation) gets it worked out once: someone with an
    authenticator app who has not given a code in this session signs in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            state = request.session.get(two_factor.SESSION_KEY)
            if state is None:
                if two_factor.has_two_factor(user):
                    logout(request)
                    return redirect_to_login(request.get_full_path())
                state = two_factor.state_after_password(user)
                request.session[two_factor.SESSION_KEY] = state
            if state == two_factor.SETUP_REQUIRED and not self._open(request):
                return redirect("accounts:two-factor-setup")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith("/static/"):
            return True
        return any(path == reverse(name) for name in OPEN_WHILE_SETTING_UP)
