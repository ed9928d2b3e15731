"""Reads about progress reviews: the progress pre-filled into a record, lists, versions,
what each viewer may read of a version, seals and who may sign. Nothing here writes."""

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from apprenticeship.access import Action, is_allowed
from apprenticeship.models import Apprenticeship, Membership, Role
from audit import seals
from portfolio.evidence.models import DutySignOff, Evidence
from portfolio.reviews.models import (
    Review,
    ReviewParty,
    ReviewSignature,
    ReviewVersion,
)
from portfolio.training import export as otj_export
from portfolio.training import selectors as otj
from standards.models import Duty


def _duties_progress(apprenticeship: Apprenticeship) -> dict[str, Any]:
    duties = (
        Duty.objects.current()
        .filter(standard_version_id=apprenticeship.standard_version_id)
        .order_by("number")
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
        "otj": seals.plain(
            otj_export.otj_summary_data(otj.otj_summary(apprenticeship, today=today))
        ),
    }


def reviews_for_list(apprenticeship: Apprenticeship) -> QuerySet[Review]:
    """The apprenticeship's reviews, newest first, with what a list row shows."""
    return (
        Review.objects.with_current()
        .filter(apprenticeship=apprenticeship)
        .annotate(day=Coalesce("current_version__held_on", "scheduled_for"))
        .order_by("-day", "-pk")
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
        version = review.recorded_version()
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
    versions = ReviewVersion.objects.filter(review=review)
    if review.current_version_id is not None:
        versions = versions.exclude(pk=review.current_version_id)
    return versions.annotate(signature_count=Count("signatures")).order_by("-number")


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
