"""What the retention policy deletes from one apprenticeship, area by area, and how.

Every text someone wrote (evidence, feedback, testimonies and what was asked of
witnesses, the off-the-job log's descriptions, reviews, supervision, the wellbeing plan,
adjustments, assessment notes and questions, appeals, moderation and booking reasons,
internal quality assurance notes) is replaced by ERASED, an empty one left empty;
uploaded files, built reports and copies of records are deleted from
storage; the names the apprentice listed to be warned about are deleted. Notifications
hold no text of their own (what happened and a link) and stay.

The rows that carry the minimal record stay: the apprenticeship (who, which standard,
dates, status), the people's roles, the results and grades, and the figures (hours, dates,
states) of evidence, training, reviews and sign-offs.

Set-based: a fixed number of queries per apprenticeship, whatever its size. Called inside
dataio.services.apply_retention's transaction; `delete_files` runs after it commits.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from audit import seals
from dataio.models import SubjectAccessRequest
from epa.models import (
    Appeal,
    AssessmentQuestion,
    AssessmentRound,
    GatewaySnapshot,
    KsbNote,
)
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceComment,
    EvidenceFile,
    EvidenceVersion,
    ProtectedName,
    TestimonyRequest,
    WitnessTestimony,
)
from portfolio.reviews.models import AgreedReviewInterval, Review, ReviewTarget, ReviewVersion
from portfolio.supervision.models import SupervisionRecord
from portfolio.training.models import OtjEntry, OtjPlan
from portfolio.wellbeing.models import ReasonableAdjustment, WellbeingPlanVersion
from quality.models import IqaItem, ModerationDecision, RearrangeRequest
from reports.models import Report

logger = logging.getLogger(__name__)

ERASED = "Deleted under the provider's retention policy."


@dataclass(frozen=True)
class Texts:
    """Text fields of one model, found from an apprenticeship id by `scope`."""

    name: str
    scope: Callable[[int], QuerySet]
    fields: tuple[str, ...]

    def rows(self, apprenticeship_id: int) -> QuerySet:
        """Rows with anything left to delete."""
        anything = Q()
        for name in self.fields:
            anything |= ~Q(**{name: ""}) & ~Q(**{name: ERASED})
        return self.scope(apprenticeship_id).filter(anything)


TEXTS = (
    Texts("evidence", lambda a: Evidence.objects.filter(apprenticeship_id=a), ("title", "account")),
    Texts(
        "evidence_versions",
        lambda a: EvidenceVersion.objects.filter(evidence__apprenticeship_id=a),
        ("title", "account"),
    ),
    Texts(
        "evidence_comments",
        lambda a: EvidenceComment.objects.filter(evidence__apprenticeship_id=a),
        ("body",),
    ),
    Texts(
        "witness_testimonies",
        lambda a: WitnessTestimony.objects.filter(apprenticeship_id=a),
        ("text", "witness_name"),
    ),
    Texts(
        "testimony_requests",
        lambda a: TestimonyRequest.objects.filter(apprenticeship_id=a),
        ("activity", "witness_name", "witness_email"),
    ),
    Texts(
        "sign_offs",
        lambda a: DutySignOff.objects.filter(apprenticeship_id=a),
        ("comment", "withdrawal_reason"),
    ),
    Texts(
        "otj_entries",
        lambda a: OtjEntry.objects.filter(apprenticeship_id=a),
        ("description", "rejection_reason"),
    ),
    Texts(
        "otj_plans",
        lambda a: OtjPlan.objects.filter(apprenticeship_id=a),
        ("prior_learning_reason",),
    ),
    Texts(
        "review_intervals",
        lambda a: AgreedReviewInterval.objects.filter(apprenticeship_id=a),
        ("reason",),
    ),
    Texts(
        "reviews", lambda a: Review.objects.filter(apprenticeship_id=a), ("cancellation_reason",)
    ),
    Texts(
        "review_versions",
        lambda a: ReviewVersion.objects.filter(review__apprenticeship_id=a),
        ("discussion", "employer_view", "wellbeing"),
    ),
    Texts(
        "review_targets",
        lambda a: ReviewTarget.objects.filter(version__review__apprenticeship_id=a),
        ("text",),
    ),
    Texts(
        "supervision_records",
        lambda a: SupervisionRecord.objects.filter(apprenticeship_id=a),
        ("agreed", "reflection"),
    ),
    Texts(
        "wellbeing_plan_versions",
        lambda a: WellbeingPlanVersion.objects.filter(plan__apprenticeship_id=a),
        ("keeps_me_well", "stresses_me", "early_signs", "what_helps", "who_to_contact"),
    ),
    Texts(
        "adjustments",
        lambda a: ReasonableAdjustment.objects.filter(apprenticeship_id=a),
        ("description", "decision_note"),
    ),
    Texts(
        "assessment_rounds",
        lambda a: AssessmentRound.objects.filter(apprenticeship_id=a),
        ("exceptional_circumstances", "returned_reason"),
    ),
    Texts(
        "assessment_questions",
        lambda a: AssessmentQuestion.objects.filter(
            session__method_assessment__round__apprenticeship_id=a
        ),
        ("question", "answer_notes"),
    ),
    Texts(
        "ksb_notes",
        lambda a: KsbNote.objects.filter(method_assessment__round__apprenticeship_id=a),
        ("note",),
    ),
    Texts(
        "appeals",
        lambda a: Appeal.objects.filter(round__apprenticeship_id=a),
        ("reason", "decision"),
    ),
    Texts(
        "moderation_decisions",
        lambda a: ModerationDecision.objects.filter(case__apprenticeship_id=a),
        ("reason",),
    ),
    Texts(
        "iqa_items",
        lambda a: IqaItem.objects.filter(apprenticeship_id=a),
        ("label", "verdict_note", "follow_up_note"),
    ),
    Texts(
        "rearrange_requests",
        lambda a: RearrangeRequest.objects.filter(booking__apprenticeship_id=a),
        ("reason",),
    ),
)


def _files(apprenticeship_id: int) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(evidence__apprenticeship_id=apprenticeship_id)


def _reports(apprenticeship_id: int) -> QuerySet[Report]:
    return Report.objects.filter(apprenticeship_id=apprenticeship_id).filter(
        ~Q(file="") | ~Q(html="")
    )


def _copies(person_id: int) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(person_id=person_id)


def count(apprenticeship_id: int, person_id: int | None = None) -> dict[str, int]:
    """How many of each would be deleted: the dry run's figures."""
    counts = {texts.name: texts.rows(apprenticeship_id).count() for texts in TEXTS}
    counts["files"] = _files(apprenticeship_id).count()
    counts["reports"] = _reports(apprenticeship_id).count()
    counts["protected_names"] = ProtectedName.objects.filter(
        apprenticeship_id=apprenticeship_id
    ).count()
    counts["gateway_snapshot"] = GatewaySnapshot.objects.filter(
        apprenticeship_id=apprenticeship_id
    ).count()
    if person_id is not None:
        counts["records_copies"] = _copies(person_id).count()
    return {name: n for name, n in counts.items() if n}


