"""Handing outbox messages to the broker.

After commit the web process hands the new messages to a thread of its own, so a broker
that is down or frozen costs the request nothing. Publishing uses short socket timeouts
and no retries (settings: CELERY_BROKER_TRANSPORT_OPTIONS); anything not sent stays
PENDING for the beat sweep.
"""

import logging
import os
import queue
import threading
import time

from django.db import connections
from django.utils import timezone

from config.celery import app as celery_app
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# (message id, task name, payload)
Item = tuple[int, str, dict]
# After a failure, the thread leaves new messages to the sweep for this long.
PAUSE_AFTER_FAILURE = 5.0


def publish(items: list[Item]) -> list[int]:
    """Send each message to the broker and mark it SENT. Stops at the first failure (the
    broker is away; the sweep sends the rest). Returns the ids sent."""
    sent: list[int] = []
    if not items:
        return sent
    try:
        # No connection retries here: one try, bounded by the socket timeouts.
        with celery_app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            for pk, task, payload in items:
                celery_app.send_task(
                    task, kwargs={**payload, "outbox_id": pk}, connection=conn, retry=False
                )
                sent.append(pk)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the sweep sends it later
        unsent = len(items) - len(sent)
        logger.warning("Outbox: the broker did not take %s message(s): %s", unsent, exc)
    if sent:
        OutboxMessage.objects.filter(pk__in=sent, status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.SENT, dispatched_at=timezone.now()
        )
    return sent


class BackgroundDispatcher:
    """One thread per process that publishes what committed transactions queued."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[list[Item]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._paused_until = 0.0

    def submit(self, items: list[Item]) -> None:
        self._ensure_thread()
        self._queue.put(items)

    def _ensure_thread(self) -> None:
        with self._lock:
            alive = self._thread is not None and self._thread.is_alive()
            if alive and self._pid == os.getpid():
                return
            # A forked child (gunicorn worker) has no thread yet: start its own.
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="outbox-dispatcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            items = self._queue.get()
            while True:
                try:
                    items = items + self._queue.get_nowait()
                except queue.Empty:
                    break
            if time.monotonic() < self._paused_until:
                continue  # the broker failed a moment ago: the sweep sends these
            try:
                if len(publish(items)) < len(items):
                    self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
            except Exception:  # noqa: BLE001 - the thread must outlive any failure
                logger.warning("Outbox dispatcher failed.", exc_info=True)
            finally:
                connections.close_all()


background = BackgroundDispatcher()
