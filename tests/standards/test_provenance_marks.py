"""Codes and rules whose source is not verified carry a short mark with a legend wherever
they appear: the mapping form, the coverage matrix, the evidence, and the PDF."""

import pytest
from django.urls import reverse

from reports import content
from standards.models import KSB, Provenance
from standards.templatetags.provenance import code_mark
from tests.helpers.evidence import make_evidence

MARK = '<sup class="prov-mark" title="Inferred, not official">'


def test_a_verified_code_has_no_mark_and_an_inferred_one_does():
    assert code_mark(Provenance.VERIFIED) == ""
    assert code_mark("") == ""
    assert MARK in code_mark(Provenance.INFERRED)
    assert "(inferred, not official)" in code_mark(Provenance.INFERRED)


@pytest.fixture
def inferred_codes(personas):
    KSB.objects.filter(standard_version=personas["apprenticeship"].standard_version).update(
        code_provenance=Provenance.INFERRED
    )
    return personas


def test_the_mapping_form_coverage_and_evidence_mark_inferred_codes(client, inferred_codes):
    personas = inferred_codes
    a = personas["apprenticeship"]
    ksb = a.standard_version.ksbs.first()
    evidence = make_evidence(a)
    evidence.ksbs.add(ksb)
    client.force_login(personas["apprentice"])
    for url in (
        reverse("portfolio:evidence-edit", args=[evidence.pk]),
        reverse("portfolio:coverage", args=[a.pk]),
        reverse("portfolio:evidence-detail", args=[evidence.pk]),
    ):
        page = client.get(url).content.decode()
        assert MARK in page, url
        assert "Without a mark it is verified" in page, url


def test_the_pdf_marks_inferred_codes_and_explains_the_marks(inferred_codes):
    a = inferred_codes["apprenticeship"]
    html = content.build_document(apprenticeship=a, kind="portfolio", audience="full").html
    assert MARK in html and "Without a mark it is verified" in html
