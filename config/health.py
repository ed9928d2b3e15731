import logging
import uuid

import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import virus_scan

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
    # The outbox sits above config (it runs on the Celery app), so it is named, not
    # imported, as config.urls names the apps.
    return import_string("outbox.health.backlog_report")(request)


def _virus_scan() -> str:
    if not virus_scan.is_enabled():
        return "off (uploads are not scanned for viruses)"
    virus_scan.ping()
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker (if configured), file storage and the virus
    scanner (if configured: uploads are refused while it is down) all work. The outbox's
    backlog is reported beside the checks and never changes the status."""
    checks = {}
    healthy = True
    for name, check in (
        ("database", _database),
        ("broker", _broker),
        ("storage", _storage),
        ("virus_scan", _virus_scan),
    ):
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
