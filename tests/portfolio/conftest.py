import pytest

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as services
from tests import factories


def make_evidence(
    apprenticeship, *, duties=None, status=Evidence.Status.DRAFT, tutor=None, **extra
):
    """Evidence mapped to the apprenticeship's first duty (or `duties`), taken through the
    services to `status`."""
    evidence = factories.EvidenceFactory(apprenticeship=apprenticeship, **extra)
    evidence.duties.set(
        duties
        if duties is not None
        else apprenticeship.standard_version.duties.order_by("number")[:1]
    )
    evidence.apprenticeship = apprenticeship
    if status == Evidence.Status.DRAFT:
        return evidence
    evidence = services.submit_evidence(
        evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )
    if status == Evidence.Status.SUBMITTED:
        return evidence
    decision = (
        services.Decision.ACCEPT if status == Evidence.Status.ACCEPTED else services.Decision.REFER
    )
    return services.review_evidence(
        evidence=evidence, by=tutor, decision=decision, feedback="Add more about what you learned."
    )


@pytest.fixture
def draft(apprenticeship):
    return make_evidence(apprenticeship)


@pytest.fixture
def submitted(apprenticeship):
    return make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)


@pytest.fixture
def accepted(apprenticeship, personas):
    return make_evidence(apprenticeship, status=Evidence.Status.ACCEPTED, tutor=personas["tutor"])


@pytest.fixture
def duty(apprenticeship):
    return apprenticeship.standard_version.duties.order_by("number").first()
