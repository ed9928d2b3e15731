"""Witness testimonies (written by the employer contact) and the apprentice's private list
of names the identifier check looks for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from config.pagination import paginate
from portfolio.evidence import access
from portfolio.evidence.forms import ProtectedNameForm, TestimonyForm, TestimonyRequestForm
from portfolio.evidence.models import ProtectedName, TestimonyRequest, WitnessTestimony
from portfolio.evidence.services import testimonies as testimonies_services
from portfolio.evidence.services import testimony_requests
from portfolio.evidence.services.evidence import EvidenceError

REQUESTS_SHOWN = 50


@login_required
def testimony_list(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    testimonies = (
        WitnessTestimony.objects.filter(apprenticeship=apprenticeship)
        .select_related("author")
        .order_by("-witnessed_on", "-pk")
    )
    # The requests still waiting to be written (a request runs out, so these are few).
    waiting = list(
        TestimonyRequest.objects.filter(apprenticeship=apprenticeship)
        .open()
        .select_related("witness", "requested_by")
        .order_by("-created_at", "-pk")[:REQUESTS_SHOWN]
    )
    return render(
        request,
        "portfolio/evidence/testimony_list.html",
        {
            "apprenticeship": apprenticeship,
            "page": paginate(request, testimonies),
            "waiting": waiting,
            "can": apprenticeship_access.permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def testimony_request_create(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.REQUEST_TESTIMONY)
    form = TestimonyRequestForm(
        request.POST if request.method == "POST" else None, apprenticeship=apprenticeship
    )
    if request.method == "POST" and form.is_valid():
        try:
            asked = testimony_requests.request_testimony(
                apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
            )
        except (ValidationError, EvidenceError) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            how = "We have told them" if asked.witness_id else "We are emailing them a link"
            messages.success(
                request,
                f"Testimony asked of {asked.witness_label}. {how}; it shows as waiting "
                "until it is written.",
            )
            return redirect("portfolio:testimony-list", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/evidence/testimony_request_form.html",
        {"apprenticeship": apprenticeship, "form": form},
    )


@login_required
@require_POST
def testimony_request_withdraw(request, pk: int):
    asked = access.get_testimony_request_for(request.user, pk, Action.REQUEST_TESTIMONY)
    try:
        testimony_requests.withdraw_testimony_request(request=asked, by=request.user)
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Request to {asked.witness_label} withdrawn.")
    return redirect("portfolio:testimony-list", pk=asked.apprenticeship_id)


@login_required
@require_http_methods(["GET", "POST"])
def testimony_request_write(request, pk: int):
    """The employer contact asked writes the testimony; it goes to the tutor as evidence."""
    asked = access.get_testimony_request_for(request.user, pk, Action.WRITE_TESTIMONY)
    apprenticeship = asked.apprenticeship
    if not asked.is_open(timezone.now()):
        messages.info(request, _closed_message(asked))
        return redirect("portfolio:testimony-list", pk=apprenticeship.pk)
    form = TestimonyForm(
        request.POST if request.method == "POST" else None,
        initial={"witnessed_on": asked.activity_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            testimony_requests.write_requested_testimony(
                request=asked, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Thank you. Your testimony is with {apprenticeship.apprentice.get_short_name()}'s "
                "tutor to review.",
            )
            return redirect("portfolio:testimony-list", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/evidence/testimony_form.html",
        {"apprenticeship": apprenticeship, "form": form, "asked": asked},
    )


def _closed_message(asked: TestimonyRequest) -> str:
    if asked.testimony_id:
        return "This testimony has already been written."
    if asked.withdrawn_at:
        return "This request was withdrawn: no testimony is needed now."
    return "This request ran out. Ask for a new one if it is still needed."


def _link_response(response):
    # The token is in the address: never cache the page, never index it.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def testimony_by_link(request, pk: int, token: str):
    """A witness from outside writes the testimony asked of them, without an account. The
    page shows who asked, the apprentice's name and the activity: nothing else."""
    try:
        asked = testimony_requests.open_testimony_link(request_id=pk, token=token)
    except testimony_requests.TestimonyLinkError as error:
        return _link_response(
            render(
                request,
                "portfolio/evidence/testimony_link_problem.html",
                {"message": str(error)},
                status=error.status,
            )
        )
    form = TestimonyForm(
        request.POST if request.method == "POST" else None,
        initial={"witnessed_on": asked.activity_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            testimony_requests.write_requested_testimony(
                request=asked, by=None, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            return _link_response(
                render(request, "portfolio/evidence/testimony_link_done.html", {"asked": asked})
            )
    return _link_response(
        render(
            request,
            "portfolio/evidence/testimony_by_link.html",
            {"asked": asked, "apprentice": asked.apprenticeship.apprentice, "form": form},
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def testimony_create(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.WRITE_TESTIMONY)
    form = TestimonyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            testimony = testimonies_services.write_testimony(
                apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Thank you. {apprenticeship.apprentice.get_short_name()} can now attach it "
                "to their evidence.",
            )
            return redirect(testimony)
    return render(
        request,
        "portfolio/evidence/testimony_form.html",
        {"apprenticeship": apprenticeship, "form": form},
    )


@login_required
def testimony_detail(request, pk: int):
    testimony = access.get_testimony_for(request.user, pk, Action.VIEW_EVIDENCE)
    return render(
        request,
        "portfolio/evidence/testimony_detail.html",
        {"testimony": testimony, "apprenticeship": testimony.apprenticeship},
    )


@login_required
@require_http_methods(["GET", "POST"])
def private_names(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.KEEP_PRIVATE_NAMES)
    form = ProtectedNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = testimonies_services.add_protected_name(
                apprenticeship=apprenticeship, name=form.cleaned_data["name"]
            )
        except EvidenceError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"Added “{added.name}” to your private list.")
            return redirect("portfolio:private-names", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/evidence/private_names.html",
        {
            "apprenticeship": apprenticeship,
            "names": ProtectedName.objects.filter(apprenticeship=apprenticeship),
            "form": form,
        },
    )


@login_required
@require_POST
def private_name_remove(request, pk: int):
    protected = access.get_protected_name_for(request.user, pk)
    testimonies_services.remove_protected_name(protected=protected)
    messages.success(request, f"Removed “{protected.name}” from your private list.")
    return redirect("portfolio:private-names", pk=protected.apprenticeship.pk)
