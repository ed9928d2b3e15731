"""A duty's page, signing it off and withdrawing a sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apprenticeship.access import Action, get_apprenticeship_for
from config.pagination import paginate
from portfolio.evidence import access
from portfolio.evidence.forms import (
    ReasonForm,
    SignOffForm,
)
from portfolio.evidence.models import DutySignOff, Evidence
from portfolio.evidence.services import sign_offs
from portfolio.evidence.services.evidence import EvidenceError
from portfolio.evidence.views.common import can
from standards.models import Duty


def _duty(apprenticeship, duty_pk: int) -> Duty:
    duty = Duty.objects.filter(
        pk=duty_pk, standard_version_id=apprenticeship.standard_version_id
    ).first()
    if duty is None:
        raise Http404
    return duty


def _not_ready(apprenticeship, duty: Duty) -> list[Evidence]:
    """What stands between the tutor and a sign-off: the duty's evidence waiting for review
    or referred back, at most ten, however long the portfolio."""
    waiting = (Evidence.Status.SUBMITTED, Evidence.Status.REFERRED)
    return list(
        access.visible_evidence(apprenticeship)
        .mapped_to(duty)
        .filter(status__in=waiting)
        .order_by("activity_date", "pk")[:10]
    )


@login_required
def duty_detail(request, pk: int, duty_pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    duty = _duty(apprenticeship, duty_pk)
    evidence = (
        access.visible_evidence(apprenticeship)
        .mapped_to(duty)
        .for_list()
        .order_by("activity_date", "pk")
    )
    history = (
        DutySignOff.objects.filter(apprenticeship=apprenticeship, duty=duty)
        .select_related("signed_by", "withdrawn_by")
        .prefetch_related(
            # Only what the viewer may see of what it relies on, as on the item's own page.
            Prefetch(
                "evidence_versions",
                queryset=access.visible_versions(apprenticeship).order_by("evidence_id", "number"),
            )
        )
        .order_by("-signed_at")
    )
    active = next((s for s in history if s.is_active), None)
    permissions = can(apprenticeship)
    page = paginate(request, evidence)
    can_sign_off_now = (
        permissions["sign_off_duties"]
        and active is None
        and sign_offs.sign_off_choices(apprenticeship, duty).exists()
    )
    not_ready = (
        _not_ready(apprenticeship, duty)
        if permissions["sign_off_duties"] and not can_sign_off_now
        else []
    )
    return render(
        request,
        "portfolio/evidence/duty_detail.html",
        {
            "apprenticeship": apprenticeship,
            "duty": duty,
            # A page of the duty's evidence, not all of it: a long portfolio links hundreds.
            "page": page,
            "active": active,
            # Whether accepted evidence lets the tutor sign it off now, else what's missing.
            "can_sign_off_now": can_sign_off_now,
            "not_ready": not_ready,
            "has_evidence": bool(page.paginator.count),
            "withdrawn": [s for s in history if not s.is_active],
            "can": permissions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_sign_off(request, pk: int, duty_pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.SIGN_OFF_DUTIES)
    duty = _duty(apprenticeship, duty_pk)
    duty_url = reverse("portfolio:duty-detail", args=[apprenticeship.pk, duty.pk])
    if DutySignOff.objects.active().filter(apprenticeship=apprenticeship, duty=duty).exists():
        messages.info(request, f"Duty {duty.number} is already signed off.")
        return redirect(duty_url)
    choices = sign_offs.sign_off_choices(apprenticeship, duty)
    search = request.POST.get("evidence_search", "")
    # "Find evidence" lists other accepted items: what was ticked and typed comes back as it
    # was, unchecked and unsaved.
    finding = request.method == "POST" and "find_evidence" in request.POST
    if finding:
        typed = {
            "evidence_versions": request.POST.getlist("evidence_versions"),
            "comment": request.POST.get("comment", ""),
            "evidence_search": search,
        }
        form = SignOffForm(initial=typed, choices=choices, search=search)
    else:
        form = SignOffForm(request.POST or None, choices=choices, search=search)
    if request.method == "POST" and not finding and form.is_valid():
        try:
            sign_offs.sign_off_duty(
                apprenticeship=apprenticeship,
                duty=duty,
                by=request.user,
                evidence_versions=list(form.cleaned_data["evidence_versions"]),
                comment=form.cleaned_data["comment"],
            )
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Duty {duty.number} is signed off.")
            return redirect(duty_url)
    return render(
        request,
        "portfolio/evidence/duty_sign_off.html",
        {
            "apprenticeship": apprenticeship,
            "duty": duty,
            "form": form,
            "duty_url": duty_url,
            "has_choices": choices.exists(),
            "not_ready": _not_ready(apprenticeship, duty),
            "has_evidence": access.visible_evidence(apprenticeship).mapped_to(duty).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off_withdraw(request, pk: int):
    sign_off = access.get_sign_off_for(request.user, pk, Action.SIGN_OFF_DUTIES)
    duty_url = reverse("portfolio:duty-detail", args=[sign_off.apprenticeship_id, sign_off.duty_id])
    if not sign_off.is_active:
        messages.info(request, "This sign-off has already been withdrawn.")
        return redirect(duty_url)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_offs.withdraw_sign_off(
                sign_off=sign_off, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The sign-off of duty {sign_off.duty.number} is withdrawn.")
            return redirect(duty_url)
    return render(
        request,
        "portfolio/evidence/sign_off_withdraw.html",
        {"apprenticeship": sign_off.apprenticeship, "sign_off": sign_off, "form": form},
    )
