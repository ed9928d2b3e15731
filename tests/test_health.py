import pytest
from django.test import override_settings
from django.urls import reverse


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
    }


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
