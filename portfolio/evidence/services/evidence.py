"""Everything that changes evidence: drafts, files, submission, the tutor's review and
the comment thread. Each decision is in the append-only history. Sign-offs are in
sign_offs.py; testimonies and the private list of names in testimonies.py; reads in
evidence/selectors.py."""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence, Set

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.changes import snapshot
from audit.services import record_event
from outbox import services as outbox
from portfolio.evidence import filetypes, uploads
from portfolio.evidence.models import (
    APPRENTICE_KINDS,
    HIDDEN_FROM_EMPLOYER_BY_DEFAULT,
    Evidence,
    EvidenceFile,
    EvidenceKind,
    WitnessTestimony,
)
from portfolio.evidence.selectors import missing_for_submission
from portfolio.evidence.services.standing import refresh_evidence_standing
from standards.models import KSB, Duty

logger = logging.getLogger(__name__)
# Refused uploads go to the security log, never to the history people see.
security_log = logging.getLogger("security.uploads")

DRAFT_FIELDS = ("title", "kind", "activity_date", "account")
MAX_FILES_PER_ITEM = 20
# What the history keeps of an item's state.
EVIDENCE_FIELDS = ("status", "version", "title", "visible_to_employer")


class EvidenceError(Exception):
    """A change to evidence or a sign-off that the rules do not allow."""


def lock_evidence(evidence: Evidence, *, waiting_changes: bool = False) -> Evidence:
    """The row again, locked until the transaction ends, with the caller's apprenticeship
    (which carries the viewer's roles). A change to what waits for the tutor
    (`waiting_changes`: sending, taking back, deciding) takes the apprenticeship's lock
    first, as every change that keeps a standing row does; the caller then refreshes
    `EvidenceStanding`."""
    if waiting_changes:
        lock_apprenticeship(evidence.apprenticeship_id)
    locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
    locked.apprenticeship = evidence.apprenticeship
    return locked


def _check_mapping(apprenticeship: Apprenticeship, duties, ksbs, testimonies) -> None:
    standard_id = apprenticeship.standard_version_id
    if any(duty.standard_version_id != standard_id for duty in duties) or any(
        ksb.standard_version_id != standard_id for ksb in ksbs
    ):
        raise EvidenceError("Choose duties and KSBs from your own standard.")
    if any(t.apprenticeship_id != apprenticeship.pk for t in testimonies):
        raise EvidenceError("Attach only witness testimonies written for this apprenticeship.")


def _check_current(
    duties, ksbs, *, mapped_duties: Set[int] = frozenset(), mapped_ksbs: Set[int] = frozenset()
) -> None:
    """A retired statement stays on the evidence that already names it, but nothing new is
    mapped to it."""
    added = [d for d in duties if d.is_retired and d.pk not in mapped_duties] + [
        k for k in ksbs if k.is_retired and k.pk not in mapped_ksbs
    ]
    if added:
        raise EvidenceError(
            f"{', '.join(s.code for s in added)}: retired when the standard was imported "
            "again. Choose a current statement."
        )


def _check_kind(kind: str) -> None:
    if kind not in APPRENTICE_KINDS:
        raise EvidenceError(
            "Choose one of the kinds of evidence you write yourself. A witness testimony "
            "is written by the witness, and an observation by your tutor."
        )


def _validate_activity_date(activity_date: dt.date | None, today: dt.date) -> None:
    if activity_date is not None and activity_date > today:
        raise ValidationError({"activity_date": "The date of the activity can't be in the future."})


def _start_new_version(evidence: Evidence, by: User) -> None:
    """Accepted evidence being changed becomes a draft of the next version; the accepted
    version stays as it was, and sign-offs keep relying on it."""
    evidence.version += 1
    evidence.status = Evidence.Status.DRAFT
    record_event(
        action=AuditAction.EVIDENCE_NEW_VERSION,
        obj=evidence,
        actor=by,
        apprenticeship_id=evidence.apprenticeship_id,
        summary=f"Started version {evidence.version} of “{evidence.display_title}”",
        before={"status": Evidence.Status.ACCEPTED, "version": evidence.version - 1},
        after={"status": Evidence.Status.DRAFT, "version": evidence.version},
    )


