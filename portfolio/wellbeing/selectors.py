"""Reads of the wellbeing plan: what one viewer may read of it, section by section."""

from dataclasses import dataclass

from apprenticeship.models import Apprenticeship, Role
from portfolio.wellbeing.models import (
    WellbeingAudience,
    WellbeingPlan,
    WellbeingPlanVersion,
    WellbeingSection,
    WellbeingShare,
)


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    text: str
    shared_with: frozenset[str]  # audiences it is shared with now (for the apprentice)


@dataclass(frozen=True)
class PlanView:
    version: WellbeingPlanVersion | None
    sections: list[SectionView]


def _audience_of(roles: frozenset[Role]) -> str | None:
    if Role.TUTOR in roles:
        return WellbeingAudience.TUTOR
    if Role.EMPLOYER in roles:
        return WellbeingAudience.EMPLOYER
    return None


def plan_for_viewer(apprenticeship: Apprenticeship) -> PlanView:
    """The sections the viewer of an apprenticeship loaded with `get_apprenticeship_for`
    may read: all of them for the apprentice; for the tutor or employer contact only those
    shared with them now; nothing for anyone else. Three queries at most."""
    roles = apprenticeship.viewer_roles
    plan = WellbeingPlan.objects.filter(apprenticeship=apprenticeship).first()
    if plan is None:
        return PlanView(version=None, sections=[])
    version = plan.versions.order_by("-number").first()
    shared: dict[str, set[str]] = {}
    for section, audience in WellbeingShare.objects.filter(
        plan=plan, withdrawn_at__isnull=True
    ).values_list("section", "audience"):
        shared.setdefault(section, set()).add(audience)
    if Role.APPRENTICE in roles:
        allowed = set(WellbeingSection.values)
    else:
        viewer = _audience_of(roles)
        allowed = {s for s, who in shared.items() if viewer is not None and viewer in who}
    if version is None:
        return PlanView(version=None, sections=[])
    sections = [
        SectionView(
            key=s.value,
            label=s.label,
            text=version.text_of(s.value),
            shared_with=frozenset(shared.get(s.value, ())),
        )
        for s in WellbeingSection
        if s.value in allowed
    ]
    return PlanView(version=version if Role.APPRENTICE in roles else None, sections=sections)
