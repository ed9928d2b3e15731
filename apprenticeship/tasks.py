"""Background jobs for organisations and people: thin, each calls a service."""

from celery import shared_task

from apprenticeship import services
from outbox import mail
from outbox.runner import OutboxTask


@shared_task(
    base=OutboxTask,
    at_most_once=True,
    outbox_label="Email an invitation",
    soft_time_limit=120,
    time_limit=150,
)
def send_invitation(user_id: int, organisation_id: int, inviter_id: int | None) -> None:
    email = services.invitation_email(
        user_id=user_id, organisation_id=organisation_id, inviter_id=inviter_id
    )
    if email is not None:
        mail.deliver(email)
