"""Large exports: past INLINE_ROWS apprenticeships, asking for an export queues a worker
through the outbox; the file it writes holds exactly the rows the streamed export would,
only the person who asked downloads it, and it is deleted after a week."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from dataio import exports, services
from dataio.models import Export
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _streamed(client, url_name: str) -> bytes:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("persona", "url_name", "kind"),
    [
        ("admin", "dataio:provider-export", Export.Kind.PROVIDER),
        ("admin", "dataio:funding-return-export", Export.Kind.FUNDING_RETURN),
        ("tutor", "dataio:caseload-export", Export.Kind.CASELOAD),
    ],
)
def test_a_large_export_is_built_by_a_worker_with_the_same_rows(
    client, personas, storage, monkeypatch, persona, url_name, kind
):
    client.force_login(personas[persona])
    streamed = _streamed(client, url_name)
    monkeypatch.setattr(exports, "INLINE_ROWS", 0)
    response = client.get(reverse(url_name))
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.kind, export.requested_by, export.status) == (kind, personas[persona], "queued")
    assert OutboxMessage.objects.filter(task=services.EXPORT_TASK).count() == 1
    # Asking again while it is prepared gives the same one.
    client.get(reverse(url_name))
    assert Export.objects.count() == 1
    page = client.get(export.get_absolute_url()).content.decode()
    assert "data-reload-while-waiting" in page

    services.build_export(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.rows) == ("ready", 1)
    page = client.get(export.get_absolute_url()).content.decode()
    assert reverse("dataio:export-download", args=[export.pk]) in page
    download = client.get(reverse("dataio:export-download", args=[export.pk]))
    assert b"".join(download.streaming_content) == streamed
    # Only the person who asked sees it.
    client.force_login(personas["outsider"])
    assert client.get(export.get_absolute_url()).status_code == 404


def test_exports_are_deleted_a_week_after_they_were_asked_for(personas, storage):
    export = services.request_export(kind=Export.Kind.PROVIDER, by=personas["admin"])
    services.build_export(export_id=export.pk)
    export.refresh_from_db()
    name = export.file.name
    assert default_storage.exists(name)
    assert services.prune_exports(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert services.prune_exports(now=timezone.now() + dt.timedelta(days=8)) == 1
    assert not default_storage.exists(name) and not Export.objects.exists()


def test_an_export_whose_job_gave_up_says_so_and_asking_again_starts_anew(
    client, personas, storage
):
    first = services.request_export(kind=Export.Kind.PROVIDER, by=personas["admin"])
    OutboxMessage.objects.filter(task=services.EXPORT_TASK).update(
        status=OutboxMessage.Status.FAILED
    )
    client.force_login(personas["admin"])
    assert 'id="export-stalled"' in client.get(first.get_absolute_url()).content.decode()
    second = services.request_export(kind=Export.Kind.PROVIDER, by=personas["admin"])
    first.refresh_from_db()
    assert second.pk != first.pk and first.status == Export.Status.FAILED
