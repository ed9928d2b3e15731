"""Uploading, removing and downloading evidence files. Files are served only through
the access-checked download view, with a policy that stops them running anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from apprenticeship.access import Action
from config.downloads import protect_download
from portfolio.evidence import access
from portfolio.evidence.forms import (
    UploadForm,
)
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.evidence import EvidenceError
from portfolio.evidence.views.evidence import render_edit_page

UPLOAD_CUT_OFF = (
    "The upload stopped before the whole file arrived, so nothing was saved. This usually "
    "means the connection dropped. Check your signal or Wi-Fi and upload it again."
)


class CutOffUploadDetector(FileUploadHandler):
    """Notes on the request when a file's data ended before the file did (the connection
    dropped mid-upload). Django then drops the part, which looked like no file at all."""

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None

    def upload_interrupted(self):
        self.request.upload_cut_off = True


@csrf_exempt
@login_required
@require_POST
def evidence_files_add(request, pk: int):
    # Added before anything reads the body; the CSRF check follows in the inner view.
    request.upload_handlers.insert(0, CutOffUploadDetector(request))
    return _evidence_files_add(request, pk)


@csrf_protect
def _evidence_files_add(request, pk: int):
    """Store the chosen files, or none of them. A refusal answers 400 with the evidence
    page again and the reason beside the upload field; nothing is stored."""
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    if not evidence.is_editable:
        # The page with the upload field isn't shown while the tutor has the evidence.
        messages.error(
            request, "This evidence is waiting for your tutor. Take it back to change it."
        )
        return redirect(evidence)
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "upload_cut_off", False):
        # Not "choose a file": the file was chosen, and lost on the way.
        form.full_clean()
        form.errors["files"] = form.error_class([UPLOAD_CUT_OFF])
    elif form.is_valid():
        try:
            added = services.add_files(
                evidence=evidence, by=request.user, files=form.cleaned_data["files"]
            )
        except EvidenceError as error:
            form.add_error("files", f"Nothing was uploaded. {error}")
        else:
            names = ", ".join(f.original_name for f in added)
            messages.success(request, f"Added {names}.")
            return redirect("portfolio:evidence-edit", pk=evidence.pk)
    return render_edit_page(request, evidence, upload_form=form, status=400)


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
    return protect_download(response)
