"""The tutor's decision on submitted evidence (accept, or refer back with what to change),
which freezes the accepted version, and comments on an item."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import DecisionStage
from apprenticeship.services import count_decision
from audit.actions import AuditAction
from audit.changes import snapshot
from audit.services import record_event
from outbox import services as outbox
from portfolio.evidence import revisions
from portfolio.evidence.models import (
    Evidence,
    EvidenceComment,
    EvidenceFile,
    EvidenceVersion,
)
from portfolio.evidence.services.evidence import EVIDENCE_FIELDS, EvidenceError, lock_evidence
from portfolio.evidence.services.standing import refresh_evidence_standing


class Decision:
    ACCEPT = "accept"
    REFER = "refer"
    CHOICES = (
        (ACCEPT, "Accept it"),
        (REFER, "Refer it back with feedback"),
    )


def _freeze(evidence: Evidence, by: User, now: dt.datetime) -> EvidenceVersion:
    version = EvidenceVersion(
        evidence=evidence,
        number=evidence.version,
        title=evidence.title,
        kind=evidence.kind,
        activity_date=evidence.activity_date,
        account=evidence.account,
        submitted_at=evidence.submitted_at or now,
        accepted_at=now,
        accepted_by=by,
    )
    version.full_clean()
    version.save()
    version.duties.set(evidence.duties.all())
    version.ksbs.set(evidence.ksbs.all())
    version.files.set(EvidenceFile.objects.current().filter(evidence=evidence))
    version.testimonies.set(evidence.testimonies.all())
    return version


@transaction.atomic
def review_evidence(*, evidence: Evidence, by: User, decision: str, feedback: str) -> Evidence:
    """Accept submitted evidence (freezing this version) or refer it back with feedback.
    The decision is posted to the item's thread and kept in the history."""
    feedback = feedback.strip()
    locked = lock_evidence(evidence, waiting_changes=True)
    if locked.status != Evidence.Status.SUBMITTED:
        raise EvidenceError(
            "This evidence is not waiting for review any more. Someone may have just "
            "reviewed it, or the apprentice took it back."
        )
    if decision == Decision.REFER and not feedback:
        raise EvidenceError("Say what needs to change when you refer evidence back.")
    if decision not in (Decision.ACCEPT, Decision.REFER):
        raise EvidenceError("Choose whether to accept it or refer it back.")
    now = timezone.now()
    before = snapshot(locked, EVIDENCE_FIELDS)
    seen = revisions.content_of(locked)
    if decision == Decision.ACCEPT:
        locked.accepted_version = _freeze(locked, by, now)
        locked.status = Evidence.Status.ACCEPTED
        kind, verb = EvidenceComment.Kind.ACCEPTED, "Accepted"
    else:
        locked.status = Evidence.Status.REFERRED
        kind, verb = EvidenceComment.Kind.REFERRED, "Referred back"
    locked.reviewed_at = now
    locked.reviewed_by = by
    locked.save(update_fields=["status", "accepted_version", "reviewed_at", "reviewed_by"])
    refresh_evidence_standing(apprenticeship_ids=[locked.apprenticeship_id])
    decided = EvidenceComment.objects.create(
        evidence=locked,
        author=by,
        kind=kind,
        version=locked.version,
        body=feedback,
        reviewed_content=seen,
    )
    count_decision(
        apprenticeship=locked.apprenticeship,
        made_by=by,
        stage=DecisionStage.EVIDENCE,
        at=decided.created_at,
    )
    record_event(
        action=(
            AuditAction.EVIDENCE_ACCEPTED
            if decision == Decision.ACCEPT
            else AuditAction.EVIDENCE_REFERRED
        ),
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"{verb} “{locked.display_title}” (version {locked.version})",
        before=before,
        after={**snapshot(locked, EVIDENCE_FIELDS), "feedback": feedback},
    )
    outbox.queue_notification(
        "evidence_accepted" if decision == Decision.ACCEPT else "evidence_referred",
        occurrence=f"{locked.pk}:{now.isoformat()}",
        object_id=locked.pk,
        apprenticeship_id=locked.apprenticeship_id,
    )
    return locked


@transaction.atomic
def add_comment(*, evidence: Evidence, by: User, body: str) -> EvidenceComment:
    body = body.strip()
    if not body:
        raise EvidenceError("Write something before you send a comment.")
    comment = EvidenceComment(
        evidence=evidence, author=by, kind=EvidenceComment.Kind.COMMENT, version=evidence.version
    )
    comment.body = body
    comment.full_clean()
    comment.save()
    return comment