def _make_editable(evidence: Evidence, by: User) -> None:
    if evidence.status == Evidence.Status.SUBMITTED:
        raise EvidenceError(
            "This evidence is waiting for your tutor. Take it back first if you need to change it."
        )
    if evidence.status == Evidence.Status.ACCEPTED:
        _start_new_version(evidence, by)


@transaction.atomic
def create_evidence(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    title: str = "",
    kind: str,
    activity_date: dt.date | None = None,
    account: str = "",
    duties: Sequence[Duty] = (),
    ksbs: Sequence[KSB] = (),
    testimonies: Sequence[WitnessTestimony] = (),
    today: dt.date | None = None,
) -> Evidence:
    """A new draft. Reflective accounts start hidden from the employer."""
    _check_kind(kind)
    _validate_activity_date(activity_date, today or timezone.localdate())
    _check_mapping(apprenticeship, duties, ksbs, testimonies)
    _check_current(duties, ksbs)
    now = timezone.now()
    evidence = Evidence(
        apprenticeship=apprenticeship,
        title=title.strip(),
        kind=kind,
        activity_date=activity_date,
        account=account,
        visible_to_employer=kind not in HIDDEN_FROM_EMPLOYER_BY_DEFAULT,
        created_at=now,
        updated_at=now,
    )
    evidence.full_clean(exclude=["accepted_version", "reviewed_by"])
    evidence.save()
    evidence.duties.set(duties)
    evidence.ksbs.set(ksbs)
    evidence.testimonies.set(testimonies)
    record_event(
        action=AuditAction.EVIDENCE_CREATED,
        obj=evidence,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Started a draft: “{evidence.display_title}”",
        after=snapshot(evidence, EVIDENCE_FIELDS),
    )
    return evidence


@transaction.atomic
def start_draft(*, apprenticeship: Apprenticeship, by: User) -> Evidence:
    """A draft to write in. An untouched draft started earlier is used again, so leaving
    the page before typing anything doesn't pile up empty drafts."""
    empty = (
        Evidence.objects.filter(
            apprenticeship=apprenticeship,
            status=Evidence.Status.DRAFT,
            version=1,
            title="",
            account="",
            activity_date__isnull=True,
        )
        .filter(duties=None, ksbs=None, files=None, testimonies=None)
        .order_by("pk")
        .first()
    )
    if empty is not None:
        return empty
    return create_evidence(
        apprenticeship=apprenticeship, by=by, kind=EvidenceKind.REFLECTIVE_ACCOUNT
    )


@transaction.atomic
def save_draft(
    *,
    evidence: Evidence,
    by: User,
    title: str,
    kind: str,
    activity_date: dt.date | None,
    account: str,
    duties: Sequence[Duty],
    ksbs: Sequence[KSB],
    testimonies: Sequence[WitnessTestimony] = (),
    today: dt.date | None = None,
) -> Evidence:
    """Save what the apprentice has written (the form and the autosave both call this).
    Accepted evidence starts a new version; evidence waiting for review can't change."""
    _validate_activity_date(activity_date, today or timezone.localdate())
    _check_mapping(evidence.apprenticeship, duties, ksbs, testimonies)
    locked = lock_evidence(evidence)
    if kind != locked.kind:
        _check_kind(kind)
    mapped_duties = set(locked.duties.values_list("pk", flat=True))
    mapped_ksbs = set(locked.ksbs.values_list("pk", flat=True))
    _check_current(duties, ksbs, mapped_duties=mapped_duties, mapped_ksbs=mapped_ksbs)
    values = {"title": title.strip(), "kind": kind, "activity_date": activity_date}
    values["account"] = account
    unchanged = (
        all(getattr(locked, name) == value for name, value in values.items())
        and {d.pk for d in duties} == mapped_duties
        and {k.pk for k in ksbs} == mapped_ksbs
        and {t.pk for t in testimonies} == set(locked.testimonies.values_list("pk", flat=True))
    )
    if unchanged:
        return locked
    _make_editable(locked, by)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.updated_at = timezone.now()
    locked.full_clean(exclude=["accepted_version", "reviewed_by"])
    locked.save(update_fields=[*DRAFT_FIELDS, "status", "version", "updated_at"])
    locked.duties.set(duties)
    locked.ksbs.set(ksbs)
    locked.testimonies.set(testimonies)
    return locked


