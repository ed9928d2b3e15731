"""Evidence: the apprentice writes, maps, uploads and submits; the tutor reviews and signs
off duties; everyone who may see an item can follow its comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from config.pagination import paginate
from portfolio import access
from portfolio.forms.evidence import (
    CommentForm,
    EvidenceForm,
    ReasonForm,
    ReviewForm,
    SignOffForm,
    SubmitForm,
    UploadForm,
)
from portfolio.models import DutySignOff, Evidence, EvidenceFile, EvidenceVersion
from portfolio.services import coverage as coverage_services
from portfolio.services import evidence as services
from portfolio.services import sign_offs
from portfolio.services.evidence import EvidenceError
from standards.models import Duty

# Uploaded files are sent as downloads that can't run anything, even if a browser tried.
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


def _can(evidence_or_apprenticeship) -> dict[str, bool]:
    apprenticeship = getattr(evidence_or_apprenticeship, "apprenticeship", None)
    roles = (apprenticeship or evidence_or_apprenticeship).viewer_roles
    return apprenticeship_access.permissions(roles)


def _form_errors(error: ValidationError | EvidenceError) -> list[str]:
    if isinstance(error, ValidationError):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return [str(error)]


# -- lists -----------------------------------------------------------------------------


@login_required
def evidence_list(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    status = request.GET.get("status", "")
    evidence = access.visible_evidence(apprenticeship).for_list()
    if status in Evidence.Status.values:
        evidence = evidence.filter(status=status)
    evidence = evidence.order_by("-updated_at", "-pk")
    return render(
        request,
        "portfolio/evidence_list.html",
        {
            "apprenticeship": apprenticeship,
            "page": paginate(request, evidence),
            "status": status,
            "statuses": Evidence.Status.choices,
            "can": _can(apprenticeship),
        },
    )


@login_required
def coverage(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    return render(
        request,
        "portfolio/coverage.html",
        {
            "apprenticeship": apprenticeship,
            "coverage": coverage_services.coverage(apprenticeship),
            "states": coverage_services.State.LABELS,
            "can": _can(apprenticeship),
        },
    )


# -- writing ---------------------------------------------------------------------------


@login_required
@require_POST
def evidence_start(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.ADD_EVIDENCE)
    evidence = services.start_draft(apprenticeship=apprenticeship, by=request.user)
    return redirect("portfolio:evidence-edit", pk=evidence.pk)


def _draft_values(form: EvidenceForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "kind": data["kind"],
        "activity_date": data["activity_date"],
        "account": data["account"],
        "duties": list(data["duties"]),
        "ksbs": list(data["ksbs"]),
        "testimonies": list(data["testimonies"]),
    }


def _save_form(request, evidence: Evidence, form: EvidenceForm) -> Evidence:
    evidence = services.save_draft(evidence=evidence, by=request.user, **_draft_values(form))
    return services.set_employer_visibility(
        evidence=evidence, by=request.user, visible=form.cleaned_data["visible_to_employer"]
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    if not evidence.is_editable:
        messages.info(
            request, "This evidence is waiting for your tutor. Take it back to change it."
        )
        return redirect(evidence)
    initial = {
        "title": evidence.title,
        "kind": evidence.kind,
        "activity_date": evidence.activity_date,
        "account": evidence.account,
        "duties": evidence.duties.all(),
        "ksbs": evidence.ksbs.all(),
        "testimonies": evidence.testimonies.all(),
        "visible_to_employer": evidence.visible_to_employer,
    }
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        apprenticeship=evidence.apprenticeship,
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence = _save_form(request, evidence, form)
        except (EvidenceError, ValidationError) as error:
            for message in _form_errors(error):
                form.add_error(None, message)
        else:
            if "submit" in request.POST:
                return redirect("portfolio:evidence-submit", pk=evidence.pk)
            messages.success(request, "Draft saved.")
            return redirect("portfolio:evidence-edit", pk=evidence.pk)
    return render(
        request,
        "portfolio/evidence_edit.html",
        {
            "evidence": evidence,
            "apprenticeship": evidence.apprenticeship,
            "form": form,
            "upload_form": UploadForm(),
            "files": EvidenceFile.objects.current().filter(evidence=evidence),
            "duties": evidence.apprenticeship.standard_version.duties.order_by("number"),
        },
    )


@login_required
@require_POST
@never_cache
def evidence_autosave(request, pk: int):
    """Save the draft as the apprentice types (called by static/js/evidence-form.js)."""
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    form = EvidenceForm(request.POST, apprenticeship=evidence.apprenticeship)
    if not form.is_valid():
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    try:
        evidence = _save_form(request, evidence, form)
    except (EvidenceError, ValidationError) as error:
        return JsonResponse({"saved": False, "errors": _form_errors(error)}, status=409)
    saved_at = timezone.localtime(evidence.updated_at)
    return JsonResponse(
        {"saved": True, "saved_at": saved_at.strftime("%H:%M"), "version": evidence.version}
    )


@login_required
@require_POST
def evidence_files_add(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in form.errors.get("files", ["Choose at least one file."]):
            messages.error(request, message)
        return redirect("portfolio:evidence-edit", pk=evidence.pk)
    try:
        added = services.add_files(
            evidence=evidence, by=request.user, files=form.cleaned_data["files"]
        )
    except EvidenceError as error:
        messages.error(request, f"Nothing was uploaded. {error}")
    else:
        names = ", ".join(f.original_name for f in added)
        messages.success(request, f"Added {names}.")
    return redirect("portfolio:evidence-edit", pk=evidence.pk)


@login_required
@require_POST
def file_remove(request, pk: int):
    file = access.get_file_for(request.user, pk, Action.ADD_EVIDENCE)
    try:
        services.remove_file(file=file, by=request.user)
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Removed {file.original_name}. Earlier accepted versions keep it."
        )
    return redirect("portfolio:evidence-edit", pk=file.evidence_id)


@login_required
@never_cache
def file_download(request, pk: int):
    """Stream a file to someone who may see its evidence: always as a download, never
    sniffed, never cached, never able to run script."""
    file = access.get_file_for(request.user, pk)
    try:
        handle = file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=file.original_name,
        content_type=file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response


# -- submitting ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_submit(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    if evidence.status not in (Evidence.Status.DRAFT, Evidence.Status.REFERRED):
        messages.info(request, "This evidence has already been submitted.")
        return redirect(evidence)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_evidence(evidence=evidence, by=request.user, **form.cleaned_data)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Submitted. Your tutor will review it.")
            return redirect(evidence)
    return render(
        request,
        "portfolio/evidence_submit.html",
        {
            "evidence": evidence,
            "apprenticeship": evidence.apprenticeship,
            "form": form,
            "missing": services.missing_for_submission(evidence),
            "findings": services.identifier_findings(evidence=evidence),
        },
    )


@login_required
@require_POST
def evidence_take_back(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    try:
        services.take_back_evidence(evidence=evidence, by=request.user)
    except EvidenceError as error:
        messages.error(request, str(error))
        return redirect(evidence)
    messages.success(request, "It's back with you to change. Submit it again when ready.")
    return redirect("portfolio:evidence-edit", pk=evidence.pk)


@login_required
@require_POST
def evidence_visibility(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    visible = request.POST.get("visible") == "yes"
    services.set_employer_visibility(evidence=evidence, by=request.user, visible=visible)
    messages.success(
        request,
        "Your employer can now see this." if visible else "Your employer can't see this now.",
    )
    return redirect(evidence)


# -- reading, reviewing and comments ---------------------------------------------------


def _detail_context(evidence: Evidence) -> dict:
    return {
        "evidence": evidence,
        "apprenticeship": evidence.apprenticeship,
        "files": EvidenceFile.objects.current().filter(evidence=evidence),
        "versions": evidence.versions.select_related("accepted_by"),
        "comments": evidence.comments.select_related("author"),
        "testimonies": evidence.testimonies.select_related("author"),
        "can": _can(evidence),
    }


@login_required
def evidence_detail(request, pk: int):
    evidence = access.get_evidence_for(
        request.user,
        pk,
        Action.VIEW_EVIDENCE,
        queryset=Evidence.objects.prefetch_related("duties", "ksbs"),
    )
    context = _detail_context(evidence)
    context["comment_form"] = CommentForm()
    return render(request, "portfolio/evidence_detail.html", context)


@login_required
def evidence_version(request, pk: int, number: int):
    evidence = access.get_evidence_for(request.user, pk, Action.VIEW_EVIDENCE)
    version = get_object_or_404(
        EvidenceVersion.objects.select_related("accepted_by").prefetch_related(
            "duties", "ksbs", "files", "testimonies__author"
        ),
        evidence=evidence,
        number=number,
    )
    return render(
        request,
        "portfolio/evidence_version.html",
        {"evidence": evidence, "apprenticeship": evidence.apprenticeship, "version": version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_review(request, pk: int):
    evidence = access.get_evidence_for(
        request.user,
        pk,
        Action.REVIEW_EVIDENCE,
        queryset=Evidence.objects.prefetch_related("duties", "ksbs"),
    )
    if evidence.status != Evidence.Status.SUBMITTED:
        messages.info(request, "This evidence is not waiting for review.")
        return redirect(evidence)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_evidence(evidence=evidence, by=request.user, **form.cleaned_data)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            accepted = form.cleaned_data["decision"] == services.Decision.ACCEPT
            messages.success(
                request, "Accepted." if accepted else "Referred back with your feedback."
            )
            return redirect(evidence)
    context = _detail_context(evidence)
    context["form"] = form
    return render(request, "portfolio/evidence_review.html", context)


@login_required
@require_POST
def evidence_comment(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.COMMENT_ON_EVIDENCE)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(evidence=evidence, by=request.user, body=form.cleaned_data["body"])
        except EvidenceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write something before you send a comment.")
    return redirect(reverse("portfolio:evidence-detail", args=[evidence.pk]) + "#comments")


# -- duties and sign-off ---------------------------------------------------------------


def _duty(apprenticeship, duty_pk: int) -> Duty:
    duty = Duty.objects.filter(
        pk=duty_pk, standard_version_id=apprenticeship.standard_version_id
    ).first()
    if duty is None:
        raise Http404
    return duty


@login_required
def duty_detail(request, pk: int, duty_pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    duty = _duty(apprenticeship, duty_pk)
    evidence = (
        access.visible_evidence(apprenticeship)
        .filter(duties=duty)
        .for_list()
        .order_by("activity_date", "pk")
    )
    sign_offs = (
        DutySignOff.objects.filter(apprenticeship=apprenticeship, duty=duty)
        .select_related("signed_by", "withdrawn_by")
        .prefetch_related("evidence_versions")
        .order_by("-signed_at")
    )
    return render(
        request,
        "portfolio/duty_detail.html",
        {
            "apprenticeship": apprenticeship,
            "duty": duty,
            "evidence": evidence,
            "active": next((s for s in sign_offs if s.is_active), None),
            "withdrawn": [s for s in sign_offs if not s.is_active],
            "can": _can(apprenticeship),
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
    form = SignOffForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
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
        "portfolio/duty_sign_off.html",
        {
            "apprenticeship": apprenticeship,
            "duty": duty,
            "form": form,
            "has_choices": choices.exists(),
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
        "portfolio/sign_off_withdraw.html",
        {"apprenticeship": sign_off.apprenticeship, "sign_off": sign_off, "form": form},
    )
