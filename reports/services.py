"""Asking for a report, building it, and making sure every job finishes.

A request renders the report's HTML (cheap) and stores it with its fingerprint; the
worker turns exactly that HTML into a PDF (expensive). The build is queued through the
outbox in the same transaction, so the request never waits on the broker, and the
outbox's sweep sends it when the broker is back, sends it again if the broker lost it, and
returns it to the queue if its worker died (a heartbeat stops).
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from outbox import services as outbox
from reports import content, pdf, sections
from reports.models import Report

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# The build task's time limits (reports/tasks.py): only a backstop, under the broker's
# visibility timeout. Each build is held to a limit sized from its work, and each part of
# it to a limit sized from its items (reports.sections).
BUILD_SOFT_TIME_LIMIT = 3300
BUILD_TIME_LIMIT = 3400
BUILD_TASK = "reports.tasks.build_report"
FAILED_TOO_LONG = "It took too long to build. Try again; a smaller report builds faster."
FAILED_ERROR = (
    "Something went wrong while building the PDF. Nothing in the portfolio was changed. "
    "Try again, and tell your training provider if it keeps happening."
)


@transaction.atomic
def request_report(
    *, apprenticeship: Apprenticeship, kind: str, audience: str, by: User | None
) -> Report:
    """The report of this apprenticeship as it is now: an existing one when nothing has
    changed, otherwise a new job, queued through the outbox."""
    document = content.build_document(apprenticeship=apprenticeship, kind=kind, audience=audience)
    report, created = Report.objects.select_for_update().get_or_create(
        apprenticeship=apprenticeship,
        kind=kind,
        audience=audience,
        fingerprint=document.fingerprint,
        defaults={
            "requested_by": by,
            **_work(document),
            "files": _manifest(document),
        },
    )
    if report.status == Report.Status.FAILED:
        # Asking again after a failure tries again.
        report.status = Report.Status.QUEUED
        report.failure = ""
        report.attempts = 0
        for name, value in _work(document).items():
            setattr(report, name, value)
        report.files = _manifest(document)
        report.save(update_fields=["status", "failure", "attempts", "html", "sections", "files"])
    if created or report.status == Report.Status.QUEUED:
        record_event(
            action=AuditAction.REPORT_REQUESTED,
            obj=report,
            actor=by,
            apprenticeship_id=apprenticeship.pk,
            summary=f"Asked for the {report.get_kind_display().lower()} "
            f"({report.get_audience_display().lower()})",
        )
    if report.status == Report.Status.QUEUED and not outbox.is_waiting(
        BUILD_TASK, report_id=report.pk
    ):
        # A new job, one asked for again after it failed, or one whose outbox job gave up.
        outbox.enqueue(BUILD_TASK, apprenticeship_id=apprenticeship.pk, report_id=report.pk)
    return report


def _jobs(document: content.Document) -> list[dict]:
    return [section.as_job() for section in document.sections]


def _work(document: content.Document) -> dict:
    """What the worker lays out: a small report as one document (WeasyPrint puts in the
    page references itself, in one pass), a large one in parts (reports.sections)."""
    if sections.in_one_document(document.items):
        return {"html": document.html, "sections": []}
    return {"html": "", "sections": _jobs(document)}


def _manifest(document: content.Document) -> dict:
    return {
        key: {"storage_name": f.storage_name, "content_type": f.content_type}
        for key, f in document.files.items()
    }


def build_report(*, report_id: int) -> None:
    """Build one report's PDF. Safe to run twice: a report that is ready or failed is left
    alone. The outbox runs one build of a job at a time; a report found BUILDING is one
    whose worker died, and is built again, or failed once it has been tried MAX_ATTEMPTS
    times."""
    report = Report.objects.filter(pk=report_id).only("status", "attempts").first()
    if report is None or report.status not in (Report.Status.QUEUED, Report.Status.BUILDING):
        logger.info("Report %s is not waiting to be built; nothing to do.", report_id)
        return
    if report.status == Report.Status.BUILDING and report.attempts >= MAX_ATTEMPTS:
        _fail(report_id, FAILED_TOO_LONG)
        return
    claimed = Report.objects.filter(
        pk=report_id, status=report.status, attempts=report.attempts
    ).update(
        status=Report.Status.BUILDING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        logger.info("Report %s was taken by another build; nothing to do.", report_id)
        return
    report = Report.objects.get(pk=report_id)
    previous = _previous_parts(report)
    scratch = sections.scratch_dir()
    try:
        files = {key: pdf.EmbeddedFile(**value) for key, value in (report.files or {}).items()}
        name = f"reports/{report.apprenticeship_id}/{report.fingerprint}-{report.audience}.pdf"
        if report.sections and "html" in report.sections[0]:
            built = sections.build(
                report.sections,
                files,
                previous=previous,
                store_under=_parts_folder(report),
                workdir=scratch.name,
            )
            pages, manifest = built.pages, built.manifest
            with open(built.path, "rb") as handle:
                report.file.save(name, File(handle), save=False)
        else:
            # A small report, or one asked for before reports were built in parts: the
            # whole HTML in one go.
            with sections.time_limit(sections.one_document_seconds(report.html)):
                data, pages = pdf.render_pdf(report.html, files)
            manifest = []
            report.file.save(name, ContentFile(data), save=False)
    except OSError:
        if report.attempts >= MAX_ATTEMPTS:
            logger.exception("Report %s could not be stored, %s times.", report_id, MAX_ATTEMPTS)
            _fail(report_id, FAILED_ERROR)
            return
        # Storage trouble is usually passing: put the job back for the outbox's retry.
        Report.objects.filter(pk=report_id).update(status=Report.Status.QUEUED)
        raise
    except (SoftTimeLimitExceeded, sections.PartTooLong):
        _fail(report_id, FAILED_TOO_LONG)
        return
    except Exception:
        logger.exception("Report %s could not be built.", report_id)
        _fail(report_id, FAILED_ERROR)
        return
    finally:
        scratch.cleanup()
    report.status = Report.Status.READY
    report.finished_at = timezone.now()
    report.pages = pages
    report.size = report.file.size
    report.html = ""  # The PDF is the record now; don't keep a second copy of the text.
    report.sections = manifest
    report.save(
        update_fields=["file", "status", "finished_at", "pages", "size", "html", "sections"]
    )
    _forget_parts(previous, manifest)


def _parts_folder(report: Report) -> str:
    return f"reports/parts/{report.apprenticeship_id}/{report.kind}-{report.audience}"


def _previous_parts(report: Report) -> list[dict]:
    """The parts of the last build of the same report (same apprenticeship, kind and
    audience), for reuse."""
    last = (
        Report.objects.filter(
            apprenticeship_id=report.apprenticeship_id,
            kind=report.kind,
            audience=report.audience,
            status=Report.Status.READY,
        )
        .exclude(pk=report.pk)
        .order_by("-finished_at", "-pk")
        .values_list("sections", flat=True)
        .first()
    )
    return [entry for entry in last or [] if entry.get("file")]


def _forget_parts(previous: list[dict], manifest: list[dict]) -> None:
    """Delete the stored parts of the last build that this build no longer uses (the
    joined PDFs of both builds are kept)."""
    kept = {entry["file"] for entry in manifest}
    for entry in previous:
        if entry["file"] not in kept:
            try:
                default_storage.delete(entry["file"])
            except OSError:
                logger.warning("Could not delete an old report part %s.", entry["file"])


def _fail(report_id: int, reason: str) -> None:
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.FAILED, failure=reason, finished_at=timezone.now()
    )


def build_report_now(*, apprenticeship: Apprenticeship, kind: str, audience: str) -> bytes:
    """Build a report synchronously, without a job row (for operators and tests)."""
    document = content.build_document(apprenticeship=apprenticeship, kind=kind, audience=audience)
    if sections.in_one_document(document.items):
        data, _pages = pdf.render_pdf(document.html, document.files)
        return data
    scratch = sections.scratch_dir()
    try:
        built = sections.build(
            _jobs(document),
            document.files,
            previous=[],
            store_under=None,
            workdir=scratch.name,
        )
        with open(built.path, "rb") as handle:
            return handle.read()
    finally:
        scratch.cleanup()