# -- files -----------------------------------------------------------------------------


def _storage_name(evidence: Evidence, checked: uploads.CheckedFile) -> str:
    extension = filetypes.TYPES[checked.type_key].extensions[0]
    return f"evidence/{evidence.apprenticeship_id}/{uuid.uuid4().hex}{extension}"


def log_refused_upload(
    *, evidence: Evidence, by: User, upload: UploadedFile, refusal: uploads.UploadRefused
) -> None:
    """One line in the security log: who, which apprenticeship and evidence, the file's
    name and size as the browser declared them, and why it was refused (with what the
    virus scanner found, if it found something). Names are quoted, so a name can't forge
    a log line."""
    signature = getattr(refusal, "signature", "")
    security_log.warning(
        "Upload refused: user=%s apprenticeship=%s evidence=%s name=%r size=%s reason=%r%s",
        by.pk,
        evidence.apprenticeship_id,
        evidence.pk,
        upload.name,
        upload.size,
        str(refusal),
        f" found={signature!r}" if signature else "",
        extra={
            "security_event": "upload_refused",
            "user_id": by.pk,
            "apprenticeship_id": evidence.apprenticeship_id,
            "evidence_id": evidence.pk,
            "declared_name": upload.name,
            "declared_size": upload.size,
            "reason": str(refusal),
            "found": signature,
        },
    )


def add_files(*, evidence: Evidence, by: User, files: Iterable[UploadedFile]) -> list[EvidenceFile]:
    """Check every file, then store them all, or refuse them all: if one is refused the
    message names it and nothing is stored (no row, no bytes)."""
    files = list(files)
    if not files:
        raise EvidenceError("Choose at least one file.")
    checked = []
    for upload in files:
        if upload.name is None or upload.size is None:
            # Django gives every uploaded file a name and a size.
            raise EvidenceError("A file arrived without its name or size. Choose it again.")
        try:
            checked.append(
                (upload, uploads.check_upload(upload, name=upload.name, size=upload.size))
            )
        except uploads.UploadRefused as refusal:
            log_refused_upload(evidence=evidence, by=by, upload=upload, refusal=refusal)
            raise EvidenceError(str(refusal)) from refusal
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = lock_evidence(evidence)
            current = EvidenceFile.objects.current().filter(evidence=locked).count()
            if current + len(checked) > MAX_FILES_PER_ITEM:
                raise EvidenceError(
                    f"One piece of evidence can have up to {MAX_FILES_PER_ITEM} files. "
                    "Split them across more than one item."
                )
            _make_editable(locked, by)
            rows = []
            for upload, result in checked:
                content = ContentFile(result.content) if result.content is not None else upload
                content.seek(0)
                name = default_storage.save(_storage_name(locked, result), content)
                stored.append(name)
                row = EvidenceFile(
                    evidence=locked,
                    file=name,
                    original_name=result.original_name,
                    content_type=result.content_type,
                    category=result.category,
                    size=result.size,
                    sha256=result.sha256,
                    extracted_text=result.extracted_text,
                    uploaded_by=by,
                )
                row.full_clean()
                row.save()
                rows.append(row)
            locked.updated_at = timezone.now()
            locked.save(update_fields=["status", "version", "updated_at"])
            record_event(
                action=AuditAction.EVIDENCE_FILES_ADDED,
                obj=locked,
                actor=by,
                apprenticeship_id=locked.apprenticeship_id,
                summary=f"Added {len(rows)} file{'s' if len(rows) != 1 else ''} to "
                f"“{locked.display_title}”",
                after={"files": [{"id": r.pk, "sha256": r.sha256} for r in rows]},
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return rows


@transaction.atomic
def remove_file(*, file: EvidenceFile, by: User) -> None:
    """Take a file off the version being worked on. Its bytes are kept: an accepted
    version may rely on it, and nothing saved is ever lost."""
    locked = lock_evidence(file.evidence)
    if file.removed_at is not None:
        raise EvidenceError("That file has already been removed.")
    _make_editable(locked, by)
    EvidenceFile.objects.filter(pk=file.pk).update(removed_at=timezone.now())
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "version", "updated_at"])
    record_event(
        action=AuditAction.EVIDENCE_FILE_REMOVED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Removed {file.original_name} from “{locked.display_title}”",
        before={"file": file.pk, "sha256": file.sha256},
    )


