import io

import pytest
from django.core.management import call_command

from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceFile,
    ProtectedName,
    WitnessTestimony,
)


@pytest.mark.django_db
def test_seed_demo_adds_evidence_in_every_state_with_real_files_once():
    call_command("seed_demo", stdout=io.StringIO())
    states = set(Evidence.objects.values_list("status", flat=True))
    assert states == set(Evidence.Status.values)
    files = list(EvidenceFile.objects.all())
    assert {f.category for f in files} == {"image", "document"}
    for file in files:
        with file.file.open("rb") as handle:
            assert len(handle.read()) == file.size
    assert (
        DutySignOff.objects.active()
        .filter(apprenticeship__apprentice__email="apprentice@example.org")
        .count()
        == 2
    )
    assert WitnessTestimony.objects.filter(evidence__isnull=False).exists()
    assert ProtectedName.objects.exists()
    assert Evidence.objects.filter(visible_to_employer=False).exclude(status="draft").exists()
    counts = (Evidence.objects.count(), EvidenceFile.objects.count(), DutySignOff.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Evidence.objects.count(),
        EvidenceFile.objects.count(),
        DutySignOff.objects.count(),
    ) == counts