def _redact_snapshot(content: dict) -> dict:
    """The frozen portfolio without its evidence and reviews, and with every sign-off
    comment and training description deleted; the checklist, rules and figures stay."""
    content = dict(content)
    content["evidence"] = []
    content["reviews"] = []
    content["erased"] = ERASED

    def scrub(value):
        if isinstance(value, dict):
            return {
                k: (ERASED if k in {"comment", "description", "reason"} and v else scrub(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return scrub(content)


def erase(apprenticeship_id: int, *, person_id: int) -> tuple[dict[str, int], list[str]]:
    """Delete the apprenticeship's personal texts and files' rows. Returns the counts and
    the storage names of the files to delete once the transaction commits."""
    counts = count(apprenticeship_id, person_id)
    for texts in TEXTS:
        for name in texts.fields:
            # Never emptied: some texts must not be empty (a rejection has its reason).
            texts.scope(apprenticeship_id).exclude(**{name: ""}).update(**{name: ERASED})
    EvidenceComment.objects.filter(evidence__apprenticeship_id=apprenticeship_id).update(
        reviewed_content={}
    )
    files = _files(apprenticeship_id)
    paths = [name for name in files.values_list("file", flat=True) if name]
    EvidenceFile.versions.through.objects.filter(evidencefile__in=files).delete()
    files.delete()
    reports = Report.objects.filter(apprenticeship_id=apprenticeship_id)
    paths += [name for name in reports.values_list("file", flat=True) if name]
    reports.update(
        file="",
        html="",
        files={},
        status=Report.Status.FAILED,
        failure="Deleted under the retention policy.",
    )
    copies = _copies(person_id)
    paths += [name for name in copies.values_list("archive", flat=True) if name]
    copies.delete()
    ProtectedName.objects.filter(apprenticeship_id=apprenticeship_id).delete()
    snapshot = GatewaySnapshot.objects.filter(apprenticeship_id=apprenticeship_id).first()
    if snapshot is not None:
        content = _redact_snapshot(snapshot.content)
        snapshot.content = content
        snapshot.digest = seals.digest(content)
        snapshot.save(update_fields=["content", "digest"])
    return counts, paths


def delete_files(paths: list[str]) -> int:
    """Delete stored files by name; a failure is logged (the row is already gone) and the
    others go on. Returns how many were deleted."""
    deleted = 0
    for name in paths:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete a stored file under the retention policy.")
        else:
            deleted += 1
    return deleted
