"""A statement a re-import of the standard retired stays on the evidence that names it, is
offered for nothing new, and is not needed for coverage."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.evidence import EvidenceError
from standards.models import KSB
from tests import factories


@pytest.fixture
def retired_ksb(apprenticeship):
    """A skill of the personas' standard, retired as a re-import would leave it, with a
    current statement that took its code."""
    version = apprenticeship.standard_version
    old = KSB.objects.filter(standard_version=version).order_by("number").first()
    old.retired_at = timezone.now()
    old.save(update_fields=["retired_at"])
    factories.KSBFactory(standard_version=version, number=old.number, text="The new wording")
    return old


def test_the_mapping_form_offers_a_retired_statement_only_to_evidence_that_names_it(
    client, personas, apprenticeship, draft, retired_ksb
):
    other = factories.EvidenceFactory(apprenticeship=apprenticeship)
    draft.ksbs.add(retired_ksb)
    client.force_login(personas["apprentice"])
    named = client.get(reverse("portfolio:evidence-edit", args=[draft.pk])).content.decode()
    fresh = client.get(reverse("portfolio:evidence-edit", args=[other.pk])).content.decode()
    label = f"{retired_ksb.code} (retired statement): {retired_ksb.text}"
    assert label in named
    assert label not in fresh
    assert "The new wording" in fresh


def test_saving_keeps_a_retired_statement_already_named(personas, draft, retired_ksb):
    draft.ksbs.add(retired_ksb)
    saved = services.save_draft(
        evidence=draft,
        by=personas["apprentice"],
        title="Changed title",
        kind=draft.kind,
        activity_date=draft.activity_date,
        account=draft.account,
        duties=list(draft.duties.all()),
        ksbs=[retired_ksb],
    )
    assert list(saved.ksbs.all()) == [retired_ksb]


def test_a_retired_statement_cannot_be_newly_mapped(personas, apprenticeship, draft, retired_ksb):
    with pytest.raises(EvidenceError, match="retired when the standard was imported again"):
        services.save_draft(
            evidence=draft,
            by=personas["apprentice"],
            title="",
            kind=draft.kind,
            activity_date=None,
            account="",
            duties=[],
            ksbs=[retired_ksb],
        )
    with pytest.raises(EvidenceError, match="Choose a current statement"):
        services.create_evidence(
            apprenticeship=apprenticeship,
            by=personas["apprentice"],
            kind=draft.kind,
            ksbs=[retired_ksb],
        )
    assert not draft.ksbs.exists()


def test_the_evidence_list_marks_a_retired_statement(client, personas, draft, retired_ksb):
    draft.ksbs.add(retired_ksb)
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:evidence-list", args=[draft.apprenticeship_id])
    assert f"{retired_ksb.code} (retired statement)" in client.get(url).content.decode()