# -- submission ------------------------------------------------------------------------


@transaction.atomic
def submit_evidence(
    *,
    evidence: Evidence,
    by: User,
    own_work: bool,
    names_no_one: bool,
    today: dt.date | None = None,
) -> Evidence:
    """Send the evidence to the tutor. The apprentice confirms it is their own work and
    that it does not identify anyone they support."""
    locked = lock_evidence(evidence, waiting_changes=True)
    if locked.status not in (Evidence.Status.DRAFT, Evidence.Status.REFERRED):
        raise EvidenceError("Only a draft or evidence that was referred back can be submitted.")
    missing = missing_for_submission(locked, today=today)
    if missing:
        raise EvidenceError(" ".join(missing))
    if not (own_work and names_no_one):
        raise EvidenceError(
            "Confirm both statements: that this is your own work, and that it does not "
            "identify anyone you support."
        )
    before = snapshot(locked, EVIDENCE_FIELDS)
    locked.status = Evidence.Status.SUBMITTED
    locked.submitted_at = locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_evidence_standing(apprenticeship_ids=[locked.apprenticeship_id])
    record_event(
        action=AuditAction.EVIDENCE_SUBMITTED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Submitted “{locked.display_title}” (version {locked.version}) for review",
        before=before,
        after={
            **snapshot(locked, EVIDENCE_FIELDS),
            "confirmed_own_work": True,
            "confirmed_names_no_one": True,
        },
    )
    outbox.queue_notification(
        "evidence_submitted",
        occurrence=f"{locked.pk}:{locked.submitted_at.isoformat()}",
        object_id=locked.pk,
        apprenticeship_id=locked.apprenticeship_id,
    )
    return locked


@transaction.atomic
def take_back_evidence(*, evidence: Evidence, by: User) -> Evidence:
    """The apprentice takes submitted evidence back to change it before the tutor decides."""
    locked = lock_evidence(evidence, waiting_changes=True)
    if locked.status != Evidence.Status.SUBMITTED:
        raise EvidenceError("Only evidence waiting for review can be taken back.")
    locked.status = Evidence.Status.DRAFT
    locked.submitted_at = None
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_evidence_standing(apprenticeship_ids=[locked.apprenticeship_id])
    record_event(
        action=AuditAction.EVIDENCE_TAKEN_BACK,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Took “{locked.display_title}” back to change it",
        before={"status": Evidence.Status.SUBMITTED},
        after={"status": Evidence.Status.DRAFT},
    )
    return locked


@transaction.atomic
def set_employer_visibility(*, evidence: Evidence, by: User, visible: bool) -> Evidence:
    locked = lock_evidence(evidence)
    if locked.visible_to_employer == visible:
        return locked
    locked.visible_to_employer = visible
    locked.save(update_fields=["visible_to_employer"])
    record_event(
        action=AuditAction.EVIDENCE_EMPLOYER_VISIBILITY,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"{'Shared' if visible else 'Hid'} “{locked.display_title}” "
        f"{'with' if visible else 'from'} the employer",
        before={"visible_to_employer": not visible},
        after={"visible_to_employer": visible},
    )
    return locked


# -- review ----------------------------------------------------------------------------
