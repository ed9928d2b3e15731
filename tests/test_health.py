import pytest
from django.test import override_settings
from django.urls import reverse

from tests import factories


@pytest.mark.django_db
def test_healthy_when_database_broker_and_storage_work(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "broker": "ok",
            "storage": "ok",
            "virus_scan": "off (uploads are not scanned for viruses)",
        },
        "outbox": {"waiting": 0, "oldest_waiting_seconds": 0, "failed": 0},
    }


@pytest.mark.django_db
def test_the_outbox_backlog_is_reported_and_does_not_change_the_status(client):
    import datetime as dt

    from django.utils import timezone

    from outbox import services
    from outbox.models import OutboxMessage

    email = "outbox.tasks.send_email"
    old = services.enqueue(email, to=["a@example.org"], subject="s", body="b")
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    failed = services.enqueue(
        "outbox.tasks.send_email", to=["b@example.org"], subject="s", body="b"
    )
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxMessage.Status.FAILED, last_error="The mail server refused the address."
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    backlog = response.json()["outbox"]
    assert backlog["waiting"] == 1 and backlog["failed"] == 1
    assert 600 <= backlog["oldest_waiting_seconds"] < 700
    assert "failed_jobs" not in backlog  # the reasons are for operators
    operator = factories.UserFactory(is_superuser=True)
    client.force_login(operator)
    [job] = client.get(reverse("healthz")).json()["outbox"]["failed_jobs"]
    assert job["reason"] == "The mail server refused the address."


@pytest.mark.django_db
def test_unhealthy_when_the_broker_is_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_unhealthy_when_storage_cannot_be_written(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": "/proc/no-such-place"},
        },
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error"


@pytest.mark.django_db
def test_broker_is_reported_as_not_configured_without_redis(client):
    with override_settings(REDIS_URL=""):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"].startswith("not configured")
