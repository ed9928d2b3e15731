"""Background jobs for quality assurance. Each is thin: it calls a service."""

from celery import shared_task

from outbox import mail
from outbox.runner import OutboxTask
from quality.services import auditors


@shared_task(
    base=OutboxTask,
    at_most_once=True,
    outbox_label="Email an auditor their access link",
    soft_time_limit=120,
    time_limit=150,
)
def send_auditor_invitation(grant_id: int, salt: str) -> None:
    """The auditor's invitation, written when it is sent: its token is never stored."""
    email = auditors.invitation_email(grant_id=grant_id, salt=salt)
    if email is not None:
        mail.deliver(email)
