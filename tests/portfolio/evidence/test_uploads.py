"""Files are judged by content: every refused class is refused with a plain message and
leaves nothing behind; images lose their location and camera details."""

import hashlib
import html
import io
import logging
import unicodedata

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageCms

from audit.models import AuditEvent
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence import uploads
from portfolio.evidence.models import EvidenceFile
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.evidence import EvidenceError
from tests import samples
from tests.security import hostile

GOOD = [
    ("photo.jpg", samples.jpeg(), "image", "image/jpeg"),
    ("photo.png", samples.png(), "image", "image/png"),
    ("notes.pdf", samples.pdf(), "document", "application/pdf"),
    ("notes.docx", samples.docx(), "document", None),
    ("notes.txt", b"My notes from today.\n", "document", "text/plain"),
    ("voice.mp3", samples.MP3, "audio", "audio/mpeg"),
    ("voice.m4a", samples.M4A, "audio", "audio/mp4"),
    ("voice.wav", samples.WAV, "audio", "audio/wav"),
    ("clip.mp4", samples.MP4, "video", "video/mp4"),
]

REFUSED = [
    ("empty.pdf", b"", "is empty"),
    ("report.pdf", samples.EXECUTABLE, "Programs and scripts"),
    ("notes.txt", samples.ELF, "Programs and scripts"),
    ("notes.txt", samples.SHELL_SCRIPT, "Programs and scripts"),
    ("page.txt", samples.HTML, "Web pages, SVG images and scripts"),
    ("picture.png", samples.SVG, "Web pages, SVG images and scripts"),
    ("form.pdf", samples.pdf_with_javascript(), "contains scripts"),
    ("broken.pdf", samples.pdf().replace(b"/Root 1 0 R", b"/Root 42"), "This PDF is damaged"),
    ("letter.docx", samples.docx_with_macros(), "contains macros"),
    ("letter.docx", samples.zip_bomb(), "unpacks to far more"),
    ("bundle.zip", samples.plain_zip(), "Zip files and other archives"),
    ("old.doc", samples.OLE_DOC, "Older Office files"),
    ("photo.jpg", samples.HEIC, "HEIC"),
    ("scan.pdf", samples.jpeg(), "the file is a JPEG image"),
    ("photo.jpg", samples.pdf(), "the file is a PDF document"),
    ("tool.exe", b"plain words", "files ending in .exe can't be uploaded"),
    ("random.bin", bytes(range(256)) * 4, "This type of file can't be uploaded"),
]


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Each test stores files in an empty folder of its own, so "nothing was stored" is
    checked against this test alone (on SQLite a rolled-back test's ids are used again)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def stored_names(apprenticeship) -> list[str]:
    folder = f"evidence/{apprenticeship.pk}"
    if not default_storage.exists(folder):
        return []
    return default_storage.listdir(folder)[1]


@pytest.mark.parametrize(
    ("name", "data", "category", "content_type"), GOOD, ids=[g[0] for g in GOOD]
)
def test_allowed_files_are_stored_under_a_generated_name_with_a_checksum(
    draft, personas, name, data, category, content_type
):
    (row,) = services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload(name, data)]
    )
    assert row.original_name == name
    assert row.category == category
    if content_type:
        assert row.content_type == content_type
    assert name not in row.file.name
    assert row.file.name.startswith(f"evidence/{draft.apprenticeship_id}/")
    with row.file.open("rb") as handle:
        stored = handle.read()
    assert row.sha256 == hashlib.sha256(stored).hexdigest()
    assert row.size == len(stored)


@pytest.mark.parametrize(
    ("name", "data", "message"), REFUSED, ids=[f"{r[0]}-{r[2][:18]}" for r in REFUSED]
)
def test_refused_files_say_why_and_leave_nothing_behind(draft, personas, name, data, message):
    with pytest.raises(EvidenceError, match=message):
        services.add_files(
            evidence=draft, by=personas["apprentice"], files=[samples.upload(name, data)]
        )
    assert not EvidenceFile.objects.exists()
    assert stored_names(draft.apprenticeship) == []


