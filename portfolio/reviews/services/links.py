"""Signing links: how the employer signatory signs a review without signing in.

The tutor sends the employer signatory named on the review a single-use link that runs out
after SIGNING_LINK_VALID_DAYS. Only the SHA-256 of its token is stored, so the database
alone cannot be used to sign. The email goes through the outbox and is written when it is
sent: the outbox message keeps a random salt, and the token is a keyed hash of that salt
with SECRET_KEY, so neither table holds it. A link is bound to one version of one review and to one
purpose (the employer's signature). It stops working once used, when it runs out, when a
newer link is sent, when the review changes, and when the person is no longer an employer
contact on the apprenticeship. Each refusal has a plain message.
"""

import datetime as dt
import hmac
import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Role
from audit.actions import AuditAction
from audit.services import record_event
from config.link_tokens import LinkTokens
from outbox import services as outbox
from outbox.runner import GiveUp
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import (
    Review,
    ReviewParty,
    ReviewSignature,
    ReviewSigningLink,
    ReviewVersion,
)
from portfolio.reviews.services import reviews

SIGNING_LINK_VALID_DAYS = 14
TOKEN_BYTES = 32
NOT_FOUND, GONE = 404, 410

logger = logging.getLogger(__name__)


class SigningLinkError(Exception):
    """A link that cannot be used, with the HTTP status its page is served with. (Signing
    through a usable link may still raise reviews.ReviewError, like signing in the app.)"""

    def __init__(self, message: str, *, status: int = GONE) -> None:
        super().__init__(message)
        self.status = status


TOKENS = LinkTokens("review signing link")
token_hash = TOKENS.hash
token_for = TOKENS.token


def signing_url(review_id: int, token: str) -> str:
    path = reverse("portfolio:review-sign-by-link", args=[review_id, token])
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def send_signing_link(*, review: Review, by: User, now: dt.datetime | None = None):
    """Email the employer signatory a new link to sign the current version. Any earlier
    link for that version stops working. The token is only in the email (and on the
    returned object, as `token`, for the caller); the database keeps its hash."""
    now = now or timezone.now()
    locked = reviews.lock_review(review)
    if locked.status != Review.Status.AWAITING_SIGNATURES or locked.current_version_id is None:
        raise reviews.ReviewError(
            "A signing link can be sent only for a recorded review that is waiting for signatures."
        )
    version = (
        ReviewVersion.objects.select_related(
            "employer_signatory", "review__apprenticeship__apprentice"
        )
        .prefetch_related("signatures")
        .get(pk=locked.current_version_id)
    )
    if ReviewParty.EMPLOYER in version.signed_parties:
        raise reviews.ReviewError("The employer has already signed this version.")
    signer = version.employer_signatory
    if not review_selectors.is_active_member(signer, locked.apprenticeship_id, Role.EMPLOYER):
        raise reviews.ReviewError(
            f"{signer.full_name} is no longer an employer contact on this apprenticeship. "
            "Change who signs for the employer first."
        )
    replaced = ReviewSigningLink.objects.filter(
        version=version,
        purpose=ReviewSigningLink.Purpose.EMPLOYER_SIGNATURE,
        used_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    salt = secrets.token_urlsafe(TOKEN_BYTES)
    token = token_for(salt)
    link = ReviewSigningLink(
        version=version,
        purpose=ReviewSigningLink.Purpose.EMPLOYER_SIGNATURE,
        signer=signer,
        token_hash=token_hash(token),
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=SIGNING_LINK_VALID_DAYS),
    )
    link.full_clean()
    link.save()
    record_event(
        action=AuditAction.REVIEW_LINK_SENT,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=(
            f"Sent {signer.full_name} a link to sign the progress review of "
            f"{version.held_on:%-d %B %Y}"
        ),
        after={
            "version": version.number,
            "signer": signer.pk,
            "expires_at": link.expires_at,
            "earlier_links_stopped": replaced,
        },
    )
    outbox.enqueue(
        "portfolio.reviews.tasks.send_signing_link",
        apprenticeship_id=locked.apprenticeship_id,
        link_id=link.pk,
        salt=salt,
    )
    link.token = token
    return link


