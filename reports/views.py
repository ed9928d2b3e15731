from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.downloads import protect_download
from reports import access, services
from reports.content import ReportUnavailable
from reports.models import Report

KIND_SLUGS = {kind.replace("_", "-"): kind for kind in Report.Kind}


@login_required
@require_POST
def report_request(request, pk: int, kind: str):
    if kind not in KIND_SLUGS:
        raise Http404
    apprenticeship, audience = access.get_apprenticeship_for_report(
        request.user, pk, KIND_SLUGS[kind]
    )
    try:
        report = services.request_report(
            apprenticeship=apprenticeship,
            kind=KIND_SLUGS[kind],
            audience=audience,
            by=request.user,
        )
    except ReportUnavailable as error:
        messages.error(request, str(error))
        return redirect(apprenticeship)
    report.refresh_from_db(fields=["status"])
    if report.status == Report.Status.READY:
        # Built already (the embedded default runs jobs in the request, or nothing changed
        # since the last one): say so, rather than ask the person to wait.
        messages.success(request, "Your PDF is ready.")
    return redirect(report)


@login_required
@require_GET
def report_detail(request, pk: int):
    report = access.get_report_for(request.user, pk)
    return render(request, "reports/report_detail.html", {"report": report})


def _status(report: Report) -> dict:
    return {
        "status": report.status,
        "label": report.get_status_display(),
        "failure": report.failure,
        "finished": report.is_finished,
        "download_url": (
            reverse("reports:report-download", args=[report.pk])
            if report.status == Report.Status.READY
            else ""
        ),
        "pages": report.pages,
    }


@never_cache
@login_required
@require_GET
def report_status(request, pk: int):
    report = access.get_report_for(request.user, pk)
    return JsonResponse(_status(report))


@never_cache
@login_required
@require_GET
def report_download(request, pk: int):
    report = access.get_report_for(request.user, pk)
    if report.status != Report.Status.READY:
        raise Http404
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )
    return protect_download(response)