def test_oversized_files_are_refused_by_the_limit_for_their_kind(draft, personas, settings):
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "document": 1}
    big = b"A line of my reflective notes.\n" * 40_000  # about 1.2 MB of text
    with pytest.raises(
        EvidenceError, match=r"notes.txt is 1.2 MB. Document files can be up to 1 MB"
    ):
        services.add_files(
            evidence=draft, by=personas["apprentice"], files=[samples.upload("notes.txt", big)]
        )
    assert not EvidenceFile.objects.exists()
    # The same file is accepted once the limit is raised.
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "document": 2}
    services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload("notes.txt", big)]
    )


def test_one_bad_file_in_a_batch_stores_none_of_them(draft, personas):
    files = [samples.upload("photo.jpg", samples.jpeg()), samples.upload("page.txt", samples.HTML)]
    with pytest.raises(EvidenceError, match="page.txt|Web pages"):
        services.add_files(evidence=draft, by=personas["apprentice"], files=files)
    assert not EvidenceFile.objects.exists()
    assert stored_names(draft.apprenticeship) == []


def test_photos_lose_their_location_and_camera_details(draft, personas):
    original = samples.jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it had GPS
    (row,) = services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload("photo.jpg", original)]
    )
    with row.file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif and 0x0110 not in exif
    assert image.size == (64, 48)


def test_document_text_is_kept_for_the_identifier_check(draft, personas):
    services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[samples.upload("notes.docx", samples.docx("We met at LS6 2AB\nShe was fine"))],
    )
    findings = evidence_selectors.identifier_findings(evidence=draft)
    assert [(f.kind, f.where, f.line) for f in findings] == [("postcode", "notes.docx", 1)]


def test_a_refused_upload_through_the_page_leaves_no_temporary_file(
    client, draft, personas, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload streams to a temporary file
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        {"files": [samples.upload("page.txt", samples.HTML * 100)]},
        follow=True,
    )
    assert "Nothing was uploaded. Web pages, SVG images and scripts" in response.content.decode()
    assert list(tmp_path.iterdir()) == []
    assert not EvidenceFile.objects.exists()
    assert stored_names(draft.apprenticeship) == []


def test_files_can_be_uploaded_through_the_page(client, draft, personas):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        {
            "files": [
                samples.upload("photo.jpg", samples.jpeg()),
                samples.upload("notes.pdf", samples.pdf()),
            ]
        },
        follow=True,
    )
    assert "Added photo.jpg, notes.pdf." in response.content.decode()
    assert EvidenceFile.objects.filter(evidence=draft).count() == 2


def test_a_truncated_photo_is_refused_even_after_the_pdf_library_is_loaded(draft, personas):
    import weasyprint  # noqa: F401 - importing it turns on Pillow's LOAD_TRUNCATED_IMAGES
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    photo = hostile.noisy_jpeg()
    kept = stored_names(draft.apprenticeship)  # SQLite may reuse an earlier test's folder
    with pytest.raises(EvidenceError, match="This picture is incomplete"):
        services.add_files(
            evidence=draft,
            by=personas["apprentice"],
            files=[samples.upload("photo.jpg", photo[: len(photo) * 2 // 3])],
        )
    assert not EvidenceFile.objects.exists()
    assert stored_names(draft.apprenticeship) == kept
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # the check reads it nowhere and leaves it be


def test_photos_lose_comments_and_colour_profiles_when_saved_again(draft, personas):
    output = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(output, "JPEG", icc_profile=profile)
    original = hostile.with_comment(output.getvalue(), b"<script>alert(1)</script>")
    (row,) = services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload("photo.jpg", original)]
    )
    with row.file.open("rb") as handle:
        stored = handle.read()
    assert b"<script>" not in stored
    assert "icc_profile" not in Image.open(io.BytesIO(stored)).info


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("cafe\u0301.pdf", "caf\u00e9.pdf"),  # decomposed, as Macs send it
        ("invoice\u202efdp.jpg", "invoicefdp.jpg"),  # shows as "invoicegpj.pdf"
        ("notes\x00\x07.txt", "notes.txt"),
        ("C:\\Users\\sam\\notes.txt", "notes.txt"),
        ("   ", "file"),
    ],
)
def test_file_names_are_kept_in_nfc_without_invisible_tricks(sent, kept):
    assert uploads.clean_name(sent) == kept
    assert unicodedata.is_normalized("NFC", uploads.clean_name(sent))


