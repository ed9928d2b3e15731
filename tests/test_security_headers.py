"""Signed-in pages are never stored; every download carries the same protective headers."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from config.downloads import DOWNLOAD_HEADERS
from portfolio.evidence.services import evidence as evidence_services
from reports.models import Report
from tests import samples
from tests.helpers.evidence import make_evidence


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "page",
    ["home", "apprenticeship", "evidence_list", "history", "not_found", "forbidden"],
)
def test_every_signed_in_html_page_says_no_store(client, personas, page):
    a = personas["apprenticeship"]
    urls = {
        "home": reverse("dashboards:home"),
        "apprenticeship": a.get_absolute_url(),
        "evidence_list": reverse("portfolio:evidence-list", args=[a.pk]),
        "history": reverse("apprenticeship:apprenticeship-history", args=[a.pk]),
        "not_found": reverse("portfolio:evidence-detail", args=[987654]),
        "forbidden": reverse("apprenticeship:apprenticeship-edit", args=[a.pk]),
    }
    client.force_login(personas["tutor"])
    response = client.get(urls[page])
    assert response["Content-Type"].startswith("text/html")
    assert _no_store(response), response.get("Cache-Control")


def _evidence_file_headers(client, personas) -> dict:
    evidence = make_evidence(personas["apprenticeship"])
    (file,) = evidence_services.add_files(
        evidence=evidence, by=personas["apprentice"], files=[samples.upload("p.pdf", samples.pdf())]
    )
    client.force_login(personas["apprentice"])
    response = client.get(reverse("portfolio:file-download", args=[file.pk]))
    assert response.status_code == 200
    return {header: response[header] for header in DOWNLOAD_HEADERS}


@pytest.mark.parametrize("kind", [Report.Kind.GATEWAY_PACK, Report.Kind.PORTFOLIO])
def test_report_downloads_carry_the_evidence_download_headers(client, personas, kind):
    """The gateway pack is the frozen portfolio as a PDF: downloaded like any file."""
    expected = _evidence_file_headers(client, personas)
    report = Report.objects.create(
        apprenticeship=personas["apprenticeship"],
        kind=kind,
        audience=Report.Audience.FULL if kind == Report.Kind.PORTFOLIO else "assessor",
        fingerprint="x" * 64,
        status=Report.Status.READY,
        requested_by=personas["apprentice"],
        finished_at=timezone.now(),
    )
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"))
    response = client.get(reverse("reports:report-download", args=[report.pk]))
    assert response.status_code == 200
    for header, value in DOWNLOAD_HEADERS.items():
        assert response[header] == expected[header], header
        assert response[header].startswith(value), header


@pytest.mark.parametrize("url_name", ["portfolio:otj-log-csv", "portfolio:otj-summary-csv"])
def test_csv_exports_carry_the_download_headers(client, personas, url_name):
    client.force_login(personas["tutor"])
    response = client.get(reverse(url_name, args=[personas["apprenticeship"].pk]))
    assert response.status_code == 200
    for header, value in DOWNLOAD_HEADERS.items():
        assert response[header].startswith(value), header


def test_the_caseload_export_carries_the_download_headers(client, personas):
    client.force_login(personas["tutor"])
    response = client.get(reverse("dataio:caseload-export"))
    assert response.status_code == 200
    for header, value in DOWNLOAD_HEADERS.items():
        assert response[header].startswith(value), header
