"""Progress reviews: recording, versions, signatures and their
seals. Due dates are in `reviews/schedule.py`, planning in `scheduling.py`, signing links
in `links.py`, reminders in `reminders.py`; reads in `reviews/selectors.py`.

- Each party's signature seals the content they agreed to (audit/seals.py). The employer
  never sees the wellbeing check-in, so their seal leaves it out.
- While nobody has signed a version, the tutor's edits change it in place. Once anyone has
  signed, an edit makes the next version with no signatures; the old one is kept as it was.
- The wellbeing check-in is for the apprentice and the tutor only: it is never written to
  the history or to an email, and pages show it only with Action.VIEW_REVIEW_WELLBEING.
"""

import datetime as dt
import hmac
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import separation
from apprenticeship.models import Apprenticeship, DecisionStage, Role
from apprenticeship.services import count_decision
from audit import seals
from audit.actions import AuditAction
from audit.services import record_event
from outbox import services as outbox
from portfolio.reviews.models import (
    Review,
    ReviewParty,
    ReviewSignature,
    ReviewSigningLink,
    ReviewTarget,
    ReviewVersion,
)
from portfolio.reviews.selectors import employer_contacts, may_sign_as, progress_snapshot, seal_for
from portfolio.reviews.services.standing import refresh_standing

# The fields of a version a tutor records, in the order the form and the history show them.
CONTENT_FIELDS = (
    "held_on",
    "format",
    "employer_signatory",
    "discussion",
    "employer_view",
    "wellbeing",
)
# Never written to the history, emails or anything the employer, assessor or admin reads.
PRIVATE_FIELDS = frozenset({"wellbeing"})


# The role a party signs in, for the separation-of-duties check.
SIGNING_ROLE = {
    ReviewParty.APPRENTICE: Role.APPRENTICE,
    ReviewParty.EMPLOYER: Role.EMPLOYER,
    ReviewParty.TUTOR: Role.TUTOR,
}


class ReviewError(Exception):
    """Something the review rules do not allow; the message is for the person."""


def lock_review(review: Review) -> Review:
    """The review's row, locked until the transaction ends (one change at a time)."""
    return Review.objects.select_for_update().get(pk=review.pk)


# -- progress, pre-filled --------------------------------------------------------------


# -- pages -----------------------------------------------------------------------------


# -- sealed content --------------------------------------------------------------------


# -- recording -------------------------------------------------------------------------