def test_a_decomposed_name_is_stored_composed(draft, personas):
    (row,) = services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[samples.upload("Re\u0301flexion.pdf", samples.pdf())],
    )
    assert row.original_name == "R\u00e9flexion.pdf"


def _upload_page(client, draft, files):
    return client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]), {"files": files} if files else {}
    )


def test_a_refused_upload_answers_400_with_the_reason_beside_the_upload_field(
    client, draft, personas
):
    client.force_login(personas["apprentice"])
    kept = stored_names(draft.apprenticeship)  # SQLite may reuse an earlier test's folder
    response = _upload_page(client, draft, [samples.upload("page.txt", samples.HTML)])
    assert response.status_code == 400
    assert [t.name for t in response.templates][0] == "portfolio/evidence/evidence_edit.html"
    page = html.unescape(response.content.decode())
    message = "Nothing was uploaded. Web pages, SVG images and scripts can't be uploaded."
    assert page.count(message) == 1
    assert page.index('id="upload"') < page.index(message)  # shown in the upload form
    assert "#upload" in page  # the form comes back into view after the refusal
    assert draft.title in page  # the rest of the page is the draft as saved
    assert not EvidenceFile.objects.exists()
    assert stored_names(draft.apprenticeship) == kept


def test_sending_no_file_answers_400_on_the_same_page(client, draft, personas):
    client.force_login(personas["apprentice"])
    response = _upload_page(client, draft, None)
    assert response.status_code == 400
    assert "Nothing was uploaded. Choose at least one file." in response.content.decode()


def test_uploading_to_evidence_waiting_for_the_tutor_says_why(client, submitted, personas):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[submitted.pk]),
        {"files": [samples.upload("notes.txt", b"More notes.\n")]},
        follow=True,
    )
    assert "This evidence is waiting for your tutor." in html.unescape(response.content.decode())
    assert not EvidenceFile.objects.exists()


def test_refusals_go_to_the_security_log_not_the_history(client, draft, personas, caplog):
    caplog.set_level(logging.INFO, logger="security.uploads")
    client.force_login(personas["apprentice"])
    history_before = AuditEvent.objects.count()
    _upload_page(client, draft, [samples.upload("evil\nFAKE LINE.txt", samples.HTML)])
    (record,) = [r for r in caplog.records if r.name == "security.uploads"]
    assert record.levelno == logging.WARNING
    assert record.user_id == personas["apprentice"].pk
    assert record.apprenticeship_id == draft.apprenticeship_id
    assert record.evidence_id == draft.pk
    assert record.declared_size == len(samples.HTML)
    assert "FAKE LINE.txt" in record.declared_name
    assert record.reason == "Web pages, SVG images and scripts can't be uploaded."
    line = record.getMessage()
    assert "\n" not in line  # a name can't start a forged log line
    assert f"apprenticeship={draft.apprenticeship_id}" in line and "reason=" in line
    assert AuditEvent.objects.count() == history_before


def test_accepted_uploads_leave_no_security_log_line(client, draft, personas, caplog):
    caplog.set_level(logging.INFO, logger="security.uploads")
    client.force_login(personas["apprentice"])
    _upload_page(client, draft, [samples.upload("notes.txt", b"My notes.\n")])
    assert not [r for r in caplog.records if r.name == "security.uploads"]
