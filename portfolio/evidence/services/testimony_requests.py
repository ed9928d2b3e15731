"""Asking a witness for a testimony about one named activity, and the witness writing it.

The apprentice or their tutor asks either an employer contact on the apprenticeship (who
is notified and writes it signed in) or someone from outside, by email, with a
single-use link that runs out after REQUEST_VALID_DAYS, made as the review signing link
is: only the SHA-256 of the token is stored, and the email is written when it is sent
from a random salt kept in the outbox message, keyed with SECRET_KEY. The link opens one
page, which names the apprentice, the activity and who asked, and nothing else of the
portfolio. Written, the testimony becomes evidence of the witness-testimony kind, waiting
for the tutor's review. Emails never carry the testimony's text.
"""

import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from config.link_tokens import LinkTokens
from outbox import services as outbox
from outbox.runner import GiveUp
from portfolio.evidence.models import (
    HIDDEN_FROM_EMPLOYER_BY_DEFAULT,
    Evidence,
    EvidenceKind,
    TestimonyRequest,
    WitnessTestimony,
)
from portfolio.evidence.services.evidence import EvidenceError
from portfolio.evidence.services.standing import refresh_evidence_standing
from standards.models import Duty

REQUEST_VALID_DAYS = 28
TOKEN_BYTES = 32
NOT_FOUND, GONE = 404, 410
LINK_TASK = "portfolio.evidence.tasks.send_testimony_link"

logger = logging.getLogger(__name__)


class TestimonyLinkError(Exception):
    """A link that cannot be used, with the HTTP status its page is served with."""

    def __init__(self, message: str, *, status: int = GONE) -> None:
        super().__init__(message)
        self.status = status


TOKENS = LinkTokens("testimony link")
token_hash = TOKENS.hash
token_for = TOKENS.token


def link_url(request_id: int, token: str) -> str:
    path = reverse("portfolio:testimony-by-link", args=[request_id, token])
    return f"{settings.SITE_URL}{path}"


def _is_employer_contact(user: User, apprenticeship_id: int) -> bool:
    return Membership.objects.filter(
        apprenticeship_id=apprenticeship_id, user=user, role=Role.EMPLOYER, is_active=True
    ).exists()


@transaction.atomic
def request_testimony(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    activity: str,
    activity_date: dt.date | None = None,
    duties: Sequence[Duty] = (),
    witness: User | None = None,
    witness_name: str = "",
    witness_email: str = "",
    now: dt.datetime | None = None,
) -> TestimonyRequest:
    """Ask `witness` (an employer contact on the apprenticeship) or, without one, the
    person at `witness_email` for a testimony about `activity`. The employer contact is
    notified; the outside witness is emailed a link (the token is only in the email and,
    as `token`, on the returned object)."""
    now = now or timezone.now()
    activity = " ".join(activity.split())
    witness_name = " ".join(witness_name.split())
    witness_email = witness_email.strip()
    if activity_date and activity_date > timezone.localdate(now):
        raise ValidationError({"activity_date": "The activity can't be in the future."})
    if any(d.standard_version_id != apprenticeship.standard_version_id for d in duties):
        raise EvidenceError("Choose duties of this apprenticeship's standard.")
    if witness is not None:
        if not _is_employer_contact(witness, apprenticeship.pk):
            raise EvidenceError(
                "That person is not an employer contact on this apprenticeship any more."
            )
        witness_name = witness_email = ""
    elif not (witness_name and witness_email):
        raise ValidationError(
            "Choose an employer contact, or give the witness's name and email address."
        )
    salt = secrets.token_urlsafe(TOKEN_BYTES) if witness is None else ""
    token = token_for(salt) if salt else ""
    request = TestimonyRequest(
        apprenticeship=apprenticeship,
        activity=activity,
        activity_date=activity_date,
        requested_by=by,
        witness=witness,
        witness_name=witness_name,
        witness_email=witness_email,
        token_hash=token_hash(token) if token else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=REQUEST_VALID_DAYS),
    )
    request.full_clean()
    request.save()
    request.duties.set(duties)
    who = witness.full_name if witness else witness_name
    record_event(
        action=AuditAction.TESTIMONY_REQUESTED,
        obj=request,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Asked {who} for a witness testimony about “{activity}”",
        after={"witness": witness.pk if witness else None, "expires_at": request.expires_at},
    )
    if witness is not None:
        outbox.queue_notification(
            "testimony_requested",
            occurrence=str(request.pk),
            object_id=request.pk,
            apprenticeship_id=apprenticeship.pk,
        )
    else:
        outbox.enqueue(
            LINK_TASK, apprenticeship_id=apprenticeship.pk, request_id=request.pk, salt=salt
        )
    request.token = token
    return request


