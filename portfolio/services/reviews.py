"""Progress reviews: the pre-filled progress, recording, versions, signatures and their
seals. Due dates and planning are in `review_schedule`, signing links in `review_links`,
reminders in `review_reminders`.

- Each party's signature seals the content they agreed to (audit/seals.py). The employer
  never sees the wellbeing check-in, so their seal leaves it out.
- While nobody has signed a version, the tutor's edits change it in place. Once anyone has
  signed, an edit makes the next version with no signatures; the old one is kept as it was.
- The wellbeing check-in is for the apprentice and the tutor only: it is never written to
  the history or to an email, and pages show it only with Action.VIEW_REVIEW_WELLBEING.
"""

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from apprenticeship.access import Action, is_allowed
from apprenticeship.models import Apprenticeship, Membership, Role
from audit import seals
from audit.services import record_event
from portfolio import tasks
from portfolio.models import (
    DutySignOff,
    Evidence,
    Review,
    ReviewParty,
    ReviewSignature,
    ReviewSigningLink,
    ReviewTarget,
    ReviewVersion,
)
from portfolio.services import otj
from standards.models import Duty

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


class ReviewError(Exception):
    """Something the review rules do not allow; the message is for the person."""


def lock_review(review: Review) -> Review:
    """The review's row, locked until the transaction ends (one change at a time)."""
    return Review.objects.select_for_update().get(pk=review.pk)


# -- progress, pre-filled --------------------------------------------------------------


def _duties_progress(apprenticeship: Apprenticeship) -> dict[str, Any]:
    duties = Duty.objects.filter(standard_version_id=apprenticeship.standard_version_id).order_by(
        "number"
    )
    signed = dict(
        DutySignOff.objects.active()
        .filter(apprenticeship=apprenticeship)
        .values_list("duty_id", "signed_at")
    )
    items = [
        {
            "number": duty.number,
            "text": duty.text,
            "signed_off_on": (
                timezone.localdate(signed[duty.pk]).isoformat() if duty.pk in signed else None
            ),
        }
        for duty in duties
    ]
    return {"total": len(items), "signed_off": len(signed), "items": items}


