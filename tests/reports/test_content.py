"""What the PDF shows: every section from the data, page references that point at the
right pages, each audience's copy, and hostile text that stays text."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from epa.models import GatewayDeclaration
from epa.services import gateway as gateway_services
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as evidence_services
from portfolio.evidence.services import sign_offs
from reports import content, pdf
from reports.content import ReportUnavailable
from reports.models import Report
from tests import factories, samples
from tests.helpers import reviews as review_helpers
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.wellbeing import assert_no_plan, write_plan


def render(apprenticeship, kind=Report.Kind.PORTFOLIO, audience=Report.Audience.FULL):
    document = content.build_document(apprenticeship=apprenticeship, kind=kind, audience=audience)
    data, _pages = pdf.render_pdf(document.html, document.files)
    return document, PdfReader(io.BytesIO(data))


def page_texts(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_every_reference_in_the_matrix_gives_the_page_its_evidence_starts_on(
    apprenticeship, personas
):
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    for n in range(4):
        make_evidence(
            apprenticeship,
            duties=[duties[n % 3]],
            status=Evidence.Status.SUBMITTED,
            title=f"Item number {n}",
            account="A long account. " * (60 * (n + 1)),
        )
    _document, reader = render(apprenticeship)
    pages = page_texts(reader)
    starts = {}
    for number, text in enumerate(pages, start=1):
        for ref in re.findall(r"^(E\d+): Item number", text, re.M):
            starts.setdefault(ref, number)
    assert len(starts) == 4
    coverage = next(text for text in pages if "where the evidence is" in text)
    references = re.findall(r"(E\d+) p\. (\d+)", coverage)
    assert references
    for ref, page_number in references:
        assert starts[ref] == int(page_number), (ref, page_number, starts)
    index = next(text for text in pages if "Evidence index" in text)
    for ref, start in starts.items():
        assert re.search(rf"{ref} Item number.*?p\. {start}", index, re.S)
    # Every page has its number and the footer.
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "private" in text


def test_images_are_embedded_and_other_files_listed_with_checksums(apprenticeship, personas):
    draft = make_evidence(apprenticeship)
    evidence_services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[
            samples.upload("flipchart.jpg", samples.jpeg()),
            samples.upload("notes.pdf", samples.pdf()),
        ],
    )
    evidence_services.submit_evidence(
        evidence=draft, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    document, reader = render(draft.apprenticeship)
    text = "\n".join(page_texts(reader))
    for file in draft.files.all():
        assert file.sha256 in text.replace("\n", "")
    assert list(document.files) == [draft.files.get(category="image").sha256]
    # WeasyPrint shares one resource dictionary between pages; count distinct images.
    images = {image.data for page in reader.pages for image in page.images}
    assert len(images) == 1


def test_the_employer_copy_leaves_out_what_the_apprentice_hid(apprenticeship, personas):
    make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED, title="Shared work record")
    make_evidence(
        apprenticeship,
        status=Evidence.Status.SUBMITTED,
        title="Private reflection",
        visible_to_employer=False,
    )
    _doc, reader = render(apprenticeship, audience=Report.Audience.EMPLOYER)
    employer = "\n".join(page_texts(reader))
    assert "Shared work record" in employer and "Private reflection" not in employer
    _doc, reader = render(apprenticeship)
    assert "Private reflection" in "\n".join(page_texts(reader))


def test_wellbeing_check_ins_never_appear_in_any_copy(apprenticeship, personas):
    review_helpers.sign_all(personas, review_helpers.record(personas))
    # Nor the wellbeing plan, even with every section shared with tutor and employer.
    write_plan(personas)
    for audience in Report.Audience:
        if audience == Report.Audience.ASSESSOR:
            continue
        document = content.build_document(
            apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience=audience
        )
        assert "Settling in; co-running" in document.html
        assert review_helpers.WELLBEING not in document.html
        assert_no_plan(document.html)


def test_the_gateway_pack_is_built_from_the_frozen_portfolio(personas):
    with pytest.raises(ReportUnavailable, match="has not passed gateway"):
        content.build_document(
            apprenticeship=personas["apprenticeship"],
            kind=Report.Kind.GATEWAY_PACK,
            audience=Report.Audience.ASSESSOR,
        )
    ready = make_ready(personas["apprenticeship"], personas["tutor"])
    for party, person in (
        (GatewayDeclaration.Party.EMPLOYER, "employer"),
        (GatewayDeclaration.Party.PROVIDER, "tutor"),
    ):
        gateway_services.declare(
            apprenticeship=ready, party=party, by=personas[person], confirmed=True
        )
    before = content.build_document(
        apprenticeship=ready, kind=Report.Kind.GATEWAY_PACK, audience=Report.Audience.ASSESSOR
    )
    make_evidence(ready, status=Evidence.Status.SUBMITTED, title="Added after gateway")
    after = content.build_document(
        apprenticeship=ready, kind=Report.Kind.GATEWAY_PACK, audience=Report.Audience.ASSESSOR
    )
    assert after.fingerprint == before.fingerprint
    assert "Added after gateway" not in after.html
    assert "Portfolio frozen at gateway" in after.html and "Seal intact" not in after.html
    assert "intact." in after.html
    assert review_helpers.WELLBEING not in after.html


HOSTILE = (
    '<img src="http://127.0.0.1:{port}/img"> <link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
    ' <object data="file:///etc/passwd"></object> <style>@import "http://169.254.169.254/latest/";</style>'
    ' <svg><image href="http://127.0.0.1:{port}/svg"/></svg> <iframe src="file:///etc/shadow"></iframe>'
)


def test_hostile_evidence_text_renders_literally_and_fetches_nothing(
    apprenticeship, personas, listener
):
    hostile = HOSTILE.format(port=listener.port)
    evidence = make_evidence(apprenticeship, title=hostile[:200], account=hostile)
    evidence_services.add_files(
        evidence=evidence,
        by=personas["apprentice"],
        files=[samples.upload('a"><img src=x onerror=alert(1)>.pdf', samples.pdf())],
    )
    testimony = factories.WitnessTestimonyFactory(
        apprenticeship=apprenticeship, text=hostile, author_role=hostile[:150]
    )
    evidence.testimonies.add(testimony)
    evidence_services.submit_evidence(
        evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    document, reader = render(apprenticeship)
    assert "<img src=" not in document.html and "<object" not in document.html
    assert "<svg" not in document.html and "<iframe" not in document.html
    assert listener.connections == 0
    text = "\n".join(page_texts(reader))
    assert "<img src=" in text and "169.254.169.254" in text  # shown as the text it is
    assert list(document.files) == []  # nothing embedded but our own listed images


# A word with no break opportunity in it, as pasted from a link or typed by leaning on a key.
LONG_WORD = "Unbroken" + "x" * 1992


def _widest_lines(document) -> list[tuple[int, float, float]]:
    """(page number, right edge of its widest line, page width) for every page: the right
    edge is where the line's last glyph ends, in CSS pixels, from the page's left edge."""
    widest = []
    for number, page in enumerate(document.pages, 1):
        right = 0.0
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                for child in box.descendants():
                    if isinstance(child, boxes.TextBox):
                        right = max(right, child.position_x + child.margin_width())
        widest.append((number, right, page.width))
    return widest


def test_a_long_unbroken_word_wraps_inside_the_page(apprenticeship, personas):
    """In a written account, a title, a name, a sign-off comment and a review, a
    2,000-character word is broken across lines: no line runs past the page."""
    tutor = personas["tutor"]
    apprentice = personas["apprentice"]
    apprentice.full_name = LONG_WORD[:150]
    apprentice.save()
    evidence = make_evidence(
        apprenticeship,
        status=Evidence.Status.ACCEPTED,
        tutor=tutor,
        title=LONG_WORD[:200],
        account=LONG_WORD,
    )
    sign_offs.sign_off_duty(
        apprenticeship=apprenticeship,
        duty=evidence.duties.get(),
        by=tutor,
        evidence_versions=[evidence.accepted_version],
        comment=LONG_WORD,
    )
    review = review_helpers.record(
        personas,
        discussion=LONG_WORD,
        employer_view=LONG_WORD,
        targets=[(LONG_WORD[:500], timezone.localdate() + dt.timedelta(days=30))],
    )
    review_helpers.sign_all(personas, review)
    document = content.build_document(
        apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience=Report.Audience.FULL
    )
    assert document.html.count(LONG_WORD) >= 4
    laid_out = pdf.lay_out(document.html, document.files)
    overflowing = [
        f"page {number}: a line ends at {right:.0f}px on a page {width:.0f}px wide"
        for number, right, width in _widest_lines(laid_out)
        if right > width
    ]
    assert not overflowing, "\n".join(overflowing)
