"""A report in a real browser: the apprentice asks for their portfolio report, watches it
build (a real Celery worker on the real Redis broker) and downloads the PDF, whose
coverage table points at the right pages."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from portfolio.evidence.models import Evidence
from tests.helpers.browser import screenshot, sign_in
from tests.helpers.evidence import make_evidence

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
TITLES = ["Welcoming a new member to the group", "Planning a safe ending", "Team meeting idea"]


def test_apprentice_asks_for_a_report_watches_it_build_and_downloads_it(
    page, personas, celery_worker
):
    apprenticeship = personas["apprenticeship"]
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    for n, title in enumerate(TITLES):
        make_evidence(
            apprenticeship,
            duties=[duties[n]],
            status=Evidence.Status.SUBMITTED,
            title=title,
            account="What I did and what I learned. " * 80,
        )
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.get_by_role("button", name="Make a portfolio report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio report")
    screenshot(page, "report-building")
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=90_000)
    expect(page.locator("#report-status")).to_contain_text("Ready")
    screenshot(page, "report-ready")
    with page.expect_download() as info:
        download_link.click()
    data = open(info.value.path(), "rb").read()  # noqa: SIM115 - Playwright's temp file
    assert data.startswith(b"%PDF")

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    text = "\n".join(pages)
    for title in TITLES:
        assert title in text
    starts = {}
    for number, page_text in enumerate(pages, start=1):
        for ref in re.findall(r"^(E\d+): ", page_text, re.M):
            starts.setdefault(ref, number)
    coverage = next(t for t in pages if "where the evidence is" in t)
    references = re.findall(r"(E\d+) p\. (\d+)", coverage)
    assert len(references) == len(TITLES)
    for ref, number in references:
        assert starts[ref] == int(number)
