"""Quality assurance pages: the assessment organisation's moderation settings, the list
of results sampled for moderation, and the moderator's page for one result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apprenticeship.access import Action, get_apprenticeship_for, is_allowed, permissions
from config.pagination import paginate
from epa import access as epa_access
from quality import access, selectors
from quality.errors import QualityError
from quality.forms import (
    BookingForm,
    CertificateRequestForm,
    ModerationDecisionForm,
    ModerationPolicyForm,
    RearrangeForm,
)
from quality.models import CertificateRequest, ModerationPolicy
from quality.services import bookings, certificates, moderation


@login_required
@require_http_methods(["GET", "POST"])
def moderation_settings(request, pk: int):
    epao = epa_access.get_epao_for(request.user, pk)
    policy = ModerationPolicy.objects.filter(epao=epao).first()
    initial = {
        "is_active": policy.is_active if policy else False,
        "all_highest": policy.all_highest if policy else True,
        "all_fails": policy.all_fails if policy else True,
        "pass_percent": policy.pass_percent if policy else 10,
        "moderators": list(
            epao.memberships.filter(is_active=True, is_moderator=True).values_list(
                "user_id", flat=True
            )
        ),
    }
    form = ModerationPolicyForm(request.POST or None, initial=initial, epao=epao)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                moderation.set_moderation_policy(
                    epao=epao,
                    by=request.user,
                    is_active=data["is_active"],
                    all_highest=data["all_highest"],
                    all_fails=data["all_fails"],
                    pass_percent=data["pass_percent"],
                )
                moderation.name_moderators(
                    epao=epao, by=request.user, user_ids=[u.pk for u in data["moderators"]]
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Moderation settings saved.")
                return redirect(reverse("quality:moderation-settings", args=[epao.pk]))
        status = 400
    return render(
        request,
        "quality/moderation_settings.html",
        {"epao": epao, "policy": policy, "form": form},
        status=status,
    )


@login_required
def moderation_list(request):
    access.require_moderation_reader(request.user)
    page = paginate(request, selectors.moderation_list(access.visible_cases(request.user)))
    return render(request, "quality/moderation_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def moderation_case(request, pk: int):
    case = access.get_case_for(request.user, pk, Action.VIEW_ASSESSMENT)
    roles = case.apprenticeship.viewer_roles
    can_moderate = is_allowed(roles, Action.MODERATE_RESULT)
    if request.method == "POST" and not can_moderate:
        raise PermissionDenied
    problems = moderation.moderator_problems(case, request.user) if can_moderate else []
    form = ModerationDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == form.CONFIRM:
                    moderation.confirm_moderation(case=case, by=request.user, note=data["reason"])
                    done = "Result confirmed and released to the training provider and apprentice."
                else:
                    moderation.return_to_assessor(case=case, by=request.user, reason=data["reason"])
                    done = "Result returned to the assessor with your reasons."
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done)
                return redirect(reverse("quality:moderation-case", args=[case.pk]))
        status = 400
    return render(
        request,
        "quality/moderation_case.html",
        {
            "case": case,
            "apprenticeship": case.apprenticeship,
            "round": case.round,
            "decisions": selectors.decisions_of(case),
            "can_moderate": can_moderate and case.is_waiting and not problems,
            "problems": problems if case.is_waiting else [],
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_request(request, pk: int):
    round_ = epa_access.get_round_for(request.user, pk, Action.RECORD_CERTIFICATE_REQUEST)
    apprenticeship = round_.apprenticeship
    existing = CertificateRequest.objects.select_related("recorded_by").filter(round=round_).first()
    problems = certificates.certificate_problems(round_, selectors.failing_grade_of(apprenticeship))
    form = CertificateRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                certificates.record_certificate_request(
                    round_=round_, by=request.user, requested_on=form.cleaned_data["requested_on"]
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Certificate request recorded.")
                return redirect(apprenticeship.get_absolute_url())
        status = 400
    return render(
        request,
        "quality/certificate_request.html",
        {
            "apprenticeship": apprenticeship,
            "round": round_,
            "existing": existing,
            "problems": problems,
            "form": form,
        },
        status=status,
    )


# -- booking the assessment ------------------------------------------------------------


@login_required
def booking_list(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_BOOKINGS)
    if not apprenticeship.is_post_gateway:
        raise Http404
    return render(
        request,
        "quality/booking_list.html",
        {
            "apprenticeship": apprenticeship,
            "bookings": selectors.bookings_of(apprenticeship),
            "adjustments": selectors.booking_adjustments_of(apprenticeship),
            "can": permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_add(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.BOOK_ASSESSMENT)
    form = BookingForm(request.POST or None, apprenticeship=apprenticeship)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bookings.book_session(
                    apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Session booked.")
                return redirect(reverse("quality:booking-list", args=[apprenticeship.pk]))
        status = 400
    return render(
        request,
        "quality/booking_form.html",
        {"apprenticeship": apprenticeship, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_rearrange(request, pk: int):
    booking = access.get_booking_for(request.user, pk, Action.ASK_TO_REARRANGE)
    form = RearrangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bookings.ask_to_rearrange(
                    booking=booking, by=request.user, reason=form.cleaned_data["reason"]
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your request is sent to the assessment organisation.")
                return redirect(reverse("quality:booking-list", args=[booking.apprenticeship.pk]))
        status = 400
    return render(
        request,
        "quality/booking_rearrange.html",
        {"apprenticeship": booking.apprenticeship, "booking": booking, "form": form},
        status=status,
    )
