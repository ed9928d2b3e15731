"""Writes of data in and out: bulk enrolment. Each change is recorded in the history."""

import csv
import datetime as dt
import hashlib
import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship import services as enrolment
from apprenticeship.models import Apprenticeship, Organisation, Role
from audit.actions import AuditAction
from audit.services import record_event
from dataio import enrolment_import, erasure, exports, retention, subject_access
from dataio.models import (
    EnrolmentImport,
    Export,
    LegalHold,
    RetentionErasure,
    RetentionPolicy,
    SubjectAccessRequest,
)
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


@transaction.atomic
def confirm_enrolments(
    *, upload: EnrolmentImport, by: User, today: dt.date | None = None
) -> EnrolmentImport:
    """Queue the import: a worker creates every row or none (`run_enrolment_import`),
    through the outbox once this commits. The rows are planned here too, so a file with a
    problem is refused at once and nothing is queued. Confirming twice queues once."""
    upload = (
        EnrolmentImport.objects.select_for_update().select_related("provider").get(pk=upload.pk)
    )
    if upload.status == EnrolmentImport.Status.COMMITTED:
        raise BulkEnrolmentError("This file has already been imported.")
    if upload.status == EnrolmentImport.Status.QUEUED:
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


# -- keeping and not keeping -------------------------------------------------------------


class RetentionError(Exception):
    """A retention policy or legal hold change that is not allowed; nothing changed."""


@transaction.atomic
def set_retention_policy(
    *, provider: Organisation, years: int, applies_automatically: bool, by: User
) -> RetentionPolicy:
    """Set how long `provider` keeps records after the funding year they ended in. Never
    shorter than the default (the shortest period the stored sources give)."""
    if years < funding_rules.RECORD_RETENTION_YEARS:
        raise RetentionError(
            f"Keep records for at least {funding_rules.RECORD_RETENTION_YEARS} years."
        )
    policy = RetentionPolicy.objects.select_for_update().filter(provider=provider).first()
    before = (
        {"years": policy.years, "applies_automatically": policy.applies_automatically}
        if policy
        else {"years": funding_rules.RECORD_RETENTION_YEARS, "default": True}
    )
    if policy is None:
        policy = RetentionPolicy(provider=provider, years=years, updated_by=by)
    policy.years = years
    policy.applies_automatically = applies_automatically
    policy.updated_by = by
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy.save()
    record_event(
        action=AuditAction.RETENTION_POLICY_SET,
        obj=provider,
        actor=by,
        summary=(
            f"Set the retention policy of {provider.name}: records kept {years} years after "
            "the funding year they ended in"
            + ("" if applies_automatically else "; not applied automatically")
        ),
        before=before,
        after={"years": years, "applies_automatically": applies_automatically},
    )
    return policy


@transaction.atomic
def place_legal_hold(
    *, apprenticeship: Apprenticeship, reason: str, why: str, by: User
) -> LegalHold:
    """Hold an apprenticeship's records: nothing of them is deleted until it is lifted."""
    locked = Apprenticeship.objects.select_for_update().get(pk=apprenticeship.pk)
    if LegalHold.objects.filter(apprenticeship=locked, lifted_at__isnull=True).exists():
        raise RetentionError("These records are already on hold.")
    if not why.strip():
        raise ValidationError({"why": "Say why the records are held."})
    hold = LegalHold(apprenticeship=locked, reason=reason, why=why.strip(), placed_by=by)
    hold.full_clean()
    hold.save()
    record_event(
        action=AuditAction.LEGAL_HOLD_PLACED,
        obj=hold,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Held the records ({hold.get_reason_display().lower()}): {hold.why}"[:300],
        after={"reason": hold.reason, "why": hold.why},
    )
    return hold


@transaction.atomic
def lift_legal_hold(*, hold: LegalHold, why: str, by: User) -> LegalHold:
    """Lift a hold, with the reason. The retention policy applies again from then."""
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise RetentionError("This hold has already been lifted.")
    if not why.strip():
        raise ValidationError({"why": "Say why the hold is lifted."})
    locked.lifted_by = by
    locked.lifted_at = timezone.now()
    locked.lift_reason = why.strip()
    locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    record_event(
        action=AuditAction.LEGAL_HOLD_LIFTED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Lifted the hold on the records: {locked.lift_reason}"[:300],
        before={"reason": locked.reason},
        after={"lifted": True, "why": locked.lift_reason},
    )
    return locked


@dataclass
class RetentionResult:
    """What one provider's policy deleted (or, in a dry run, would delete): ids and counts,
    never content."""

    provider_id: int
    dry_run: bool
    apprenticeship_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files_deleted: int = 0


