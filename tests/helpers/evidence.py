"""Evidence taken through the services to a given state."""

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import decisions
from portfolio.evidence.services import evidence as services
from tests import factories


def make_evidence(
    apprenticeship, *, duties=None, ksbs=(), status=Evidence.Status.DRAFT, tutor=None, **extra
):
    """Evidence mapped to the apprenticeship's first duty (or `duties`) and to `ksbs`, taken
    through the services to `status`."""
    evidence = factories.EvidenceFactory(apprenticeship=apprenticeship, **extra)
    evidence.duties.set(
        duties
        if duties is not None
        else apprenticeship.standard_version.duties.order_by("number")[:1]
    )
    evidence.ksbs.set(ksbs)
    evidence.apprenticeship = apprenticeship
    if status == Evidence.Status.DRAFT:
        return evidence
    evidence = services.submit_evidence(
        evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )
    if status == Evidence.Status.SUBMITTED:
        return evidence
    decision = (
        decisions.Decision.ACCEPT
        if status == Evidence.Status.ACCEPTED
        else decisions.Decision.REFER
    )
    return decisions.review_evidence(
        evidence=evidence, by=tutor, decision=decision, feedback="Add more about what you learned."
    )
