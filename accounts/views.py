import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts import two_factor
from accounts.forms import EmailAuthenticationForm, SetupCodeForm, TwoFactorCodeForm
from accounts.models import User


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The password is right. Someone with an authenticator app gives its code next
        (`two_factor_verify`) and is not signed in until then; anyone else is signed in,
        and staff who must use two-factor sign-in are sent to set it up."""
        user = form.get_user()
        if two_factor.has_two_factor(user):
            self.request.session[two_factor.PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": int(time.time()),
            }
            return redirect("accounts:two-factor-verify")
        response = super().form_valid(form)
        self.request.session[two_factor.SESSION_KEY] = two_factor.state_after_password(user)
        return response


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in: the code from the app, or a recovery code. Wrong
    codes count towards the same lockout as wrong passwords."""
    pending = request.session.get(two_factor.PENDING_KEY)
    if pending and time.time() - pending.get("at", 0) > two_factor.PENDING_SECONDS:
        del request.session[two_factor.PENDING_KEY]
        messages.info(request, "That took too long. Sign in again with your password.")
        pending = None
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    # The same credentials the sign-in form gives the lockout: the account's address.
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, None, credentials)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(user=user, code=form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", "That code is not right. Type the code your app shows now.")
            return render(request, "accounts/two_factor_verify.html", {"form": form}, status=400)
        del request.session[two_factor.PENDING_KEY]
        login(request, user, backend=pending["backend"])
        django_otp.login(request, device)
        request.session[two_factor.SESSION_KEY] = two_factor.VERIFIED
        if device.persistent_id.startswith("otp_static"):
            left = two_factor.recovery_codes_left(user)
            messages.warning(
                request,
                f"You used a recovery code: it will not work again. You have {left} left. "
                "Make new ones from your account page if you are running low.",
            )
        next_url = pending.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = settings.LOGIN_REDIRECT_URL
        return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code or type the key, confirm with a code,
    then see ten recovery codes, once."""
    device = two_factor.start_setup(user=request.user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_setup(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except two_factor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            django_otp.login(request, device)
            request.session[two_factor.SESSION_KEY] = two_factor.VERIFIED
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": two_factor.secret_text(device),
            "qr_svg": two_factor.qr_svg(device),
            "required": request.session.get(two_factor.SESSION_KEY) == two_factor.SETUP_REQUIRED,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage(request):
    """Whether two-factor sign-in is on, and for people who may: new recovery codes, or
    turning it off."""
    user = request.user
    required = two_factor.must_use_two_factor(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "new-codes" and two_factor.has_two_factor(user):
            codes = two_factor.new_recovery_codes(user=user)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
        if action == "turn-off" and not required:
            two_factor.remove_two_factor(user=user)
            request.session[two_factor.SESSION_KEY] = two_factor.WITHOUT_CODE
            messages.success(request, "Two-factor sign-in is off. You sign in with your password.")
        return HttpResponseRedirect(reverse_lazy("accounts:two-factor"))
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "required": required,
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


class InvitationView(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password, then lands signed in."""

    template_name = "accounts/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("dashboards:home")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        # Links use the configured address, never the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")
