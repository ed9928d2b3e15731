"""Every file in the hostile battery, pushed through the upload page as the apprentice,
with the outcome it must have. Refused files answer 400 with the reason on the same page
and leave nothing behind: no row, no bytes in storage.

The PDF library is loaded first, as it is in the web process: it turns on Pillow's
"load truncated images" switch for the whole process, and the checks must not care."""

import html
import io
import re

import pytest
import weasyprint  # noqa: F401 - loaded for its side effect on Pillow, see above
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageFile

from portfolio.evidence.models import EvidenceFile
from tests import samples
from tests.security.conftest import clamd_binary
from tests.security.hostile import ACCEPTED, CASES, REFUSED


@pytest.fixture(autouse=True)
def scan_when_clamd_is_installed(request):
    """Run the battery as production does when scanning is on, if it can be."""
    if clamd_binary() is not None:
        request.getfixturevalue("scanning")


def stored_names(apprenticeship) -> set[str]:
    """The files in storage for this apprenticeship. Compared before and after each
    upload: on SQLite ids are reused after a rollback, so the folder may hold an earlier
    test's files."""
    folder = f"evidence/{apprenticeship.pk}"
    if not default_storage.exists(folder):
        return set()
    return set(default_storage.listdir(folder)[1])


def upload_error(page: str) -> str:
    found = re.search(r"Nothing was uploaded\.[^<]*", page)
    return found.group(0) if found else "(no refusal shown)"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_file_has_its_expected_outcome(client, draft, personas, request, case):
    if case.needs_clamd:
        request.getfixturevalue("scanning")  # skips, saying why, without clamd
    assert ImageFile.LOAD_TRUNCATED_IMAGES, "the PDF library should have turned this on"
    data = case.build()
    kept = stored_names(draft.apprenticeship)
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        {"files": [samples.upload(case.name, data)]},
    )
    page = html.unescape(response.content.decode())
    rows = EvidenceFile.objects.filter(evidence__apprenticeship=draft.apprenticeship)
    if case.outcome == REFUSED:
        assert response.status_code == 400, f"{case.tried} was not refused"
        assert case.says in upload_error(page), upload_error(page)
        assert not rows.exists()
        assert stored_names(draft.apprenticeship) == kept
        return
    assert response.status_code == 302, upload_error(page)
    (row,) = rows
    with row.file.open("rb") as handle:
        stored = handle.read()
    assert stored_names(draft.apprenticeship) - kept == {row.file.name.rsplit("/", 1)[1]}
    if case.outcome == ACCEPTED:
        assert row.original_name == case.name
        if row.category == "image":
            Image.open(io.BytesIO(stored)).load()  # saved again, still a whole picture
        else:
            assert stored == data
        return
    if case.gone:
        assert case.gone in data
        assert case.gone not in stored
    if case.stored_name:
        assert row.original_name == case.stored_name
