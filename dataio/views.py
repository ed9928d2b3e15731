"""Downloads and uploads of data in bulk. Every export starts from the reader's own scope in
apprenticeship/access.py, so it lists exactly what their pages list."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from apprenticeship.models import Role
from config.downloads import protect_download
from dataio import access as dataio_access
from dataio import enrolment_import, exports, retention, services
from dataio.forms import (
    EnrolmentUploadForm,
    LegalHoldForm,
    LiftHoldForm,
    RetentionPolicyForm,
    SubjectAccessForm,
)
from dataio.models import EnrolmentImport, Export, LegalHold, SubjectAccessRequest

PREVIEW_ROWS = 200


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return protect_download(response)


def _export(request, kind: str, filename: str):
    """Stream a small export; queue a large one (a worker builds it) and show its page."""
    if exports.is_large(request.user, kind):
        return redirect(services.request_export(kind=kind, by=request.user))
    today = timezone.localdate()
    return _csv_response(
        exports.rows(request.user, kind, today=today), f"{filename}-{today.isoformat()}.csv"
    )


@login_required
@require_GET
def caseload_export(request):
    """The tutor's caseload as CSV: the figures of the caseload page, one row each."""
    if Role.TUTOR not in access.home_roles(request.user):
        raise PermissionDenied
    return _export(request, Export.Kind.CASELOAD, "caseload")


@login_required
@require_GET
def provider_export(request):
    """Every apprenticeship at the providers the admin runs, with the caseload's figures."""
    access.require_provider_admin(request.user)
    return _export(request, Export.Kind.PROVIDER, "apprenticeships")


@login_required
@require_GET
def funding_return_export(request):
    """Planned and actual off-the-job hours for the funding return (ILR field names)."""
    access.require_provider_admin(request.user)
    return _export(request, Export.Kind.FUNDING_RETURN, "funding-return-off-the-job")


@login_required
@require_GET
def export_detail(request, pk: int):
    """A large export: being prepared (the page checks again by itself), or ready."""
    export = dataio_access.get_export_for(request.user, pk)
    return render(
        request,
        "dataio/export_detail.html",
        {"export": export, "stalled": services.export_stalled(export)},
    )


@login_required
@require_GET
def export_download(request, pk: int):
    export = dataio_access.get_export_for(request.user, pk)
    if export.status != Export.Status.READY:
        raise Http404
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="text/csv; charset=utf-8",
    )
    return protect_download(response)


# -- bulk enrolment ----------------------------------------------------------------------


