import pytest
from django.db import connection
from django.urls import reverse

from apprenticeship.models import Apprenticeship
from config.downloads import DOWNLOAD_HEADERS
from epa.models import GatewayDeclaration, GatewaySnapshot
from epa.services import gateway as services
from portfolio.evidence.models import Evidence, EvidenceFile
from portfolio.evidence.services import evidence as evidence_services
from portfolio.evidence.services import sign_offs
from standards.models import KSB, Provenance
from tests import samples
from tests.helpers import reviews as review_helpers
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.wellbeing import assert_no_plan, write_plan
from tests.query_counts import assert_flat_queries

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER


def html(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_checklist_says_what_is_missing_and_where_to_fix_it(client, apprenticeship, personas):
    page = html(client, personas["tutor"], "epa:gateway", apprenticeship.pk)
    assert "0 of 3 duties signed off by the tutor." in page
    assert reverse("portfolio:coverage", args=[apprenticeship.pk]) in page
    assert "Secondary source" not in page or "Minimum time on programme" in page
    assert "Confirm for the employer" not in page  # the tutor can't confirm for the employer
    page = html(client, personas["employer"], "epa:gateway", apprenticeship.pk)
    assert "Confirm for the employer" in page


def test_confirming_through_the_pages_passes_gateway(client, ready, personas):
    write_plan(personas)  # every section shared with the tutor and the employer
    client.force_login(personas["employer"])
    url = reverse("epa:gateway-declare", args=[ready.pk, EMPLOYER])
    response = client.post(url, {})
    assert "Tick the box" in response.content.decode()
    client.post(url, {"confirmed": "on"})
    client.force_login(personas["tutor"])
    response = client.post(
        reverse("epa:gateway-declare", args=[ready.pk, PROVIDER]), {"confirmed": "on"}, follow=True
    )
    assert "gateway has passed" in response.content.decode()
    ready.refresh_from_db()
    assert ready.status == Apprenticeship.Status.GATEWAY
    page = html(client, personas["assessor"], "epa:snapshot", ready.pk)
    assert "Evidence for D1" in page and "Seal intact" in page
    assert "Settling in; co-running the Tuesday peer group." in page
    assert "Off-the-job training" in page
    assert review_helpers.WELLBEING not in page
    assert_no_plan(page)
    code = client.get(reverse("portfolio:wellbeing-plan", args=[ready.pk])).status_code
    assert code == 403


def test_the_assessor_sees_the_frozen_portfolio_not_the_live_one(client, ready, personas):
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    page = html(client, personas["assessor"], "dashboards:apprenticeship-detail", ready.pk)
    assert "Frozen portfolio" in page
    assert reverse("portfolio:evidence-list", args=[ready.pk]) not in page
    assert client.get(reverse("portfolio:evidence-list", args=[ready.pk])).status_code == 403


def test_a_frozen_file_whose_bytes_changed_is_not_served(client, ready, personas):
    evidence = make_evidence(ready)
    (file,) = evidence_services.add_files(
        evidence=evidence, by=personas["apprentice"], files=[samples.upload("p.png", samples.png())]
    )
    evidence_services.submit_evidence(
        evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    client.force_login(personas["assessor"])
    url = reverse("epa:snapshot-file", args=[ready.pk, file.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    EvidenceFile.objects.filter(pk=file.pk).update(sha256="0" * 64)
    assert client.get(url).status_code == 403


def test_gateway_and_frozen_pages_keep_a_flat_query_count(client, ready, personas):
    client.force_login(personas["tutor"])

    def grow():
        for _ in range(3):
            evidence = make_evidence(ready)
            evidence_services.add_files(
                evidence=evidence,
                by=personas["apprentice"],
                files=[samples.upload("p.png", samples.png())],
            )
            evidence_services.submit_evidence(
                evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
            )

    assert_flat_queries(client, reverse("epa:gateway", args=[ready.pk]), grow, 16)
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    url = reverse("epa:snapshot", args=[ready.pk])
    client.get(url)  # On PostgreSQL the seal's answer is kept from then on.
    assert_flat_queries(client, url, grow, 7 if connection.vendor == "postgresql" else 8)


@pytest.mark.parametrize("persona", ["apprentice", "employer"])
def test_only_the_provider_records_english_and_maths(client, apprenticeship, personas, persona):
    client.force_login(personas[persona])
    url = reverse("epa:gateway-english-maths", args=[apprenticeship.pk])
    assert client.post(url, {"english": "level_2", "maths": "level_2"}).status_code == 403


def test_after_gateway_the_page_shows_the_checklist_as_it_stood(client, ready, personas):
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    sign_offs.withdraw_sign_off(
        sign_off=ready.sign_offs.active().first(), by=personas["tutor"], reason="Re-checking."
    )
    page = html(client, personas["tutor"], "epa:gateway", ready.pk)
    assert "The checklist when gateway passed" in page
    assert "3 of 3 duties signed off by the tutor." in page
    assert "Pass gateway now" not in page


def test_frozen_files_carry_the_same_download_headers_as_evidence_files(client, ready, personas):
    evidence = make_evidence(ready)
    (file,) = evidence_services.add_files(
        evidence=evidence, by=personas["apprentice"], files=[samples.upload("p.png", samples.png())]
    )
    evidence_services.submit_evidence(
        evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    client.force_login(personas["tutor"])
    live = client.get(reverse("portfolio:file-download", args=[file.pk]))
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    client.force_login(personas["assessor"])
    frozen = client.get(reverse("epa:snapshot-file", args=[ready.pk, file.pk]))
    assert live.status_code == frozen.status_code == 200
    for header, value in DOWNLOAD_HEADERS.items():
        assert frozen[header] == live[header], header
        assert live[header].startswith(value), header  # never_cache adds to Cache-Control


def test_the_frozen_portfolio_marks_inferred_codes(client, personas):
    a = personas["apprenticeship"]
    KSB.objects.filter(standard_version=a.standard_version).update(
        code_provenance=Provenance.INFERRED
    )
    ksb = a.standard_version.ksbs.order_by("pk").first()
    make_evidence(a, ksbs=[ksb], status=Evidence.Status.ACCEPTED, tutor=personas["tutor"])
    ready = make_ready(a, personas["tutor"])
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    mark = '<sup class="prov-mark" title="Inferred, not official">'
    page = html(client, personas["assessor"], "epa:snapshot", ready.pk)
    assert mark in page and "Without a mark it is verified" in page
    frozen = GatewaySnapshot.objects.get(apprenticeship=ready)
    item = next(i for i in frozen.content["evidence"] if i["ksbs"])
    page = html(client, personas["assessor"], "epa:snapshot-evidence", ready.pk, item["id"])
    assert mark in page and "Without a mark it is verified" in page


def test_the_frozen_portfolio_shows_its_evidence_a_page_at_a_time(client, ready, personas):
    from epa.models import GatewaySnapshot
    from portfolio.evidence.models import Evidence

    for _ in range(27):
        make_evidence(ready, status=Evidence.Status.SUBMITTED)
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    frozen = GatewaySnapshot.objects.get(apprenticeship=ready).content["evidence"]
    assert len(frozen) > 25
    client.force_login(personas["tutor"])
    url = reverse("epa:snapshot", args=[ready.pk])

    def links(page: str) -> list[int]:
        return [
            item["id"]
            for item in frozen
            if reverse("epa:snapshot-evidence", args=[ready.pk, item["id"]]) + '"' in page
        ]

    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert len(links(first)) == 25 and f"{len(frozen)} items" in first
    assert set(links(second)) == {item["id"] for item in frozen[25:]}
    assert "Seal intact" in first and "Seal intact" in second
