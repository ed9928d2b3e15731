"""The PDF built in parts: page references that name the page the item is really on, the
NCCMH matrix, numbered pages, parts reused when nothing in them changed, worker processes
for a large report, and time limits sized from the work."""

import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from portfolio.evidence import frameworks
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as evidence_services
from reports import content, pdf, sections, services
from reports.models import Report
from standards.models import FrameworkUnit
from standards.services import frameworks as framework_data
from tests import samples
from tests.helpers.evidence import make_evidence

FRAMEWORK = "framework-NCCMH-PSW-MH"


@pytest.fixture(autouse=True)
def in_parts(settings):
    """Build even these small reports in parts (only large ones are, by default)."""
    settings.REPORT_ONE_DOCUMENT_MAX_ITEMS = 0
    settings.REPORT_IN_PROCESS_MAX_ITEMS = 150


@pytest.fixture
def small_parts(settings):
    settings.REPORT_ITEMS_PER_SECTION = 2


@pytest.fixture
def nccmh_on(apprenticeship, personas):
    framework = framework_data.import_framework(
        data=framework_data.load_framework_file(framework_data.NCCMH_FIXTURE)
    )
    frameworks.set_framework(
        apprenticeship=apprenticeship, framework=framework, on=True, by=personas["tutor"]
    )
    return framework


def add_items(apprenticeship, count, *, first=0, **extra):
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    start = timezone.localdate() - dt.timedelta(days=60)
    return [
        make_evidence(
            apprenticeship,
            duties=[duties[n % len(duties)]],
            status=Evidence.Status.SUBMITTED,
            title=f"Item number {n}",
            activity_date=start + dt.timedelta(days=n),
            account="A long account. " * (40 * (1 + n % 3)),
            **extra,
        )
        for n in range(first, first + count)
    ]


def build(apprenticeship, audience=Report.Audience.FULL) -> Report:
    report = services.request_report(
        apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience=audience, by=None
    )
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.failure
    return report


def pages_of(report: Report) -> list[str]:
    report.file.open("rb")
    try:
        return [page.extract_text() for page in PdfReader(io.BytesIO(report.file.read())).pages]
    finally:
        report.file.close()


def assert_references_hold(pages: list[str], expected_items: int) -> None:
    """Every page reference in the matrices and the index names the page the item's own
    heading is on, and every page is numbered out of the whole."""
    starts = {}
    for number, text in enumerate(pages, start=1):
        for ref in re.findall(r"^(E\d+): Item number", text, re.M):
            starts.setdefault(ref, number)
    assert len(starts) == expected_items
    checked = 0
    for heading in ("Duties and KSBs: where the evidence is", "Evidence index"):
        text = next(text for text in pages if heading in text)
        for ref, page in re.findall(r"(E\d+)[^\n]*?p\. (\d+)", text):
            assert starts[ref] == int(page), (heading, ref, page, starts)
            checked += 1
    assert checked >= expected_items
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "private" in text


