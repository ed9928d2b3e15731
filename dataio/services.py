"""Writes of data in and out: bulk enrolment. Each change is recorded in the history."""

import datetime as dt
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import services as enrolment
from apprenticeship.models import Organisation, Role
from audit.actions import AuditAction
from audit.services import record_event
from dataio import enrolment_import, subject_access
from dataio.models import EnrolmentImport, SubjectAccessRequest
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
    *, upload: EnrolmentImport, by: User, today: dt.date | None = None
) -> EnrolmentImport:
    """Create every row's people, employers and enrolments, or none of them.

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
        for row in plan.rows:
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
    upload.save(update_fields=["status", "committed_at", "enrolments_created"])
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


# -- subject access ----------------------------------------------------------------------


@transaction.atomic
def request_subject_access(
    *,
    person: User,
    by: User,
    provider: Organisation | None = None,
    reason: str = "",
) -> SubjectAccessRequest:
    """Ask for everything held about `person`. Made by the person, or by an admin of
    `provider` on their behalf, with the reason (required then). The zip is built by a
    worker, queued through the outbox once this commits."""
    on_behalf = by.pk != person.pk
    if on_behalf and (provider is None or not reason.strip()):
        raise ValidationError("Say why you are asking on the apprentice's behalf.")
    request = SubjectAccessRequest(
        person=person,
        requested_by=by,
        provider=provider if on_behalf else None,
        reason=reason.strip(),
    )
    request.full_clean()
    request.save()
    record_event(
        action=AuditAction.SUBJECT_ACCESS_REQUESTED,
        obj=person,
        actor=by,
        summary=(
            f"Asked for everything held about {person.full_name}"
            + (f" on their behalf: {reason.strip()}" if on_behalf else "")
        )[:300],
        after={"request": request.pk, "on_behalf": on_behalf},
    )
    outbox.enqueue(
        "dataio.tasks.build_subject_access",
        key=f"subject-access:{request.pk}",
        request_id=request.pk,
    )
    return request


def build_subject_access(*, request_id: int, now: dt.datetime | None = None) -> None:
    """Build the zip for a request (idempotent: a ready request is left as it is)."""
    request = SubjectAccessRequest.objects.select_related("person").filter(pk=request_id).first()
    if request is None:
        logger.info("Subject access request %s no longer exists.", request_id)
        return
    if request.status == SubjectAccessRequest.Status.READY:
        return
    now = now or timezone.now()
    data = subject_access.build_zip(request.person, when=now)
    name = f"subject-access-{request.pk}-{now:%Y%m%d%H%M%S}.zip"
    request.archive.save(name, ContentFile(data), save=False)
    request.sha256 = hashlib.sha256(data).hexdigest()
    request.size = len(data)
    request.status = SubjectAccessRequest.Status.READY
    request.ready_at = now
    request.save(update_fields=["archive", "sha256", "size", "status", "ready_at"])
