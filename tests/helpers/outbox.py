"""Delivering what the outbox holds, in the test's own process, as a worker would."""

from django.utils import timezone

from outbox import services
from outbox.models import OutboxMessage


def deliver_outbox(rounds: int = 5) -> int:
    """Run every due outbox message here (claim, run, record), and the messages those
    queue in turn. Returns how many ran."""
    ran = 0
    for _ in range(rounds):
        ids = list(
            OutboxMessage.objects.filter(
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENT],
                not_before__lte=timezone.now(),
            ).values_list("pk", flat=True)
        )
        if not ids:
            break
        ran += services.run_here(ids)
    return ran