@login_required
@require_GET
def enrolment_import_template(request):
    """The template to fill in: the columns, with one example row."""
    access.require_provider_admin(request.user)
    response = HttpResponse(enrolment_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="enrolment-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_import_upload(request):
    access.require_provider_admin(request.user)
    form = EnrolmentUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = services.upload_enrolments(
                    provider=form.cleaned_data["provider"],
                    content=upload.read(),
                    filename=upload.name,
                    by=request.user,
                )
            except enrolment_import.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect(record)
        status = 400
    return render(
        request,
        "dataio/enrolment_import_upload.html",
        {"form": form, "columns": enrolment_import.COLUMNS, "required": enrolment_import.REQUIRED},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_import_preview(request, pk: int):
    """Every row with what it will create and every problem; confirming queues a worker
    that creates them all (or none), and this page then shows its progress."""
    upload = dataio_access.get_import_for(request.user, pk)
    status = 200
    if request.method == "POST":
        try:
            services.confirm_enrolments(upload=upload, by=request.user)
        except services.BulkEnrolmentError as error:
            messages.error(request, str(error))
            status = 400
            upload.refresh_from_db()
        else:
            messages.success(
                request,
                "Importing. Every row is created, or none: this page shows how far it has got.",
            )
            return redirect(upload)
    plan = page = None
    problems_only = request.GET.get("problems") == "1"
    if upload.status == EnrolmentImport.Status.PREVIEWED:
        plan = enrolment_import.plan_rows(provider=upload.provider, rows=upload.rows)
        shown = [r for r in plan.rows if r.problems] if problems_only else plan.rows
        # A page of rows at a time: a 5,000-row file is not one 2 MB page.
        page = Paginator(shown, PREVIEW_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "dataio/enrolment_import_preview.html",
        {
            "upload": upload,
            "plan": plan,
            "page": page,
            "problems_only": problems_only,
            "filter_query": "problems=1" if problems_only else "",
            "columns": enrolment_import.COLUMNS,
            "done": services.import_progress(upload)
            if upload.status == EnrolmentImport.Status.QUEUED
            else 0,
            "stalled": services.import_stalled(upload),
        },
        status=status,
    )


@login_required
@require_GET
def enrolment_import_status(request, pk: int):
    """Where the import has got to, for the page to update itself."""
    upload = dataio_access.get_import_for(request.user, pk)
    response = JsonResponse(
        {
            "status": upload.status,
            "label": upload.get_status_display(),
            "done": services.import_progress(upload),
            "total": len(upload.rows),
            "created": upload.enrolments_created,
            "stalled": services.import_stalled(upload),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


# -- subject access ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """An apprentice asks for a copy of everything held about them, and downloads it."""
    if not access.apprenticeships_as(request.user, Role.APPRENTICE).exists():
        raise PermissionDenied
    if request.method == "POST":
        services.request_subject_access(person=request.user, by=request.user)
        messages.success(
            request,
            "We are putting your records together. Come back to this page to download them.",
        )
        return redirect("dataio:my-data")
    return render(
        request,
        "dataio/my_data.html",
        {
            "requests": dataio_access.visible_subject_access(request.user)
            .filter(person=request.user)
            .select_related("requested_by")
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_on_behalf(request, pk: int):
    """A provider admin asks, on the apprentice's behalf, with the reason recorded."""
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_PEOPLE)
    form = SubjectAccessForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.request_subject_access(
                person=apprenticeship.apprentice,
                by=request.user,
                provider=apprenticeship.provider,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Asked. The file will be listed here when it is ready.")
            return redirect("dataio:subject-access-on-behalf", pk=apprenticeship.pk)
        status = 400
    requests = (
        dataio_access.visible_subject_access(request.user)
        .filter(person=apprenticeship.apprentice)
        .select_related("requested_by")
    )
    return render(
        request,
        "dataio/subject_access_on_behalf.html",
        {"apprenticeship": apprenticeship, "form": form, "requests": requests},
        status=status,
    )


@login_required
@require_GET
def subject_access_download(request, pk: int):
    record = dataio_access.get_subject_access_for(request.user, pk)
    if record.status != SubjectAccessRequest.Status.READY:
        raise Http404
    response = FileResponse(
        record.archive.open("rb"),
        as_attachment=True,
        filename=f"my-records-{record.created_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    return protect_download(response)


# -- keeping and not keeping -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def retention_policy(request, pk: int):
    """A provider's retention policy: how long records are kept, where the figure comes
    from, what is due, what a legal hold keeps."""
    provider = dataio_access.get_provider_for(request.user, pk)
    policy = retention.policy_for(provider)
    form = RetentionPolicyForm(
        request.POST or None,
        initial={"years": policy.years, "applies_automatically": policy.applies_automatically},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_retention_policy(
                    provider=provider, by=request.user, **form.cleaned_data
                )
            except services.RetentionError as error:
                form.add_error("years", str(error))
            else:
                messages.success(request, "Retention policy saved.")
                return redirect("dataio:retention-policy", pk=provider.pk)
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "dataio/retention_policy.html",
        {
            "provider": provider,
            "form": form,
            "overview": retention.overview(policy, today=today),
            "today": today,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_hold(request, pk: int):
    """Place a legal hold on an apprenticeship's records, and see its holds."""
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_PEOPLE)
    form = LegalHoldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.place_legal_hold(
                    apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
                )
            except services.RetentionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The records are held: nothing of them is deleted.")
                return redirect("dataio:legal-hold", pk=apprenticeship.pk)
        status = 400
    holds = list(
        LegalHold.objects.filter(apprenticeship=apprenticeship).select_related(
            "placed_by", "lifted_by"
        )
    )
    return render(
        request,
        "dataio/legal_hold.html",
        {
            "apprenticeship": apprenticeship,
            "form": form,
            "holds": holds,
            "active": next((h for h in holds if h.is_active), None),
            "lift_form": LiftHoldForm(),
        },
        status=status,
    )


@login_required
@require_POST
def legal_hold_lift(request, pk: int):
    hold = dataio_access.get_legal_hold_for(request.user, pk)
    form = LiftHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the hold can be lifted. The hold is still in place.")
        return redirect("dataio:legal-hold", pk=hold.apprenticeship_id)
    try:
        services.lift_legal_hold(hold=hold, by=request.user, why=form.cleaned_data["why"])
    except services.RetentionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Hold lifted. The retention policy applies again.")
    return redirect("dataio:legal-hold", pk=hold.apprenticeship_id)
