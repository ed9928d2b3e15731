"""Background jobs for evidence. Each is thin: it calls a service, which is tested
without Celery."""

from celery import shared_task

from outbox import mail
from outbox.runner import OutboxTask
from portfolio.evidence.services import testimony_requests


@shared_task(
    base=OutboxTask,
    at_most_once=True,
    outbox_label="Email a witness a link to write a testimony",
    soft_time_limit=120,
    time_limit=150,
)
def send_testimony_link(request_id: int, salt: str) -> None:
    """The testimony-link email, written when it is sent: its token is never stored."""
    email = testimony_requests.testimony_link_email(request_id=request_id, salt=salt)
    if email is not None:
        mail.deliver(email)
