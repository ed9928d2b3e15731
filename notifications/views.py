"""The notifications list, opening one, and how the person wants to hear about them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import sessions
from config.pagination import paginate
from notifications import access, services
from notifications.forms import EmailChoiceForm


@login_required
@require_GET
def notification_list(request):
    notifications = access.visible_notifications(request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "notifications/notification_list.html",
        {"page": paginate(request, notifications)},
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark it read and go to the page it is about (which checks access again)."""
    notification = access.get_notification_for(request.user, pk)
    services.mark_read(notification=notification, by=request.user)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
@require_GET
def unread_count(request):
    """For the header's count, fetched by the page so that no page pays a query for it."""
    response = JsonResponse({"unread": services.unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The person's own page: name, email, how they hear about notifications, and links
    to change their password and sign out everywhere."""
    form = EmailChoiceForm(
        request.POST or None, initial={"email": services.email_choice(request.user)}
    )
    if request.method == "POST":
        if form.is_valid():
            services.set_email_choice(user=request.user, email=form.cleaned_data["email"])
            messages.success(request, "Your email setting is saved.")
            return redirect("notifications:profile")
        return render(request, "notifications/profile.html", {"form": form}, status=400)
    return render(request, "notifications/profile.html", {"form": form})


@login_required
@require_POST
def sign_out_everywhere(request):
    """End the person's sessions in every other browser; this one stays signed in."""
    sessions.sign_out_everywhere_else(user=request.user, request=request)
    messages.success(request, "You are signed out everywhere else. This browser stays signed in.")
    return redirect("notifications:profile")
