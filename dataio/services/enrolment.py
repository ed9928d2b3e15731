"""Bulk enrolment: the upload, confirming it, and the worker that creates every row or
none. Each change is recorded in the history."""

import datetime as dt
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import services as enrolment
from apprenticeship.models import Organisation, Role
from audit.actions import AuditAction
from audit.services import record_event
from dataio import enrolment_import
from dataio.models import EnrolmentImport
from outbox import services as outbox
from standards.models import StandardVersion

logger = logging.getLogger(__name__)


class BulkEnrolmentError(Exception):
    """The import cannot go ahead; nothing was created. `plan` is the preview, if any."""

    def __init__(self, message: str, plan: enrolment_import.Plan | None = None) -> None:
        super().__init__(message)
        self.plan = plan


@transaction.atomic
def upload_enrolments(
    *, provider: Organisation, content: bytes, filename: str, by: User
) -> EnrolmentImport:
    """Read a CSV or XLSX file of enrolments and keep its cells for the preview. Creates
    no person, employer or enrolment. Raises ImportFileError for an unreadable file."""
    rows = enrolment_import.read_rows(content, filename)
    upload = EnrolmentImport(
        provider=provider,
        uploaded_by=by,
        filename=filename[:200],
        checksum=enrolment_import.checksum(content),
        rows=rows,
    )
    upload.full_clean()
    upload.save()
    record_event(
        action=AuditAction.ENROLMENT_IMPORT_UPLOADED,
        obj=upload,
        actor=by,
        summary=f"Uploaded {upload.filename} ({len(rows)} rows) to enrol at {provider.name}",
        after={"rows": len(rows), "checksum": upload.checksum},
    )
    return upload


