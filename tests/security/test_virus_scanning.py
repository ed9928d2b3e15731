"""Virus scanning against a real clamd (see conftest.py): files it recognises are refused
with a plain message and recorded in the security log; while it can't give a verdict
nothing is uploaded; the health check and the admin's overview say whether it is on."""

import html
import logging

import pytest
from django.urls import reverse

from config import virus_scan as scanner
from portfolio.evidence.models import EvidenceFile
from tests import samples
from tests.security.conftest import STREAM_MAX_MB
from tests.security.hostile import eicar


def upload(client, draft, personas, name, data):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-files-add", args=[draft.pk]),
        {"files": [samples.upload(name, data)]},
    )
    return response, html.unescape(response.content.decode())


def test_a_file_the_scanner_recognises_is_refused_and_logged(
    client, draft, personas, scanning, caplog
):
    caplog.set_level(logging.INFO, logger="security.uploads")
    response, page = upload(client, draft, personas, "notes.txt", eicar())
    assert response.status_code == 400
    assert (
        "Nothing was uploaded. notes.txt failed our virus check, so it wasn't uploaded. Your "
        "device may have a virus: run a virus check on it, then upload a clean copy." in page
    )
    assert not EvidenceFile.objects.exists()
    (record,) = [r for r in caplog.records if r.name == "security.uploads"]
    assert record.found == "Peerfolio.Test.EICAR.UNOFFICIAL"
    assert "found='Peerfolio.Test.EICAR.UNOFFICIAL'" in record.getMessage()


def test_a_clean_file_passes_the_scan_and_is_stored(client, draft, personas, scanning):
    response, _ = upload(client, draft, personas, "notes.pdf", samples.pdf())
    assert response.status_code == 302
    assert EvidenceFile.objects.filter(evidence=draft).count() == 1


def test_scanning_works_over_tcp_too(client, draft, personas, clamd, settings):
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST, settings.CLAMAV_PORT = "127.0.0.1", clamd.port
    response, page = upload(client, draft, personas, "notes.txt", eicar())
    assert response.status_code == 400
    assert "failed our virus check" in page
    assert upload(client, draft, personas, "notes.pdf", samples.pdf())[0].status_code == 302


def test_a_file_over_the_scanners_own_limit_is_refused_plainly(
    client, draft, personas, scanning, caplog
):
    big = b"A line of my reflective notes.\n" * (STREAM_MAX_MB * 40_000)
    response, page = upload(client, draft, personas, "notes.txt", big)
    assert response.status_code == 400
    assert "We couldn't check notes.txt for viruses because it is too large" in page
    assert not EvidenceFile.objects.exists()
    assert "StreamMaxLength" in caplog.text  # tells the operator what to change


def test_nothing_is_uploaded_while_the_scanner_is_down(client, draft, personas, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd-here.sock")
    response, page = upload(client, draft, personas, "notes.pdf", samples.pdf())
    assert response.status_code == 400
    assert "We can't check files for viruses just now, so nothing was uploaded." in page
    assert not EvidenceFile.objects.exists()


@pytest.mark.django_db
def test_health_check_says_scanning_is_on(client, scanning):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["virus_scan"] == "ok"


@pytest.mark.django_db
def test_health_check_fails_when_the_configured_scanner_is_down(client, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd-here.sock")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["virus_scan"] == "error"


@pytest.mark.django_db
def test_health_check_says_when_scanning_is_off(client, settings):
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["virus_scan"].startswith("off")


def _overview(client, personas) -> str:
    client.force_login(personas["admin"])
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_admins_overview_says_scanning_is_on(client, personas, scanning):
    assert "Uploaded files are scanned for viruses" in _overview(client, personas)


def test_the_admins_overview_says_scanning_is_off(client, personas, settings):
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""
    assert "not scanned for viruses" in _overview(client, personas)


def test_the_admins_overview_warns_when_the_scanner_is_down(client, personas, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd-here.sock")
    assert "the scanner is not answering, so uploads are being refused" in _overview(
        client, personas
    )


def test_the_client_reads_clamds_answers():
    assert scanner._verdict("stream: OK") == scanner.Verdict(clean=True)
    assert scanner._verdict("stream: Win.Test.EICAR_HDB-1 FOUND") == scanner.Verdict(
        clean=False, signature="Win.Test.EICAR_HDB-1"
    )
    with pytest.raises(scanner.TooLargeToScan):
        scanner._verdict("INSTREAM size limit exceeded. ERROR")
    with pytest.raises(scanner.ScannerUnavailable):
        scanner._verdict("")