def testimony_link_email(*, request_id: int, salt: str) -> EmailMessage | None:
    """The email carrying the link, or None if the request can no longer be answered."""
    request = (
        TestimonyRequest.objects.select_related("apprenticeship__apprentice", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.token_hash is None or not request.is_open(timezone.now()):
        logger.info("Testimony request %s is no longer open; no email to send.", request_id)
        return None
    token = token_for(salt)
    if not hmac.compare_digest(token_hash(token), request.token_hash):
        raise GiveUp(
            "The link in this email can't be made again (the site's secret key changed). "
            "Ask for the testimony again."
        )
    apprentice = request.apprenticeship.apprentice
    body = render_to_string(
        "portfolio/evidence/email/testimony_link.txt",
        {
            "request": request,
            "apprentice": apprentice,
            "url": link_url(request.pk, token),
            "expires_on": timezone.localtime(request.expires_at),
        },
    )
    subject = f"Please write a witness testimony for {apprentice.full_name}"
    return EmailMessage(subject, body, None, [request.witness_email])


def _check_open(request: TestimonyRequest, now: dt.datetime) -> None:
    if request.testimony_id is not None:
        raise TestimonyLinkError("This testimony has already been written. Thank you.")
    if request.withdrawn_at is not None:
        raise TestimonyLinkError("This request was withdrawn: no testimony is needed now.")
    if request.expires_at <= now:
        raise TestimonyLinkError(
            f"This request ran out on {timezone.localtime(request.expires_at):%-d %B %Y}. "
            "Ask the person who asked you to send a new one."
        )


def open_testimony_link(
    *, request_id: int, token: str, now: dt.datetime | None = None
) -> TestimonyRequest:
    """The request for `token`, if it may be answered now; otherwise TestimonyLinkError."""
    now = now or timezone.now()
    request = (
        TestimonyRequest.objects.select_related("apprenticeship__apprentice", "requested_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if request is None or request.pk != request_id:
        raise TestimonyLinkError(
            "This link does not work. Check that you opened the whole link from the email.",
            status=NOT_FOUND,
        )
    _check_open(request, now)
    return request


def check_witness(request: TestimonyRequest, user: User) -> None:
    """Raise EvidenceError unless `user` is the employer contact asked and still one."""
    if request.witness_id != user.pk or not _is_employer_contact(user, request.apprenticeship_id):
        raise EvidenceError("This testimony was asked of someone else.")


@transaction.atomic
def write_requested_testimony(
    *,
    request: TestimonyRequest,
    by: User | None,
    author_role: str,
    witnessed_on: dt.date,
    text: str,
    now: dt.datetime | None = None,
) -> Evidence:
    """Write the testimony asked for, once: it becomes evidence of the witness-testimony
    kind, submitted for the tutor's review. `by` is the employer contact asked, or None
    for an outside witness through the link (who the caller has checked)."""
    now = now or timezone.now()
    # The apprenticeship first, then the request: the evidence made here waits for the
    # tutor, and every change to what waits takes the apprenticeship's lock first.
    lock_apprenticeship(request.apprenticeship_id)
    locked = (
        TestimonyRequest.objects.select_for_update(of=("self",))
        .select_related("apprenticeship")
        .get(pk=request.pk)
    )
    try:
        _check_open(locked, now)
    except TestimonyLinkError as error:
        raise EvidenceError(str(error)) from error
    if by is not None:
        check_witness(locked, by)
    elif locked.witness_id is not None:
        raise EvidenceError("This testimony was asked of someone else.")
    if witnessed_on > timezone.localdate(now):
        raise ValidationError({"witnessed_on": "The date you saw it can't be in the future."})
    testimony = WitnessTestimony(
        apprenticeship=locked.apprenticeship,
        author=by,
        witness_name="" if by else locked.witness_name,
        author_role=author_role.strip(),
        witnessed_on=witnessed_on,
        text=text.strip(),
        created_at=now,
    )
    testimony.full_clean()
    testimony.save()
    evidence = Evidence(
        apprenticeship=locked.apprenticeship,
        title=f"Witness testimony: {locked.activity}"[:200],
        kind=EvidenceKind.WITNESS_TESTIMONY,
        activity_date=witnessed_on,
        status=Evidence.Status.SUBMITTED,
        visible_to_employer=EvidenceKind.WITNESS_TESTIMONY not in HIDDEN_FROM_EMPLOYER_BY_DEFAULT,
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    evidence.full_clean()
    evidence.save()
    refresh_evidence_standing(apprenticeship_ids=[locked.apprenticeship_id])
    evidence.testimonies.set([testimony])
    evidence.duties.set(locked.duties.all())
    locked.testimony = testimony
    locked.evidence = evidence
    locked.save(update_fields=["testimony", "evidence"])
    record_event(
        action=AuditAction.TESTIMONY_WRITTEN,
        obj=testimony,
        actor=by,
        actor_label="" if by else f"{locked.witness_name} (through an emailed link)",
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Wrote the witness testimony asked for about “{locked.activity}”",
        after={"request": locked.pk, "evidence": evidence.pk},
    )
    outbox.queue_notification(
        "testimony_written",
        occurrence=str(locked.pk),
        object_id=locked.pk,
        apprenticeship_id=locked.apprenticeship_id,
    )
    # As submit_evidence does: the tutor hears of evidence waiting for review.
    outbox.queue_notification(
        "evidence_submitted",
        occurrence=f"{evidence.pk}:{now.isoformat()}",
        object_id=evidence.pk,
        apprenticeship_id=locked.apprenticeship_id,
    )
    return evidence


@transaction.atomic
def withdraw_testimony_request(
    *, request: TestimonyRequest, by: User, now: dt.datetime | None = None
) -> TestimonyRequest:
    """Stop a request that has not been answered: its link stops working."""
    now = now or timezone.now()
    locked = TestimonyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.testimony_id is not None:
        raise EvidenceError("This testimony has already been written.")
    if locked.withdrawn_at is not None:
        raise EvidenceError("This request has already been withdrawn.")
    locked.withdrawn_at = now
    locked.save(update_fields=["withdrawn_at"])
    record_event(
        action=AuditAction.TESTIMONY_REQUEST_WITHDRAWN,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Withdrew the request for a witness testimony about “{locked.activity}”",
    )
    return locked
