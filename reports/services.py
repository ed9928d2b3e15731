"""Asking for a report, building it, and making sure every job finishes.

A request renders the report's HTML (cheap) and stores it with its fingerprint; the
worker turns exactly that HTML into a PDF (expensive). The job row is the outbox: it is
committed first and handed to the broker after commit. If the broker is down the row
waits, and the sweep (or the next status check) sends it when the broker is back.
"""

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from apprenticeship.models import Apprenticeship
from audit.services import record_event
from config.celery import task
from reports import content, pdf
from reports.models import Report

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# The build task's time limits (reports/tasks.py).
BUILD_SOFT_TIME_LIMIT = 300
BUILD_TIME_LIMIT = 360
# A job building for longer than the hard time limit (plus a margin) has died.
STUCK_AFTER = dt.timedelta(seconds=BUILD_TIME_LIMIT + 60)
# A job the broker accepted but no worker started: the message was lost; send it again.
LOST_AFTER = dt.timedelta(minutes=15)
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
    changed, otherwise a new job, queued after commit."""
    document = content.build_document(apprenticeship=apprenticeship, kind=kind, audience=audience)
    report, created = Report.objects.select_for_update().get_or_create(
        apprenticeship=apprenticeship,
        kind=kind,
        audience=audience,
        fingerprint=document.fingerprint,
        defaults={
            "requested_by": by,
            "html": document.html,
            "files": _manifest(document),
        },
    )
    if report.status == Report.Status.FAILED:
        # Asking again after a failure tries again.
        report.status = Report.Status.QUEUED
        report.sent_at = None
        report.failure = ""
        report.attempts = 0
        report.html = document.html
        report.files = _manifest(document)
        report.save(update_fields=["status", "sent_at", "failure", "attempts", "html", "files"])
    if created or report.status == Report.Status.QUEUED:
        record_event(
            action="report.requested",
            obj=report,
            actor=by,
            apprenticeship_id=apprenticeship.pk,
            summary=f"Asked for the {report.get_kind_display().lower()} "
            f"({report.get_audience_display().lower()})",
        )
    if report.status == Report.Status.QUEUED and report.sent_at is None:
        report_id = report.pk
        transaction.on_commit(lambda: send_report_job(report_id=report_id))
    return report


def _manifest(document: content.Document) -> dict:
    return {
        key: {"storage_name": f.storage_name, "content_type": f.content_type}
        for key, f in document.files.items()
    }


def send_report_job(*, report_id: int) -> bool:
    """Hand a queued job to the broker. If the broker is unreachable the job stays in the
    outbox (sent_at empty) and this returns False."""
    try:
        task("reports.tasks.build_report").apply_async(args=[report_id], retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("Report %s not sent to the broker yet: %s", report_id, exc)
        return False
    Report.objects.filter(pk=report_id, status=Report.Status.QUEUED, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True


def build_report(*, report_id: int) -> None:
    """Build one report's PDF. Safe to run twice, or twice at once: only the run that
    claims the queued job builds it."""
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
        status=Report.Status.BUILDING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        logger.info("Report %s is not waiting to be built; nothing to do.", report_id)
        return
    report = Report.objects.get(pk=report_id)
    try:
        files = {key: pdf.EmbeddedFile(**value) for key, value in (report.files or {}).items()}
        data, pages = pdf.render_pdf(report.html, files)
        name = f"reports/{report.apprenticeship_id}/{report.fingerprint}-{report.audience}.pdf"
        report.file.save(name, ContentFile(data), save=False)
    except OSError:
        # Storage trouble is usually passing: put the job back for the task's retry.
        Report.objects.filter(pk=report_id).update(status=Report.Status.QUEUED)
        raise
    except SoftTimeLimitExceeded:
        _fail(report_id, FAILED_TOO_LONG)
        return
    except Exception:
        logger.exception("Report %s could not be built.", report_id)
        _fail(report_id, FAILED_ERROR)
        return
    report.status = Report.Status.READY
    report.finished_at = timezone.now()
    report.pages = pages
    report.size = len(data)
    report.html = ""  # The PDF is the record now; don't keep a second copy of the text.
    report.save(update_fields=["file", "status", "finished_at", "pages", "size", "html"])


def _fail(report_id: int, reason: str) -> None:
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.FAILED, failure=reason, finished_at=timezone.now()
    )


def sweep_reports(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make sure no job waits or builds forever: send the outbox, resend lost jobs, and
    restart (or, after MAX_ATTEMPTS, fail) jobs whose worker died."""
    now = now or timezone.now()
    counts = {"sent": 0, "restarted": 0, "failed": 0}
    stuck = Report.objects.filter(status=Report.Status.BUILDING, started_at__lt=now - STUCK_AFTER)
    counts["failed"] += stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Report.Status.FAILED, failure=FAILED_TOO_LONG, finished_at=now
    )
    counts["restarted"] += stuck.update(status=Report.Status.QUEUED, sent_at=None)
    counts["restarted"] += Report.objects.filter(
        status=Report.Status.QUEUED, sent_at__lt=now - LOST_AFTER
    ).update(sent_at=None)
    for report_id in Report.objects.waiting_to_send().values_list("pk", flat=True)[:500]:
        counts["sent"] += send_report_job(report_id=report_id)
    return counts


def build_report_now(*, apprenticeship: Apprenticeship, kind: str, audience: str) -> bytes:
    """Build a report synchronously, without a job row (for operators and tests)."""
    document = content.build_document(apprenticeship=apprenticeship, kind=kind, audience=audience)
    data, _pages = pdf.render_pdf(document.html, document.files)
    return data
