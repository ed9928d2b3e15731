"""Background jobs for the portfolio. Each is thin: it calls a service, which is tested
without Celery."""

from celery import shared_task

from outbox import mail
from outbox.runner import OutboxTask
from portfolio.reviews.services import links as review_links
from portfolio.reviews.services import reminders as review_reminders


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=900, time_limit=960)
def send_review_reminders() -> None:
    """Daily (see CELERY_BEAT_SCHEDULE): reviews due soon, overdue, or waiting for a
    signature. Each email goes once per due event, so running it twice is harmless."""
    review_reminders.send_review_reminders()


@shared_task(
    base=OutboxTask,
    outbox_label="Ask people to sign a progress review",
    soft_time_limit=60,
    time_limit=90,
)
def send_signature_requests(version_id: int) -> None:
    """Queued when a review is recorded or changed: ask those still to sign (each email
    goes through the outbox in its turn)."""
    review_reminders.send_signature_requests(version_id=version_id)


@shared_task(
    base=OutboxTask,
    at_most_once=True,
    outbox_label="Email a link to sign a progress review",
    soft_time_limit=120,
    time_limit=150,
)
def send_signing_link(link_id: int, salt: str) -> None:
    """The signing-link email, written when it is sent: its token is never stored."""
    email = review_links.signing_link_email(link_id=link_id, salt=salt)
    if email is not None:
        mail.deliver(email)