def validate_review_record(
    *,
    apprenticeship: Apprenticeship,
    held_on: dt.date,
    employer_signatory: User,
    discussion: str,
    targets: list[tuple[str, dt.date]],
    today: dt.date | None = None,
    **_other,
) -> None:
    """Raise ValidationError, keyed by field, for anything the rules refuse."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if held_on > today:
        errors["held_on"] = "The date of the review cannot be in the future."
    elif held_on < apprenticeship.start_date:
        errors["held_on"] = (
            "The review cannot be before the apprenticeship started "
            f"({apprenticeship.start_date:%-d %B %Y})."
        )
    if not employer_contacts(apprenticeship).filter(pk=employer_signatory.pk).exists():
        errors["employer_signatory"] = "Choose one of this apprenticeship's employer contacts."
    if not discussion.strip():
        errors["discussion"] = "Write what was discussed."
    if not targets:
        errors["targets"] = "Agree at least one target, with the date it is due."
    elif "held_on" not in errors and any(due_on <= held_on for _, due_on in targets):
        errors["targets"] = "Each target's date must be after the date of the review."
    if errors:
        raise ValidationError(errors)


def _history_values(values: dict[str, Any], targets: list[tuple[str, dt.date]]) -> dict:
    """What the history keeps of a version: everything but the private wellbeing text."""
    kept = {
        name: (value.pk if isinstance(value, User) else value)
        for name, value in values.items()
        if name not in PRIVATE_FIELDS
    }
    kept["targets"] = [{"text": text, "due_on": due_on} for text, due_on in targets]
    return kept


def _version_values(version: ReviewVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in CONTENT_FIELDS}


def _version_targets(version: ReviewVersion) -> list[tuple[str, dt.date]]:
    return [(t.text, t.due_on) for t in version.targets.order_by("position")]


def _save_targets(version: ReviewVersion, targets: list[tuple[str, dt.date]]) -> None:
    for position, (text, due_on) in enumerate(targets, start=1):
        target = ReviewTarget(version=version, position=position, text=text, due_on=due_on)
        target.full_clean()
        target.save()


_FIELD_NAMES = {
    "held_on": "the date",
    "format": "how it was held",
    "employer_signatory": "who signs for the employer",
    "discussion": "what was discussed",
    "employer_view": "the employer's view",
    "targets": "the targets",
}


def _create_version(
    *,
    review: Review,
    number: int,
    progress: dict,
    by: User,
    values: dict[str, Any],
    targets: list[tuple[str, dt.date]],
) -> ReviewVersion:
    version = ReviewVersion(
        review=review, number=number, progress=progress, created_by=by, **values
    )
    version.full_clean()
    version.save()
    _save_targets(version, targets)
    return version


@transaction.atomic
def record_review(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    held_on: dt.date,
    format: str,
    employer_signatory: User,
    discussion: str,
    employer_view: str = "",
    wellbeing: str = "",
    targets: list[tuple[str, dt.date]],
    review: Review | None = None,
    today: dt.date | None = None,
) -> Review:
    """Record what happened at a review, or change what was recorded.

    `review` is a planned review, or None for one that was not planned. The first record
    takes the progress snapshot. A change edits the current version while nobody has signed
    it; once anyone has, it makes the next version, with no signatures, and the earlier
    version and its signatures stay as they were. Everyone still to sign is asked to, by
    email, after commit. Saving with nothing changed changes nothing.
    """
    values: dict[str, Any] = {
        "held_on": held_on,
        "format": format,
        "employer_signatory": employer_signatory,
        "discussion": discussion.strip(),
        "employer_view": employer_view.strip(),
        "wellbeing": wellbeing.strip(),
    }
    targets = [(text.strip(), due_on) for text, due_on in targets if text.strip()]
    validate_review_record(apprenticeship=apprenticeship, targets=targets, today=today, **values)
    now = timezone.now()

    if review is None:
        review = Review(apprenticeship=apprenticeship, created_by=by)
        review.full_clean(exclude=["current_version"])
        review.save()
    else:
        if review.apprenticeship_id != apprenticeship.pk:
            raise ReviewError("This review belongs to another apprenticeship.")
        review = lock_review(review)
        if review.status == Review.Status.CANCELLED:
            raise ReviewError("This review was called off, so nothing can be recorded on it.")

    current = (
        ReviewVersion.objects.filter(pk=review.current_version_id).first()
        if review.current_version_id is not None
        else None
    )
    if current is None:
        version = _create_version(
            review=review,
            number=1,
            progress=progress_snapshot(apprenticeship, today=today),
            by=by,
            values=values,
            targets=targets,
        )
        action = AuditAction.REVIEW_RECORDED
        summary = f"Recorded the progress review of {held_on:%-d %B %Y}"
        before, after = {}, {"version": 1, **_history_values(values, targets)}
    else:
        old_values, old_targets = _version_values(current), _version_targets(current)
        if old_values == values and old_targets == targets:
            return review
        changed = [n for n in CONTENT_FIELDS if old_values[n] != values[n]]
        if old_targets != targets:
            changed.append("targets")
        public_changed = [n for n in changed if n not in PRIVATE_FIELDS]
        before = _history_values(
            {n: old_values[n] for n in public_changed if n in old_values},
            old_targets if "targets" in changed else [],
        )
        after = _history_values(
            {n: values[n] for n in public_changed if n in values},
            targets if "targets" in changed else [],
        )
        if "targets" not in changed:
            del before["targets"], after["targets"]
        what = ", ".join(_FIELD_NAMES[n] for n in public_changed) or "the record"
        if current.signatures.exists():
            version = _create_version(
                review=review,
                number=current.number + 1,
                progress=current.progress,
                by=by,
                values=values,
                targets=targets,
            )
            action = AuditAction.REVIEW_NEW_VERSION
            summary = (
                f"Changed {what} in the signed progress review of {held_on:%-d %B %Y}; "
                f"version {version.number} needs everyone's signature again"
            )
            before["version"], after["version"] = current.number, version.number
        else:
            # Nobody has signed this version yet, so it changes in place. The history keeps
            # what it said before (all but the private wellbeing check-in). A link already
            # sent stops working if someone else now signs for the employer.
            for name, value in values.items():
                setattr(current, name, value)
            current.updated_at = now
            current.full_clean()
            current.save(update_fields=[*CONTENT_FIELDS, "updated_at"])
            if "targets" in changed:
                ReviewTarget.objects.filter(version=current).delete()
                _save_targets(current, targets)
            version = current
            action = AuditAction.REVIEW_EDITED
            summary = f"Changed {what} in the progress review of {held_on:%-d %B %Y}"

    review.current_version = version
    review.status = Review.Status.AWAITING_SIGNATURES
    review.signed_at = None
    review.save(update_fields=["current_version", "status", "signed_at"])
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    record_event(
        action=action,
        obj=review,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=summary,
        before=before,
        after=after,
    )
    _queue_signature_requests(version, apprenticeship_id=apprenticeship.pk)
    return review


def _queue_signature_requests(version: ReviewVersion, *, apprenticeship_id: int) -> None:
    # No key: an edit in place may change who signs, and the task sends each person's
    # request once per version anyway.
    outbox.enqueue(
        "portfolio.reviews.tasks.send_signature_requests",
        apprenticeship_id=apprenticeship_id,
        version_id=version.pk,
    )
    # In the app only: the request above is the email.
    outbox.queue_notification(
        "review_ready",
        occurrence=str(version.pk),
        object_id=version.pk,
        apprenticeship_id=apprenticeship_id,
    )


# -- signing ---------------------------------------------------------------------------


def load_for_signing(review_id: int) -> tuple[Review, ReviewVersion]:
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("apprenticeship")
        .get(pk=review_id)
    )
    version = (
        ReviewVersion.objects.filter(pk=review.current_version_id)
        .prefetch_related("targets", "signatures")
        .first()
        if review.current_version_id is not None
        else None
    )
    if review.status == Review.Status.SIGNED:
        raise ReviewError("Everyone has already signed this review.")
    if review.status != Review.Status.AWAITING_SIGNATURES or version is None:
        raise ReviewError("This review has not been recorded yet, so there is nothing to sign.")
    return review, version


def add_signature(
    *,
    review: Review,
    version: ReviewVersion,
    party: str,
    signer: User,
    seen_digest: str,
    method: str,
    link: ReviewSigningLink | None,
    now: dt.datetime,
) -> ReviewSignature:
    if party in version.signed_parties:
        raise ReviewError(
            f"The {ReviewParty(party).label.lower()} has already signed this version."
        )
    # Each party signs as someone different, checked now: roles and jobs can change.
    if version.signatures.filter(signer=signer).exclude(party=party).exists():
        raise ReviewError(
            "You have already signed this version for another party: each party's signature "
            "must come from someone different."
        )
    conflicts = separation.role_conflicts(
        review.apprenticeship, signer, SIGNING_ROLE[ReviewParty(party)]
    )
    if conflicts:
        raise ReviewError("Nothing was signed. " + " ".join(conflicts))
    digest = seal_for(version, party)
    if not hmac.compare_digest(digest, seen_digest or ""):
        raise ReviewError("The review changed while you were reading it. Read it again, then sign.")
    signature = ReviewSignature(
        version=version,
        party=party,
        signer=signer,
        signer_name=signer.full_name or signer.email,
        method=method,
        link=link,
        signed_at=now,
        seal_format=seals.SEAL_FORMAT,
        digest=digest,
    )
    signature.full_clean(exclude=["version", "link"])
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError as error:
        raise ReviewError("This version has just been signed for that party.") from error
    if party == ReviewParty.TUTOR:
        count_decision(
            apprenticeship=review.apprenticeship,
            made_by=signer,
            stage=DecisionStage.REVIEW,
            at=signature.signed_at,
        )
    by_link = method == ReviewSignature.Method.EMAIL_LINK
    record_event(
        action=AuditAction.REVIEW_SIGNED,
        obj=review,
        actor=None if by_link else signer,
        actor_label=f"{signature.signer_name} (emailed signing link)" if by_link else "",
        apprenticeship_id=review.apprenticeship_id,
        summary=(
            f"{signature.signer_name} signed the progress review of "
            f"{version.held_on:%-d %B %Y} as {ReviewParty(party).label.lower()}"
        ),
        after={
            "version": version.number,
            "party": party,
            "signer": signer.pk,
            "method": method,
            "seal": digest,
        },
    )
    if version.signed_parties | {party} >= set(ReviewParty.values):
        review.status = Review.Status.SIGNED
        review.signed_at = now
        review.save(update_fields=["status", "signed_at"])
        refresh_standing(apprenticeship_ids=[review.apprenticeship_id])
        record_event(
            action=AuditAction.REVIEW_SIGNED_BY_EVERYONE,
            obj=review,
            actor=None,
            actor_label="Peer worker portfolio",
            apprenticeship_id=review.apprenticeship_id,
            summary=f"Everyone has signed the progress review of {version.held_on:%-d %B %Y}",
            before={"status": Review.Status.AWAITING_SIGNATURES},
            after={"status": review.status, "version": version.number},
        )
    return signature


@transaction.atomic
def sign_review(
    *,
    review: Review,
    by: User,
    party: str,
    seen_digest: str,
    now: dt.datetime | None = None,
) -> ReviewSignature:
    """Sign the current version as `party`, sealing the content. `seen_digest` is the seal
    of the content the signer was shown: if the review changed since, nothing is signed."""
    now = now or timezone.now()
    locked, version = load_for_signing(review.pk)
    if party not in ReviewParty.values or not may_sign_as(by, locked, version, party):
        raise ReviewError("You cannot sign this review for that party.")
    return add_signature(
        review=locked,
        version=version,
        party=party,
        signer=by,
        seen_digest=seen_digest,
        method=ReviewSignature.Method.IN_APP,
        link=None,
        now=now,
    )