@transaction.atomic
def commit_enrolments(
    *,
    upload: EnrolmentImport,
    by: User,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> EnrolmentImport:
    """Create every row's people, employers and enrolments, or none of them. Run by the
    worker that confirming queues (`run_enrolment_import`); `progress` is told how many
    rows are done every PROGRESS_EVERY rows.

    The rows are planned again first (the data may have changed since the preview); if any
    row has a problem nothing is created. Rows already enrolled (the same person, standard
    version and start date at this provider) are skipped, so importing the same file twice
    creates nothing the second time. People are invited, employers created and tutors
    assigned through apprenticeship/services.py, so its rules (separation of duties,
    invitations through the outbox) hold for every row.
    """
    upload = (
        EnrolmentImport.objects.select_for_update().select_related("provider").get(pk=upload.pk)
    )
    if upload.status == EnrolmentImport.Status.COMMITTED:
        raise BulkEnrolmentError("This file has already been imported.")
    provider = upload.provider
    plan = enrolment_import.plan_rows(provider=provider, rows=upload.rows, today=today)
    if plan.problems:
        raise BulkEnrolmentError(
            "Nothing was imported: fix the problems shown and upload the file again.", plan
        )
    versions = StandardVersion.objects.in_bulk({r.standard_version_id for r in plan.rows})
    employers = Organisation.objects.in_bulk({r.employer_id for r in plan.rows if r.employer_id})
    new_employers: dict[str, Organisation] = {}
    people = User.objects.in_bulk({r.apprentice_id for r in plan.rows if r.apprentice_id})
    tutors = User.objects.in_bulk({r.tutor_id for r in plan.rows if r.tutor_id})
    created = 0
    try:
        for done, row in enumerate(plan.rows, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            if row.state != "new":
                continue
            v = row.values
            employer = employers.get(row.employer_id) if row.employer_id else None
            if employer is None:
                key = v["employer"].lower()
                if key not in new_employers:
                    new_employers[key] = enrolment.create_organisation(
                        name=v["employer"],
                        kind=Organisation.Kind.EMPLOYER,
                        managed_by=provider,
                        by=by,
                    )
                employer = new_employers[key]
            person = people.get(row.apprentice_id) if row.apprentice_id else None
            if person is None or row.joins_employer:
                person, _ = enrolment.invite_person(
                    email=v["email"],
                    full_name=v["full_name"],
                    organisation=employer,
                    is_admin=False,
                    by=by,
                )
            apprenticeship = enrolment.create_apprenticeship(
                by=by,
                apprentice=person,
                standard_version=versions[row.standard_version_id],
                provider=provider,
                employer=employer,
                uln=v["uln"],
                today=today,
                **row.parsed,
            )
            if row.tutor_id:
                enrolment.add_member(
                    apprenticeship=apprenticeship,
                    user=tutors[row.tutor_id],
                    role=Role.TUTOR,
                    by=by,
                )
            created += 1
    except (enrolment.EnrolmentError, ValidationError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise BulkEnrolmentError(
            f"Nothing was imported: row {row.row} could not be created. {message}"
        ) from error
    upload.status = EnrolmentImport.Status.COMMITTED
    upload.committed_at = timezone.now()
    upload.enrolments_created = created
    upload.failure = ""
    upload.save(update_fields=["status", "committed_at", "enrolments_created", "failure"])
    record_event(
        action=AuditAction.ENROLMENT_IMPORT_COMMITTED,
        obj=upload,
        actor=by,
        summary=(
            f"Imported {upload.filename}: {created} enrolments created, {plan.already} already here"
        ),
        after={"created": created, "already": plan.already, "checksum": upload.checksum},
    )
    return upload


PROGRESS_EVERY = 25
IMPORT_TASK = "dataio.tasks.run_enrolment_import"


def _progress_key(upload_id: int) -> str:
    return f"enrolment-import:{upload_id}:done"


def import_progress(upload: EnrolmentImport) -> int:
    """How many rows the worker has gone through (0 if it has not said, or the cache is
    away: the figure is a courtesy, the import's status is what counts)."""
    try:
        return int(cache.get(_progress_key(upload.pk)) or 0)
    except Exception:  # noqa: BLE001 - a cache that is away must not break the page
        logger.warning("Could not read the progress of enrolment import %s.", upload.pk)
        return 0


def _say_progress(upload_id: int, done: int) -> None:
    try:
        cache.set(_progress_key(upload_id), done, timeout=6 * 3600)
    except Exception:  # noqa: BLE001 - progress is a courtesy; the import goes on
        logger.warning("Could not record the progress of enrolment import %s.", upload_id)


def import_stalled(upload: EnrolmentImport) -> bool:
    """Whether a queued import's job has stopped for good (its tries used up): the import
    created nothing and can be confirmed again."""
    return upload.status == EnrolmentImport.Status.QUEUED and not outbox.is_waiting(
        IMPORT_TASK, import_id=upload.pk
    )


@transaction.atomic
def confirm_enrolments(
    *, upload: EnrolmentImport, by: User, today: dt.date | None = None
) -> EnrolmentImport:
    """Queue the import: a worker creates every row or none (`run_enrolment_import`),
    through the outbox once this commits. The rows are planned here too, so a file with a
    problem is refused at once and nothing is queued. Confirming twice queues once; an
    import whose job stopped for good may be confirmed again."""
    upload = (
        EnrolmentImport.objects.select_for_update().select_related("provider").get(pk=upload.pk)
    )
    if upload.status == EnrolmentImport.Status.COMMITTED:
        raise BulkEnrolmentError("This file has already been imported.")
    if upload.status == EnrolmentImport.Status.QUEUED and not import_stalled(upload):
        return upload
    plan = enrolment_import.plan_rows(provider=upload.provider, rows=upload.rows, today=today)
    if plan.problems:
        raise BulkEnrolmentError(
            "Nothing was imported: fix the problems shown and upload the file again.", plan
        )
    if not plan.to_create:
        raise BulkEnrolmentError("Everyone in this file is already enrolled: nothing to create.")
    upload.status = EnrolmentImport.Status.QUEUED
    upload.queued_by = by
    upload.queued_at = timezone.now()
    upload.failure = ""
    upload.save(update_fields=["status", "queued_by", "queued_at", "failure"])
    _say_progress(upload.pk, 0)
    record_event(
        action=AuditAction.ENROLMENT_IMPORT_QUEUED,
        obj=upload,
        actor=by,
        summary=f"Confirmed {upload.filename}: {plan.to_create} enrolments to create",
        after={"to_create": plan.to_create, "already": plan.already},
    )
    outbox.enqueue(
        IMPORT_TASK,
        key=f"enrolment-import:{upload.pk}:{upload.queued_at.timestamp()}",
        import_id=upload.pk,
    )
    return upload


def run_enrolment_import(*, import_id: int, today: dt.date | None = None) -> None:
    """The worker's part: create every row or none. Idempotent: an import already done (or
    not queued) is left as it is. If a row cannot be created nothing is, and the import
    goes back to waiting for confirmation with the reason, shown on its page."""
    upload = EnrolmentImport.objects.select_related("queued_by").filter(pk=import_id).first()
    if upload is None:
        logger.info("Enrolment import %s no longer exists.", import_id)
        return
    if upload.status != EnrolmentImport.Status.QUEUED or upload.queued_by is None:
        return
    try:
        commit_enrolments(
            upload=upload,
            by=upload.queued_by,
            today=today,
            progress=lambda done: _say_progress(import_id, done),
        )
    except BulkEnrolmentError as error:
        EnrolmentImport.objects.filter(pk=import_id, status=EnrolmentImport.Status.QUEUED).update(
            status=EnrolmentImport.Status.PREVIEWED, failure=str(error)[:2000]
        )
        return
    _say_progress(import_id, len(upload.rows))