def _evidence_progress(apprenticeship: Apprenticeship) -> dict[str, Any]:
    # Drafts are the apprentice's own until submitted; the review counts the rest.
    counts = dict(
        Evidence.objects.filter(apprenticeship=apprenticeship)
        .submitted()
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    states = [s for s in Evidence.Status if s != Evidence.Status.DRAFT]
    return {
        "total": sum(counts.values()),
        "by_status": [
            {"status": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in states
        ],
    }


def progress_snapshot(apprenticeship: Apprenticeship, today: dt.date | None = None) -> dict:
    """Progress as a review shows it, pre-filled: plain JSON-able data (strings, integers,
    lists, dicts; dates as ISO strings) with one section per area of the portfolio.

    The snapshot is stored in the review version and sealed with it, so it must come back
    from the database exactly as it went in.
    """
    today = today or timezone.localdate()
    return {
        "as_of": today.isoformat(),
        "duties": _duties_progress(apprenticeship),
        "evidence": _evidence_progress(apprenticeship),
        "otj": seals.plain(otj.otj_summary_data(otj.otj_summary(apprenticeship, today=today))),
    }


# -- pages -----------------------------------------------------------------------------


def reviews_for_list(apprenticeship: Apprenticeship) -> QuerySet[Review]:
    """The apprenticeship's reviews, newest first, with what a list row shows."""
    return (
        Review.objects.with_current()
        .filter(apprenticeship=apprenticeship)
        .annotate(day=Coalesce("current_version__held_on", "scheduled_for"))
        .order_by("-day", "-pk")
    )


def latest_signed_review(apprenticeship: Apprenticeship) -> Review | None:
    """The most recent review whose current version all three parties signed, with its
    version, targets and signatures (the gateway checklist asks for a recent one)."""
    return (
        Review.objects.with_current()
        .filter(apprenticeship=apprenticeship, status=Review.Status.SIGNED)
        .order_by("-current_version__held_on", "-pk")
        .first()
    )


def signed_reviews_data(apprenticeship: Apprenticeship) -> list[dict[str, Any]]:
    """Every review whose current version carries a signature, as plain data for the
    frozen portfolio and reports: what was recorded (never the wellbeing check-in, which
    is the apprentice's and tutor's alone), and each signature with its seal check."""
    reviews = (
        Review.objects.with_current()
        .filter(apprenticeship=apprenticeship, current_version__signatures__isnull=False)
        .distinct()
        .order_by("current_version__held_on", "pk")
    )
    data = []
    for review in reviews:
        version = review.current_version
        checks = seal_checks(version)
        data.append(
            {
                "review": review.pk,
                "version": version.number,
                "status": review.status,
                "status_label": review.get_status_display(),
                "held_on": version.held_on,
                "format": version.get_format_display(),
                "discussion": version.discussion,
                "employer_view": version.employer_view,
                "targets": [{"text": t.text, "due_on": t.due_on} for t in version.targets.all()],
                "signatures": [
                    {
                        "party": check.signature.party,
                        "party_label": check.signature.get_party_display(),
                        "signer": check.signature.signer_name,
                        "signed_at": check.signature.signed_at,
                        "digest": check.recorded,
                        "intact": check.intact,
                    }
                    for check in checks.values()
                ],
            }
        )
    return data


def version_with_details(review: Review, number: int) -> ReviewVersion | None:
    return (
        ReviewVersion.objects.filter(review=review, number=number)
        .select_related("employer_signatory", "created_by")
        .prefetch_related(
            "targets",
            models.Prefetch("signatures", ReviewSignature.objects.select_related("signer")),
        )
        .first()
    )


def older_versions(review: Review) -> QuerySet[ReviewVersion]:
    return (
        ReviewVersion.objects.filter(review=review)
        .exclude(pk=review.current_version_id)
        .annotate(signature_count=Count("signatures"))
        .order_by("-number")
    )


# -- sealed content --------------------------------------------------------------------


def review_content(version: ReviewVersion, *, include_wellbeing: bool) -> dict[str, Any]:
    """Everything a signer agrees to, as plain data: what the seal is taken of.

    Uses the version's prefetched targets. Names are left out (people may change their
    name; the id is what identifies them), so a seal only breaks when the record does. With
    the wellbeing check-in goes the version's private salt, so a seal shown to someone who
    may not read the check-in tells them nothing about it.
    """
    content: dict[str, Any] = {
        "seal_format": seals.SEAL_FORMAT,
        "review": version.review_id,
        "version": version.number,
        "held_on": version.held_on,
        "format": version.format,
        "employer_signatory": version.employer_signatory_id,
        "progress": version.progress,
        "discussion": version.discussion,
        "targets": [{"text": t.text, "due_on": t.due_on} for t in version.targets.all()],
        "employer_view": version.employer_view,
    }
    if include_wellbeing:
        content["wellbeing"] = version.wellbeing
        content["private_salt"] = version.private_salt
    return content


def content_for_viewer(version: ReviewVersion, roles: frozenset[Role]) -> dict[str, Any]:
    """The content as someone with `roles` may read it (for reports and exports): the
    wellbeing check-in only for the apprentice and the tutor; never the private salt."""
    content = review_content(
        version, include_wellbeing=is_allowed(roles, Action.VIEW_REVIEW_WELLBEING)
    )
    content.pop("private_salt", None)
    return content


def seal_for(version: ReviewVersion, party: str) -> str:
    """The digest a signature by `party` on `version` would carry now."""
    return seals.digest(review_content(version, include_wellbeing=party != ReviewParty.EMPLOYER))


@dataclass(frozen=True)
class SealCheck:
    """Whether one signature's content is still intact."""

    signature: ReviewSignature
    recorded: str  # the digest taken when they signed
    current: str  # the digest of the content as stored now

    @property
    def intact(self) -> bool:
        return hmac.compare_digest(self.recorded, self.current)


def check_seal(signature: ReviewSignature, version: ReviewVersion | None = None) -> SealCheck:
    """Recompute the signature's seal from the stored version (pass the version when it is
    already loaded with its targets, to save queries)."""
    version = version or signature.version
    return SealCheck(
        signature=signature, recorded=signature.digest, current=seal_for(version, signature.party)
    )


def seal_checks(version: ReviewVersion) -> dict[str, SealCheck]:
    """{party: SealCheck} for every signature on the version (uses prefetched rows)."""
    return {s.party: check_seal(s, version) for s in version.signatures.all()}


# -- recording -------------------------------------------------------------------------


def employer_contacts(apprenticeship: Apprenticeship) -> QuerySet[User]:
    """The people who may sign a review for the employer: its active employer contacts."""
    return User.objects.filter(
        Exists(
            Membership.objects.filter(
                apprenticeship=apprenticeship,
                user=OuterRef("pk"),
                role=Role.EMPLOYER,
                is_active=True,
            )
        )
    ).order_by("full_name")


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

    current = ReviewVersion.objects.filter(pk=review.current_version_id).first()
    if current is None:
        version = _create_version(
            review=review,
            number=1,
            progress=progress_snapshot(apprenticeship, today=today),
            by=by,
            values=values,
            targets=targets,
        )
        action = "review.recorded"
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
            action = "review.new_version"
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
            action = "review.edited"
            summary = f"Changed {what} in the progress review of {held_on:%-d %B %Y}"

    review.current_version = version
    review.status = Review.Status.AWAITING_SIGNATURES
    review.signed_at = None
    review.save(update_fields=["current_version", "status", "signed_at"])
    record_event(
        action=action,
        obj=review,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=summary,
        before=before,
        after=after,
    )
    _queue_signature_requests(version)
    return review


def _queue_signature_requests(version: ReviewVersion) -> None:
    version_id = version.pk
    transaction.on_commit(lambda: tasks.send_signature_requests.delay(version_id))


# -- signing ---------------------------------------------------------------------------


def is_active_member(user: User, apprenticeship_id: int, role: Role) -> bool:
    return Membership.objects.filter(
        apprenticeship_id=apprenticeship_id, user=user, role=role, is_active=True
    ).exists()


def may_sign_as(user: User, review: Review, version: ReviewVersion, party: str) -> bool:
    """Whether `user` is the person who signs `version` as `party`: the apprentice, the
    named employer signatory (still an employer contact) or an active tutor."""
    if party == ReviewParty.APPRENTICE:
        return review.apprenticeship.apprentice_id == user.pk
    if party == ReviewParty.EMPLOYER:
        return version.employer_signatory_id == user.pk and is_active_member(
            user, review.apprenticeship_id, Role.EMPLOYER
        )
    if party == ReviewParty.TUTOR:
        return is_active_member(user, review.apprenticeship_id, Role.TUTOR)
    return False


def parties_to_sign(user: User, review: Review) -> list[str]:
    """The parties `user` may still sign the current version as (usually none or one).
    Uses the prefetched version and signatures."""
    version = review.current_version
    if review.status != Review.Status.AWAITING_SIGNATURES or version is None:
        return []
    signed = version.signed_parties
    return [
        party
        for party in ReviewParty
        if party not in signed and may_sign_as(user, review, version, party)
    ]


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
    by_link = method == ReviewSignature.Method.EMAIL_LINK
    record_event(
        action="review.signed",
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
        record_event(
            action="review.signed_by_everyone",
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
