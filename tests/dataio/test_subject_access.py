"""Subject access: the apprentice (or a provider admin on their behalf, recorded) gets one
zip of everything held about them, built by a worker queued through the outbox; what
others wrote about them is in it, other people's records never are."""

import hashlib
import io
import json
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from dataio import services
from dataio.models import SubjectAccessRequest
from outbox.models import OutboxMessage
from portfolio.evidence.models import EvidenceComment
from portfolio.evidence.services import evidence as evidence_services
from tests import factories
from tests.query_counts import MY_DATA_QUERIES, assert_flat_queries

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 220, 210)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def records(personas, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    a = personas["apprenticeship"]
    mine = factories.EvidenceFactory(apprenticeship=a, title="My group work")
    evidence_services.add_files(
        evidence=mine,
        by=personas["apprentice"],
        files=[SimpleUploadedFile("flipchart.png", _png(), content_type="image/png")],
    )
    EvidenceComment.objects.create(
        evidence=mine, author=personas["tutor"], version=1, body="Tutor says: well reflected."
    )
    factories.WitnessTestimonyFactory(
        apprenticeship=a, author=personas["employer"], text="Employer saw calm, kind practice."
    )
    # An off-the-job entry: its lineage is a UUID, which the JSON must write as text.
    factories.OtjEntryFactory(apprenticeship=a, description="Shadowed the night shift")
    other = factories.EvidenceFactory(
        apprenticeship=personas["other_apprenticeship"], title="Someone else's secret"
    )
    return {"mine": mine, "other": other}


def _zip(request: SubjectAccessRequest) -> zipfile.ZipFile:
    request.refresh_from_db()
    assert request.status == SubjectAccessRequest.Status.READY
    with request.archive.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == request.sha256
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_apprentice_asks_and_a_worker_is_queued_through_the_outbox(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas["apprentice"])
    with (
        mock.patch("outbox.services.dispatch_after_commit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("dataio:my-data"))
    assert response.status_code == 302
    request = SubjectAccessRequest.objects.get()
    assert request.person == personas["apprentice"] and not request.on_behalf
    job = OutboxMessage.objects.get(task="dataio.tasks.build_subject_access")
    assert job.payload == {"request_id": request.pk}


def test_the_zip_holds_everything_about_them_and_nothing_of_anyone_else(personas, records):
    request = services.request_subject_access(
        person=personas["apprentice"], by=personas["apprentice"]
    )
    services.build_subject_access(request_id=request.pk)
    archive = _zip(request)
    names = set(archive.namelist())
    for area in (
        "person",
        "apprenticeships",
        "evidence",
        "off_the_job",
        "reviews",
        "sign_offs",
        "history",
    ):
        assert f"{area}.json" in names
    assert f"portfolio-{personas['apprenticeship'].pk}.pdf" in names
    assert archive.read(f"portfolio-{personas['apprenticeship'].pk}.pdf").startswith(b"%PDF")
    listing = json.loads(archive.read("files.json"))
    assert len(listing) == 1
    assert listing[0]["sha256"] == hashlib.sha256(archive.read(listing[0]["file"])).hexdigest()
    everything = "".join(archive.read(n).decode() for n in names if n.endswith((".json", ".txt")))
    assert "My group work" in everything
    assert "Tutor says: well reflected." in everything
    assert "Employer saw calm, kind practice." in everything
    assert "Shadowed the night shift" in everything
    assert "Someone else's secret" not in everything
    assert "correct-horse" not in everything and "pbkdf2" not in everything
    evidence = json.loads(archive.read("evidence.json"))
    assert "title" in evidence["tables"]["evidence"]["fields"]
    # Building again changes nothing.
    before = request.archive.name
    services.build_subject_access(request_id=request.pk)
    request.refresh_from_db()
    assert request.archive.name == before


def test_an_admin_asks_on_their_behalf_with_the_reason_recorded(client, personas):
    url = reverse("dataio:subject-access-on-behalf", args=[personas["apprenticeship"].pk])
    client.force_login(personas["admin"])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert not SubjectAccessRequest.objects.exists()
    assert client.post(url, {"reason": "Asked by phone on 1 December"}).status_code == 302
    request = SubjectAccessRequest.objects.get()
    assert request.on_behalf and request.requested_by == personas["admin"]
    event = AuditEvent.objects.get(action="subject_access.requested")
    assert "Asked by phone" in event.summary


def test_only_the_person_or_the_admin_who_asked_downloads_it(client, personas, records):
    request = services.request_subject_access(
        person=personas["apprentice"], by=personas["apprentice"]
    )
    services.build_subject_access(request_id=request.pk)
    url = reverse("dataio:subject-access-download", args=[request.pk])
    client.force_login(personas["apprentice"])
    assert client.get(url).status_code == 200
    for name in ("tutor", "employer", "admin", "outsider"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 404, name


def test_the_apprentices_list_of_copies_costs_the_same_however_many_were_asked_for(
    client, personas
):
    """Each copy an admin asked for names them; their names come with the list, not one
    query per copy."""
    apprentice, admin = personas["apprentice"], personas["admin"]
    provider = personas["apprenticeship"].provider

    def ask(times: int) -> None:
        for n in range(times):
            services.request_subject_access(
                person=apprentice, by=admin, provider=provider, reason=f"Asked by phone ({n})"
            )

    ask(1)
    client.force_login(apprentice)
    url = reverse("dataio:my-data")
    page = client.get(url).content.decode()
    assert "by Admin: Asked by phone (0)" in page
    assert_flat_queries(client, url, lambda: ask(4), MY_DATA_QUERIES)
    assert client.get(url).content.decode().count("by Admin: Asked by phone") == 5
