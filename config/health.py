import logging
import uuid

import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from outbox import services as outbox
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "not configured (tasks run in the web process)"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _storage() -> str:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise OSError("read back different bytes")
    finally:
        default_storage.delete(name)
    return "ok"


def _outbox(request: HttpRequest) -> dict:
    """How many emails and background jobs wait, since how long, and how many failed.
    A backlog is reported, not judged: a web process restarted for it would not help.
    Signed-in site operators also get each failed job and its reason."""
    figures = outbox.backlog(OutboxMessage.objects.all())
    detail = {
        "waiting": figures["waiting"],
        "oldest_waiting_seconds": figures["oldest_waiting_seconds"],
        "failed": figures["failed"],
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_superuser:
        failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
        detail["failed_jobs"] = [
            {"id": job.pk, "task": job.task, "attempts": job.attempts, "reason": job.last_error}
            for job in failed.order_by("-finished_at", "-pk")[:50]
        ]
    return detail


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker (if configured) and file storage all work. The
    outbox's backlog is reported beside the checks and never changes the status."""
    checks = {}
    healthy = True
    for name, check in (("database", _database), ("broker", _broker), ("storage", _storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            logger.warning("Health check %s failed: %s", name, exc)
            checks[name] = "error"
            healthy = False
    try:
        backlog: dict | str = _outbox(request)
    except Exception as exc:  # noqa: BLE001 - the database check already says why
        logger.warning("Health check outbox failed: %s", exc)
        backlog = "error"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks, "outbox": backlog},
        status=200 if healthy else 503,
    )
