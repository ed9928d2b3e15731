"""Real text files from real machines are accepted and stored as UTF-8, and an upload cut
off on the way is told apart from no file at all."""

import pytest
from django.urls import reverse

from portfolio.evidence import filetypes, uploads
from portfolio.evidence.models import EvidenceFile
from portfolio.evidence.services import evidence as services
from tests import samples

NOTES = (
    "Reflection: I listened first — the café was busy, “calm” voice.\r\nNext time: ask sooner.\r\n"
)


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("Notepad 'Unicode' (UTF-16 with a byte order mark)", NOTES.encode("utf-16")),
        ("UTF-16 big-endian with a mark", b"\xfe\xff" + NOTES.encode("utf-16-be")),
        ("UTF-16 without a mark", NOTES.encode("utf-16-le")),
        ("UTF-8 with a byte order mark", NOTES.encode("utf-8-sig")),
        ("Windows-1252", NOTES.encode("cp1252")),
        ("UTF-8", NOTES.encode("utf-8")),
    ],
)
def test_text_in_any_common_encoding_is_accepted_and_kept_as_utf8(label, data):
    checked = uploads.check_upload(
        samples.upload("notes.txt", data), name="notes.txt", size=len(data)
    )
    assert checked.type_key == "txt", label
    assert checked.extracted_text == NOTES
    stored = checked.content if checked.content is not None else data
    assert stored == NOTES.encode("utf-8") and checked.size == len(stored)


def test_a_utf16_file_is_not_mistaken_for_mp3_audio():
    data = NOTES.encode("utf-16")
    assert data[:2] == b"\xff\xfe"  # what the MP3 check used to take for a frame header
    assert filetypes.sniff(data[:100]) == "txt"


def test_markup_hidden_in_utf16_is_still_refused():
    data = "<script>alert(1)</script>".encode("utf-16")
    with pytest.raises(uploads.UploadRefused, match="Web pages"):
        uploads.check_upload(samples.upload("a.txt", data), name="a.txt", size=len(data))


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"\x01\x02\x03\x04plain words" * 50, b"abc\x00def" * 20],
)
def test_binary_data_is_still_not_text(data):
    assert filetypes.text_encoding(data) is None


def test_the_stored_file_is_utf8(draft, personas):
    data = NOTES.encode("utf-16")
    [row] = services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload("notes.txt", data)]
    )
    assert row.file.read() == NOTES.encode("utf-8") and row.size == len(NOTES.encode())


def _multipart(boundary: str, token: str, content: bytes) -> bytes:
    return (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="files"; filename="notes.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def _post_raw(client, draft, body: bytes, boundary: str):
    """Post `body` as it arrived; a refusal is the evidence page again (400), a success
    the page the view sends us back to."""
    response = client.generic(
        "POST",
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    if response.status_code == 302:
        return client.get(response["Location"])
    assert response.status_code == 400
    return response


def test_an_upload_cut_off_on_the_way_says_so_and_saves_nothing(client, draft, personas):
    client.force_login(personas["apprentice"])
    whole = _multipart("XyZ", "unused", b"A line of my notes.\n" * 2000)
    page = _post_raw(client, draft, whole[: len(whole) // 2], "XyZ").content.decode()
    assert "The upload stopped before the whole file arrived" in page
    assert "Choose at least one file" not in page
    assert not EvidenceFile.objects.exists()


def test_a_whole_upload_sent_the_same_way_is_stored(client, draft, personas):
    client.force_login(personas["apprentice"])
    page = _post_raw(client, draft, _multipart("XyZ", "unused", b"My notes.\n"), "XyZ")
    assert "Added notes.txt" in page.content.decode()
    assert EvidenceFile.objects.count() == 1


def test_no_file_at_all_still_asks_for_one(client, draft, personas):
    client.force_login(personas["apprentice"])
    body = b'--XyZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--XyZ--\r\n'
    page = _post_raw(client, draft, body, "XyZ").content.decode()
    assert "Choose at least one file" in page


def test_the_cut_off_check_keeps_the_csrf_check(draft, personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        {"files": [samples.upload("notes.txt", b"My notes.\n")]},
    )
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()
