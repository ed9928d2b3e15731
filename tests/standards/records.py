"""Records made against a standard's statements, for the re-import and version-move tests."""

from django.apps import apps

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import decisions, sign_offs
from portfolio.evidence.services import evidence as evidence_services
from standards.models import KSB, Duty
from tests import factories

# Everything a re-import or a move could touch, tables behind many-to-many fields included.
WATCHED_APPS = {"standards", "apprenticeship", "portfolio", "epa", "audit"}


def database_rows() -> dict[str, list[dict]]:
    """Every row of the watched apps, to prove that a refusal changed nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in WATCHED_APPS
    }


def ksb(version, code: str) -> KSB:
    return KSB.objects.current().get(standard_version=version, code=code)


def duty(version, number: int) -> Duty:
    return Duty.objects.current().get(standard_version=version, number=number)


def evidence(apprenticeship, *, duties=(), ksbs=(), tutor=None, **extra) -> Evidence:
    """Evidence mapped as given: a draft, or accepted by `tutor` (which freezes a version
    with the same mapping)."""
    item = factories.EvidenceFactory(apprenticeship=apprenticeship, **extra)
    item.duties.set(duties)
    item.ksbs.set(ksbs)
    if tutor is None:
        return item
    item = evidence_services.submit_evidence(
        evidence=item, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )
    return decisions.review_evidence(
        evidence=item, by=tutor, decision=decisions.Decision.ACCEPT, feedback=""
    )


def sign_off(apprenticeship, duty: Duty, item: Evidence, tutor):
    item.refresh_from_db()
    return sign_offs.sign_off_duty(
        apprenticeship=apprenticeship,
        duty=duty,
        by=tutor,
        evidence_versions=[item.accepted_version],
        comment="Shows the duty well.",
    )


def ksb_note(apprenticeship, ksb: KSB):
    method = apprenticeship.standard_version.assessment_plan.methods.order_by("order").first()
    assessment = factories.MethodAssessmentFactory(
        round__apprenticeship=apprenticeship, method=method
    )
    return factories.KsbNoteFactory(method_assessment=assessment, ksb=ksb)