def test_page_references_name_the_page_each_item_is_on_and_unchanged_parts_are_reused(
    apprenticeship, personas, small_parts, nccmh_on, monkeypatch
):
    items = add_items(apprenticeship, 5)
    unit = FrameworkUnit.objects.get(code="3.2")
    frameworks.map_framework_units(evidence=items[3], units=[unit], by=personas["apprentice"])
    first = build(apprenticeship)
    pages = pages_of(first)
    assert_references_hold(pages, 5)
    keys = [part["key"] for part in first.sections]
    # The matrix in parts of a few rows: here one for each group (duties, knowledge,
    # skills, behaviours).
    assert keys[:7] == ["front", "rules", *(f"coverage-{n}-1" for n in range(1, 5)), FRAMEWORK]
    assert keys[7:11] == ["index-1", "evidence-1", "evidence-2", "evidence-3"]
    assert first.pages == len(pages) and first.html == ""
    # The NCCMH matrix: the unit names the item mapped to it and the page it starts on.
    matrix = next(text for text in pages if "Peer Support Worker" in text and "3.2" in text)
    ref, page = re.search(r"3\.2[^\n]*\n?[^\n]*?(E\d+) p\. (\d+)", matrix).groups()
    assert ref == "E4" and pages[int(page) - 1].count("E4: Item number 3") == 1

    laid_out = []
    render_part = pdf.render_part

    def spy(html, files):
        laid_out.append(html)
        return render_part(html, files)

    monkeypatch.setattr(pdf, "render_part", spy)
    add_items(apprenticeship, 1, first=5)
    second = build(apprenticeship)
    assert_references_hold(pages_of(second), 6)
    before = {part["key"]: part["file"] for part in first.sections}
    after = {part["key"]: part["file"] for part in second.sections}
    reused = {key for key, file in after.items() if before.get(key) == file}
    # Only what shows the new item was laid out again: the count on the front, the part
    # of the matrix with its duty, the index and the last run of items.
    assert set(after) - reused == {"front", "coverage-1-1", "index-1", "evidence-3"}
    assert len(laid_out) == len(after) - len(reused)
    # The parts the second build no longer uses are deleted; the parts it uses are there.
    assert not default_storage.exists(before["evidence-3"])
    assert all(default_storage.exists(file) for file in after.values())


def test_the_employer_copy_of_the_nccmh_matrix_leaves_out_hidden_items(
    apprenticeship, personas, nccmh_on
):
    [shown] = add_items(apprenticeship, 1, visible_to_employer=True)
    [hidden] = add_items(apprenticeship, 1, first=1, visible_to_employer=False)
    unit = FrameworkUnit.objects.get(code="1.1")
    for item in (shown, hidden):
        frameworks.map_framework_units(evidence=item, units=[unit], by=personas["apprentice"])
    for audience, expected in ((Report.Audience.FULL, 2), (Report.Audience.EMPLOYER, 1)):
        document = content.build_document(
            apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience=audience
        )
        [matrix] = [s for s in document.sections if s.key.startswith("framework-")]
        assert matrix.html.count('class="pageref"') == expected
        assert ("Item number 1" in document.html) == (expected == 2)


def test_a_large_report_is_laid_out_in_worker_processes(apprenticeship, personas, settings):
    settings.REPORT_IN_PROCESS_MAX_ITEMS = 0
    settings.REPORT_PROCESSES = 2
    items = add_items(apprenticeship, 3)
    draft = items[0]
    Evidence.objects.filter(pk=draft.pk).update(status=Evidence.Status.DRAFT)
    evidence_services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[samples.upload("flipchart.jpg", samples.jpeg())],
    )
    evidence_services.submit_evidence(
        evidence=draft, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    report = build(apprenticeship)
    pages = pages_of(report)
    assert_references_hold(pages, 3)
    report.file.open("rb")
    reader = PdfReader(io.BytesIO(report.file.read()))
    report.file.close()
    assert len({image.data for page in reader.pages for image in page.images}) == 1


def test_a_small_report_is_laid_out_as_one_document(apprenticeship, settings):
    settings.REPORT_ONE_DOCUMENT_MAX_ITEMS = 150
    add_items(apprenticeship, 2)
    report = build(apprenticeship)
    assert report.sections == [] and report.html == ""
    assert_references_hold(pages_of(report), 2)


def test_time_limits_grow_with_the_work():
    def jobs(items):
        return [
            {"key": "index", "html": content.PAGE_REF_MARK, "items": items},
            *({"key": f"e{n}", "html": "<p>", "items": 25} for n in range(items // 25)),
        ]

    small, large = sections.budget_seconds(jobs(100)), sections.budget_seconds(jobs(2000))
    assert small < services.BUILD_SOFT_TIME_LIMIT / 4 < large / 2
    assert sections.budget_seconds(jobs(2000), processes=2) < large
    assert (
        sections.Part(key="e", html="", items=50).seconds
        > sections.Part(key="e", html="", items=5).seconds
    )
