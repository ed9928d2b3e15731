"""Tasks that only tests queue: they record each run, so a test can count effects."""

import time

from celery import shared_task

from audit.services import record_event
from outbox.runner import GiveUp, OutboxTask, current_message


@shared_task(base=OutboxTask, name="tests.outbox.jobs.record", outbox_label="Test job")
def record(label: str, fail: str = "", seconds: float = 0.0) -> None:
    """Write one audit event (the effect), after `seconds`; or fail as told."""
    if seconds:
        time.sleep(seconds)
    if fail == "give-up":
        raise GiveUp("This can never work.")
    if fail:
        raise RuntimeError(fail)
    record_event(action="test.effect", obj=current_message(), summary=label)