def signing_link_email(*, link_id: int, salt: str) -> EmailMessage | None:
    """The email that carries the link, or None if the link can no longer be used (used,
    stopped, run out, or the review changed since): then there is nothing to send."""
    link = (
        ReviewSigningLink.objects.select_related(
            "version__review__apprenticeship__apprentice", "signer", "created_by"
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None or not link.is_open(timezone.now()):
        logger.info("Signing link %s is no longer open; no email to send.", link_id)
        return None
    version = link.version
    review = version.review
    if review.current_version_id != version.pk:
        logger.info("Signing link %s is for an old version; no email to send.", link_id)
        return None
    token = token_for(salt)
    if not hmac.compare_digest(token_hash(token), link.token_hash):
        raise GiveUp(
            "The link in this email can't be made again (the site's secret key changed). "
            "Ask the tutor to send a new link."
        )
    apprentice = review.apprenticeship.apprentice
    body = render_to_string(
        "portfolio/reviews/email/review_signing_link.txt",
        {
            "signer": link.signer,
            "tutor": link.created_by,
            "apprentice": apprentice,
            "version": version,
            "url": signing_url(review.pk, token),
            "expires_on": timezone.localtime(link.expires_at),
        },
    )
    subject = f"Please sign {apprentice.full_name}'s progress review"
    return EmailMessage(subject, body, None, [link.signer.email])


def open_signing_link(
    *, review_id: int, token: str, now: dt.datetime | None = None
) -> ReviewSigningLink:
    """The link for `token`, if it may be used now to sign review `review_id`; otherwise
    SigningLinkError with a plain message. The link comes with its version, review,
    apprenticeship and signer."""
    now = now or timezone.now()
    link = (
        ReviewSigningLink.objects.select_related(
            "version__review__apprenticeship__apprentice",
            "version__review__apprenticeship__employer",
            "signer",
            "created_by",
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise SigningLinkError(
            "This link does not work. Check that you opened the whole link from the email. "
            "If it still does not work, ask the tutor to send a new one.",
            status=NOT_FOUND,
        )
    review = link.version.review
    if review.pk != review_id:
        raise SigningLinkError(
            "This link is for a different review. Open the link exactly as it is in the email.",
            status=NOT_FOUND,
        )
    if link.purpose != ReviewSigningLink.Purpose.EMPLOYER_SIGNATURE:
        raise SigningLinkError("This link cannot be used to sign a review.", status=NOT_FOUND)
    if link.used_at is not None:
        raise SigningLinkError(
            "This link has already been used. Each link works once: the review was signed "
            f"with it on {timezone.localtime(link.used_at):%-d %B %Y}."
        )
    if review.current_version_id != link.version_id:
        raise SigningLinkError(
            "The review has changed since this link was sent, so this link no longer works. "
            "The tutor can send you a new link for the changed review."
        )
    if link.revoked_at is not None:
        raise SigningLinkError(
            "A newer link has been sent for this review. Use the link in the most recent email."
        )
    if link.expires_at <= now:
        raise SigningLinkError(
            f"This link ran out on {timezone.localtime(link.expires_at):%-d %B %Y}. "
            "Ask the tutor to send a new one."
        )
    if review.status != Review.Status.AWAITING_SIGNATURES:
        raise SigningLinkError("This review is not waiting for signatures any more.")
    if (
        link.version.employer_signatory_id != link.signer_id
        or not review_selectors.is_active_member(
            link.signer, review.apprenticeship_id, Role.EMPLOYER
        )
    ):
        raise SigningLinkError(
            "This link no longer works: you are no longer the person who signs this review "
            "for the employer."
        )
    if ReviewSignature.objects.filter(
        version_id=link.version_id, party=ReviewParty.EMPLOYER
    ).exists():
        raise SigningLinkError("The employer has already signed this review.")
    return link


@transaction.atomic
def sign_with_link(
    *, review_id: int, token: str, seen_digest: str, now: dt.datetime | None = None
) -> ReviewSignature:
    """Sign the current version as the employer through a link, which is then used up.
    `seen_digest` is the seal of the content the page showed."""
    now = now or timezone.now()
    # Every signature on a review waits for this lock, so a link used twice at once, or
    # alongside a signature in the app, signs once.
    Review.objects.select_for_update().filter(pk=review_id).first()
    link = open_signing_link(review_id=review_id, token=token, now=now)
    review, version = reviews.load_for_signing(review_id)
    signature = reviews.add_signature(
        review=review,
        version=version,
        party=ReviewParty.EMPLOYER,
        signer=link.signer,
        seen_digest=seen_digest,
        method=ReviewSignature.Method.EMAIL_LINK,
        link=link,
        now=now,
    )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return signature


def open_link_for(version: ReviewVersion, now: dt.datetime | None = None):
    """The employer signatory's open link on `version`, if any (uses prefetched
    `signing_links` when there are)."""
    now = now or timezone.now()
    return next(
        (
            link
            for link in version.signing_links.all()
            if link.is_open(now) and link.signer_id == version.employer_signatory_id
        ),
        None,
    )
