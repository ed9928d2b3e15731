"""Evidence: the apprentice writes, maps, uploads and submits; the tutor reviews and signs
off duties; everyone who may see an item can follow its comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import crosswalk
from apprenticeship.access import Action, get_apprenticeship_for
from config.pagination import paginate
from portfolio.evidence import access, revisions
from portfolio.evidence import selectors as coverage_services
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.forms import (
    CommentForm,
    EvidenceForm,
    ReviewForm,
    SubmitForm,
    UploadForm,
)
from portfolio.evidence.models import Evidence, EvidenceFile, EvidenceVersion
from portfolio.evidence.services import decisions
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.evidence import EvidenceError
from portfolio.evidence.views.common import can, form_errors
from standards.models import KSB, Duty

# -- lists -----------------------------------------------------------------------------


@login_required
def evidence_list(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    status = request.GET.get("status", "")
    evidence = access.visible_evidence(apprenticeship).for_list()
    if status in Evidence.Status.values:
        evidence = evidence.filter(status=status)
    else:
        status = ""
    # From the coverage page: the items mapped to one duty or KSB of this standard.
    mapped_to, mapped_name, mapped_filter = None, "", ""
    for name, model in (("duty", Duty), ("ksb", KSB)):
        value = request.GET.get(name, "")
        if value.isdigit():
            mapped_to = model.objects.filter(
                pk=int(value), standard_version_id=apprenticeship.standard_version_id
            ).first()
            if mapped_to is None:
                raise Http404
            evidence = evidence.mapped_to(mapped_to)
            mapped_name, mapped_filter = name, f"{name}={mapped_to.pk}"
            break
    evidence = evidence.order_by("-updated_at", "-pk")
    return render(
        request,
        "portfolio/evidence/evidence_list.html",
        {
            "apprenticeship": apprenticeship,
            "page": paginate(request, evidence),
            "status": status,
            "statuses": Evidence.Status.choices,
            "mapped_to": mapped_to,
            "mapped_name": mapped_name,
            "filter_query": mapped_filter,
            "can": can(apprenticeship),
        },
    )


@login_required
def coverage(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    return render(
        request,
        "portfolio/evidence/coverage.html",
        {
            "apprenticeship": apprenticeship,
            "coverage": coverage_services.coverage_rows(apprenticeship),
            "states": coverage_services.State.LABELS,
            "can": can(apprenticeship),
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


def edit_form(evidence: Evidence, data=None) -> EvidenceForm:
    """The draft form, bound to `data` when given, else showing the draft as saved."""
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
    return EvidenceForm(
        data, initial=initial, apprenticeship=evidence.apprenticeship, evidence=evidence
    )


def render_edit_page(
    request,
    evidence: Evidence,
    *,
    form: EvidenceForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
):
    """The evidence edit page; the upload view shows it again (with its errors) when it
    refuses files."""
    form = form if form is not None else edit_form(evidence)
    # Suggestions only: the apprentice maps framework units themselves, on their own page.
    form.suggestions = crosswalk.suggestions_for(evidence.apprenticeship)
    return render(
        request,
        "portfolio/evidence/evidence_edit.html",
        {
            "evidence": evidence,
            "apprenticeship": evidence.apprenticeship,
            "form": form,
            "upload_form": upload_form if upload_form is not None else UploadForm(),
            "files": EvidenceFile.objects.current().filter(evidence=evidence),
            "duties": evidence.apprenticeship.standard_version.duties.current().order_by("number"),
            "since": revisions.since_last_review(evidence),
        },
        status=status,
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
    form = edit_form(evidence, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = _save_form(request, evidence, form)
        except (EvidenceError, ValidationError) as error:
            for message in form_errors(error):
                form.add_error(None, message)
        else:
            if "submit" in request.POST:
                return redirect("portfolio:evidence-submit", pk=evidence.pk)
            messages.success(request, "Draft saved.")
            return redirect("portfolio:evidence-edit", pk=evidence.pk)
    return render_edit_page(request, evidence, form=form)


@login_required
@require_POST
@never_cache
def evidence_autosave(request, pk: int):
    """Save the draft as the apprentice types (called by static/js/evidence-form.js)."""
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    form = EvidenceForm(request.POST, apprenticeship=evidence.apprenticeship, evidence=evidence)
    if not form.is_valid():
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    try:
        evidence = _save_form(request, evidence, form)
    except (EvidenceError, ValidationError) as error:
        return JsonResponse({"saved": False, "errors": form_errors(error)}, status=409)
    saved_at = timezone.localtime(evidence.updated_at)
    return JsonResponse(
        {"saved": True, "saved_at": saved_at.strftime("%H:%M"), "version": evidence.version}
    )


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
        "portfolio/evidence/evidence_submit.html",
        {
            "evidence": evidence,
            "apprenticeship": evidence.apprenticeship,
            "form": form,
            "files": EvidenceFile.objects.current().filter(evidence=evidence),
            "missing": services.missing_for_submission(evidence),
            "findings": evidence_selectors.identifier_findings(evidence=evidence),
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
        "can": can(evidence),
        "since": revisions.since_last_review(evidence),
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
    return render(request, "portfolio/evidence/evidence_detail.html", context)


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
        "portfolio/evidence/evidence_version.html",
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
            decisions.review_evidence(evidence=evidence, by=request.user, **form.cleaned_data)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            accepted = form.cleaned_data["decision"] == decisions.Decision.ACCEPT
            messages.success(
                request, "Accepted." if accepted else "Referred back with your feedback."
            )
            return redirect(evidence)
    context = _detail_context(evidence)
    context["form"] = form
    return render(request, "portfolio/evidence/evidence_review.html", context)


@login_required
@require_POST
def evidence_comment(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.COMMENT_ON_EVIDENCE)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            decisions.add_comment(
                evidence=evidence, by=request.user, body=form.cleaned_data["body"]
            )
        except EvidenceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write something before you send a comment.")
    return redirect(reverse("portfolio:evidence-detail", args=[evidence.pk]) + "#comments")


# -- duties and sign-off ---------------------------------------------------------------
