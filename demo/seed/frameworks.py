"""The NCCMH Peer Support Worker Competence Framework's structure, from its fixture."""

from apprenticeship import crosswalk
from apprenticeship.models import CrosswalkSuggestion
from portfolio.evidence import frameworks as mapping
from standards.models import FrameworkUnit
from standards.services import frameworks


def seed(context) -> None:
    data = frameworks.load_framework_file(frameworks.NCCMH_FIXTURE)
    context.frameworks = {"nccmh": frameworks.import_framework(data=data)}


def seed_mapping(context) -> None:
    """Jamie's employer uses the NCCMH framework: the tutor turned it on, and Jamie mapped
    the evidence started from group supervision to unit 3.2 (supervision) and 2.4
    (sharing lived experience). Nothing else is mapped: mapping is Jamie's choice."""
    jamie = context.apprenticeships["apprentice"]
    framework = context.frameworks["nccmh"]
    # Northfield's admin started the provider's mapping from the suggestion (labelled not
    # official), so Jamie sees suggested units beside each duty when mapping evidence.
    if not CrosswalkSuggestion.objects.filter(provider_id=jamie.provider_id).exists():
        crosswalk.start_from_suggestion(
            provider=jamie.provider,
            framework=framework,
            standard_version=jamie.standard_version,
            by=context.people["admin"],
        )
    if jamie.competence_frameworks.filter(pk=framework.pk).exists():
        return
    mapping.set_framework(
        apprenticeship=jamie, framework=framework, on=True, by=context.people["tutor"]
    )
    record = jamie.supervision_records.filter(evidence__isnull=False).select_related("evidence")
    first = record.first()
    if first is not None:
        evidence = first.evidence
        evidence.apprenticeship = jamie
        units = FrameworkUnit.objects.filter(section__framework=framework, code__in=["2.4", "3.2"])
        mapping.map_framework_units(
            evidence=evidence, units=list(units), by=context.people["apprentice"]
        )
