"""The assessment organisation's admin and moderators read the frozen portfolio (each read
in the history), and the certificate request recorded after release."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from epa.services import gateway as gateway_services
from quality.errors import QualityError
from quality.models import CertificateRequest
from quality.services import certificates
from tests.helpers.epa import make_ready
from tests.quality.conftest import grade_and_confirm


@pytest.fixture
def passed(personas):
    a = make_ready(personas["apprenticeship"], personas["tutor"])
    gateway_services.declare(
        apprenticeship=a, party="employer", by=personas["employer"], confirmed=True
    )
    gateway_services.declare(
        apprenticeship=a, party="provider", by=personas["tutor"], confirmed=True
    )
    a.refresh_from_db()
    assert a.is_post_gateway
    return a


def test_the_epao_admin_and_moderator_read_the_frozen_portfolio_and_it_is_recorded(
    client, passed, epao_admin, moderator, personas
):
    url = reverse("epa:snapshot", args=[passed.pk])
    for reader in (epao_admin, moderator):
        client.force_login(reader)
        assert client.get(url).status_code == 200
    reads = AuditEvent.objects.filter(action="epa.snapshot_read", apprenticeship_id=passed.pk)
    assert sorted(reads.values_list("actor__email", flat=True)) == [
        "epao.admin@example.org",
        "moderator@example.org",
    ]
    # The provider sees who read it, in the apprenticeship's history.
    client.force_login(personas["admin"])
    history = client.get(reverse("apprenticeship:apprenticeship-history", args=[passed.pk]))
    assert b"Read the frozen portfolio" in history.content
    # The tutor's and the assessor's reads are their work, not recorded.
    for name in ("tutor", "assessor"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 200
    assert reads.count() == 2


def test_the_frozen_portfolio_is_read_only_for_them(client, passed, moderator):
    client.force_login(moderator)
    assert client.get(reverse("portfolio:evidence-list", args=[passed.pk])).status_code == 403


def test_the_certificate_request_is_recorded_after_release(
    client, at_epa, methods, assessor, epao_admin
):
    round_ = grade_and_confirm(at_epa, methods, assessor)
    client.force_login(epao_admin)
    url = reverse("quality:certificate-request", args=[round_.pk])
    assert client.get(url).status_code == 200
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = client.post(url, {"requested_on": tomorrow.isoformat()})
    assert refused.status_code == 400
    assert b"can&#x27;t be in the future" in refused.content
    assert not CertificateRequest.objects.exists()
    done = client.post(url, {"requested_on": timezone.localdate().isoformat()})
    assert done.status_code == 302
    request = CertificateRequest.objects.get()
    assert request.recorded_by == epao_admin and request.round == round_
    assert AuditEvent.objects.filter(action="epa.certificate_requested").count() == 1
    with pytest.raises(QualityError, match="already recorded"):
        certificates.record_certificate_request(
            round_=round_, by=epao_admin, requested_on=timezone.localdate()
        )


def test_no_certificate_request_before_release_or_after_a_fail(
    at_epa, methods, assessor, epao_admin, policy
):
    round_ = grade_and_confirm(at_epa, methods, assessor)  # held for moderation
    with pytest.raises(QualityError, match="not been released"):
        certificates.record_certificate_request(
            round_=round_, by=epao_admin, requested_on=timezone.localdate()
        )
    assert not CertificateRequest.objects.exists()


def test_no_certificate_request_for_a_fail(at_epa, methods, assessor, epao_admin):
    round_ = grade_and_confirm(at_epa, methods, assessor, am2="fail")
    with pytest.raises(QualityError, match="did not pass"):
        certificates.record_certificate_request(
            round_=round_, by=epao_admin, requested_on=timezone.localdate()
        )