def apply_retention(
    *,
    provider: Organisation,
    today: dt.date | None = None,
    dry_run: bool = False,
    by: User | None = None,
    actor_label: str = "",
) -> RetentionResult:
    """Reduce every apprenticeship of `provider` past keeping (and not on hold) to its
    minimal record. In a dry run, list them and count what would go, changing nothing.

    Each apprenticeship is reduced in its own transaction, locked first and checked again
    (a hold placed meanwhile stops it), with one history event each and one for the run.
    Files are deleted from storage once their rows are gone. Running it twice is harmless:
    a reduced apprenticeship is not listed again."""
    today = today or timezone.localdate()
    policy = retention.policy_for(provider)
    result = RetentionResult(provider_id=provider.pk, dry_run=dry_run)
    result.held_ids = list(retention.held(policy, today=today).values_list("pk", flat=True))
    rows = list(retention.due(policy, today=today))
    for row in rows:
        counts: dict[str, int] | None
        if dry_run:
            counts = erasure.count(row.pk, row.apprentice_id)
        else:
            counts = _reduce(row, policy=policy, today=today, by=by, actor_label=actor_label)
            if counts is None:
                continue
            result.files_deleted += counts.get("files_deleted_from_storage", 0)
        result.apprenticeship_ids.append(row.pk)
        for key, value in counts.items():
            result.counts[key] = result.counts.get(key, 0) + value
    if not dry_run and (result.apprenticeship_ids or result.held_ids):
        record_event(
            action=AuditAction.RETENTION_APPLIED,
            obj=provider,
            actor=by,
            actor_label=actor_label,
            summary=(
                f"Retention policy applied at {provider.name}: "
                f"{len(result.apprenticeship_ids)} apprenticeships reduced to the minimal "
                f"record, {len(result.held_ids)} kept on hold"
            ),
            after={
                "apprenticeships": result.apprenticeship_ids,
                "held": result.held_ids,
                "counts": result.counts,
                "years": policy.years,
                "on": today.isoformat(),
            },
        )
    return result


def _reduce(
    row: Apprenticeship, *, policy, today: dt.date, by: User | None, actor_label: str
) -> dict[str, int] | None:
    """One apprenticeship to its minimal record; None if it is no longer due."""
    paths: list[str] = []
    with transaction.atomic():
        locked = Apprenticeship.objects.select_for_update().get(pk=row.pk)
        still_due = retention.due(policy, today=today).filter(pk=locked.pk).first()
        if still_due is None:
            return None
        ended_on = retention.ended_on(still_due)
        counts, paths = erasure.erase(locked.pk, person_id=locked.apprentice_id)
        RetentionErasure.objects.create(
            apprenticeship=locked,
            ended_on=ended_on,
            kept_until=funding_rules.records_kept_until(ended_on, policy.years),
            counts=counts,
        )
        record_event(
            action=AuditAction.RETENTION_APPLIED,
            obj=locked,
            actor=by,
            actor_label=actor_label,
            apprenticeship_id=locked.pk,
            summary=(
                "Personal files and texts deleted under the retention policy; the minimal "
                "record remains"
            ),
            after={"counts": counts, "ended_on": ended_on.isoformat()},
        )
    return {**counts, "files_deleted_from_storage": erasure.delete_files(paths)}


def apply_retention_everywhere(
    *,
    providers=None,
    today: dt.date | None = None,
    dry_run: bool = False,
    actor_label: str = "Retention policy (nightly)",
    only_automatic: bool = True,
) -> list[RetentionResult]:
    """Apply the policy of every provider (or those given). The nightly job skips providers
    that paused deleting (`only_automatic`); the command, asked by a person, does not."""
    if providers is None:
        providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
    results = []
    for policy in retention.policies(providers):
        if only_automatic and not policy.applies_automatically:
            continue
        results.append(
            apply_retention(
                provider=policy.provider, today=today, dry_run=dry_run, actor_label=actor_label
            )
        )
    return results


# -- large exports -----------------------------------------------------------------------


@transaction.atomic
def request_export(*, kind: str, by: User, today: dt.date | None = None) -> Export:
    """Queue a large CSV export for `by`, built by a worker through the outbox. Asking
    again for the same export the same day, while one is being prepared, returns it."""
    today = today or timezone.localdate()
    waiting = Export.objects.filter(
        kind=kind, requested_by=by, as_of=today, status=Export.Status.QUEUED
    ).first()
    if waiting is not None:
        return waiting
    export = Export(kind=kind, requested_by=by, as_of=today)
    export.full_clean()
    export.save()
    outbox.enqueue(EXPORT_TASK, key=f"export:{export.pk}", export_id=export.pk)
    return export


EXPORT_TASK = "dataio.tasks.build_export"


def build_export(*, export_id: int) -> None:
    """Write the export's CSV to storage (idempotent: a ready export is left as it is).
    The rows are those the person may see now, as of the day they asked."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.info("Export %s no longer exists.", export_id)
        return
    if export.status == Export.Status.READY:
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text)
        count = -1  # the header is not a row
        for line in exports.rows(export.requested_by, export.kind, today=export.as_of):
            writer.writerow(line)
            if not (line and str(line[0]).startswith("#")):
                count += 1
        text.flush()
        size = out.tell()
        out.seek(0)
        export.file.save(export.filename, File(out), save=False)
        text.detach()
    export.rows = max(count, 0)
    export.size = size
    export.status = Export.Status.READY
    export.ready_at = timezone.now()
    export.save(update_fields=["file", "rows", "size", "status", "ready_at"])


EXPORTS_KEPT = dt.timedelta(days=7)


def prune_exports(*, now: dt.datetime | None = None) -> int:
    """Delete exports (and their files) asked for more than EXPORTS_KEPT ago: they are
    copies of records, kept only long enough to download."""
    now = now or timezone.now()
    old = Export.objects.filter(created_at__lt=now - EXPORTS_KEPT)
    paths = [name for name in old.values_list("file", flat=True) if name]
    count, _ = old.delete()
    erasure.delete_files(paths)
    return count
