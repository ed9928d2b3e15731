"""The provider's mapping: which units of a competence framework (the NCCMH framework) a
training provider suggests for each duty of a standard.

No official crosswalk between ST0896 and the NCCMH framework exists. Each provider keeps
its own, edited by its admins; a provider with none yet can start from the suggestion in
fixtures/frameworks/, which was written for this application and is labelled so. The
suggestions are shown to apprentices when they map evidence to a duty, and only shown:
nothing is ever mapped for them.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from apprenticeship.models import Apprenticeship, CrosswalkSuggestion, Organisation
from audit.actions import AuditAction
from audit.services import record_event
from standards.models import CompetenceFramework, Duty, FrameworkUnit, StandardVersion

STARTING_SUGGESTION = (
    settings.BASE_DIR
    / "fixtures"
    / "frameworks"
    / "crosswalk-st0896-nccmh-starting-suggestion.json"
)


class CrosswalkError(Exception):
    """A change to the provider's mapping that is refused; the message is for the admin."""


# -- reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRow:
    duty: Duty
    units: list[FrameworkUnit]


def standard_versions_in_use(provider: Organisation) -> QuerySet[StandardVersion]:
    """The standard versions the provider's apprentices are on (one query)."""
    return StandardVersion.objects.filter(
        pk__in=Apprenticeship.objects.filter(provider=provider).values("standard_version_id")
    ).order_by("reference", "version")


def crosswalk_rows(
    *, provider: Organisation, framework: CompetenceFramework, standard_version: StandardVersion
) -> list[DutyRow]:
    """Each current duty of the standard version with the units the provider suggests for
    it, in two queries however many duties or units."""
    duties = list(Duty.objects.current().filter(standard_version=standard_version))
    units: dict[int, list[FrameworkUnit]] = {d.pk: [] for d in duties}
    rows = (
        CrosswalkSuggestion.objects.filter(
            provider=provider,
            duty__in=duties,
            unit__section__framework=framework,
        )
        .select_related("unit__section")
        .order_by("unit__section__number", "unit__position")
    )
    for row in rows:
        units[row.duty_id].append(row.unit)
    return [DutyRow(duty=d, units=units[d.pk]) for d in duties]


def suggestions_for(apprenticeship: Apprenticeship) -> dict[int, list[FrameworkUnit]]:
    """{duty id: units} the apprenticeship's provider suggests, for the frameworks turned on
    for it (empty when none is on). One query."""
    rows = (
        CrosswalkSuggestion.objects.filter(
            provider_id=apprenticeship.provider_id,
            duty__standard_version_id=apprenticeship.standard_version_id,
            unit__section__framework__apprenticeships=apprenticeship,
        )
        .select_related("unit__section__framework")
        .order_by("unit__section__number", "unit__position")
    )
    found: dict[int, list[FrameworkUnit]] = {}
    for row in rows:
        found.setdefault(row.duty_id, []).append(row.unit)
    return found


def load_starting_suggestion(path: Path = STARTING_SUGGESTION) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def starting_suggestion(
    *, framework: CompetenceFramework, standard_version: StandardVersion
) -> dict[int, list[FrameworkUnit]] | None:
    """{duty id: units} of the starting suggestion, if there is one for this framework and
    standard version; None otherwise. Units or duties the database does not hold are
    left out."""
    data = load_starting_suggestion()
    if data["standard"] != {
        "reference": standard_version.reference,
        "version": standard_version.version,
    } or data["framework"] != {"code": framework.code, "version": framework.version}:
        return None
    duties = {
        d.number: d.pk for d in Duty.objects.current().filter(standard_version=standard_version)
    }
    units = {
        u.code: u
        for u in FrameworkUnit.objects.filter(section__framework=framework).select_related(
            "section"
        )
    }
    return {
        duties[int(number)]: [units[code] for code in codes if code in units]
        for number, codes in data["duties"].items()
        if int(number) in duties
    }


# -- writes ----------------------------------------------------------------------------


def _require_provider(provider: Organisation) -> None:
    if provider.kind != Organisation.Kind.PROVIDER:
        raise CrosswalkError("Only a training provider keeps a mapping.")


@transaction.atomic
def set_duty_units(
    *,
    provider: Organisation,
    framework: CompetenceFramework,
    duty: Duty,
    units: list[FrameworkUnit],
    by: User,
) -> None:
    """Make `units` the provider's suggestions for the duty within the framework. Units of
    another framework are refused. Evidence already mapped is never changed."""
    _require_provider(provider)
    if any(u.section.framework_id != framework.pk for u in units):
        raise CrosswalkError(f"Choose units of {framework.title} only.")
    Organisation.objects.select_for_update().filter(pk=provider.pk).first()
    current = CrosswalkSuggestion.objects.filter(
        provider=provider, duty=duty, unit__section__framework=framework
    )
    before = sorted(current.values_list("unit__code", flat=True))
    wanted = {u.pk for u in units}
    current.exclude(unit_id__in=wanted).delete()
    have = set(current.values_list("unit_id", flat=True))
    CrosswalkSuggestion.objects.bulk_create(
        [
            CrosswalkSuggestion(provider=provider, duty=duty, unit_id=pk, added_by=by)
            for pk in sorted(wanted - have)
        ]
    )
    after = sorted(u.code for u in units)
    if before != after:
        record_event(
            action=AuditAction.CROSSWALK_CHANGED,
            obj=provider,
            actor=by,
            summary=f"Changed the provider's mapping of {duty.code} to {framework.title}",
            before={"duty": duty.code, "units": before},
            after={"duty": duty.code, "units": after},
        )


@transaction.atomic
def start_from_suggestion(
    *,
    provider: Organisation,
    framework: CompetenceFramework,
    standard_version: StandardVersion,
    by: User,
) -> int:
    """Copy the starting suggestion into the provider's own mapping, once: only while the
    provider has no suggestion for this framework and standard version. Returns how many
    suggestions were added."""
    _require_provider(provider)
    Organisation.objects.select_for_update().filter(pk=provider.pk).first()
    if CrosswalkSuggestion.objects.filter(
        provider=provider,
        duty__standard_version=standard_version,
        unit__section__framework=framework,
    ).exists():
        raise CrosswalkError("You already have a mapping. Change it duty by duty below.")
    suggestion = starting_suggestion(framework=framework, standard_version=standard_version)
    if not suggestion:
        raise CrosswalkError("There is no starting suggestion for this framework and standard.")
    rows = [
        CrosswalkSuggestion(provider=provider, duty_id=duty_id, unit=unit, added_by=by)
        for duty_id, units in suggestion.items()
        for unit in units
    ]
    CrosswalkSuggestion.objects.bulk_create(rows)
    record_event(
        action=AuditAction.CROSSWALK_STARTED,
        obj=provider,
        actor=by,
        summary=f"Started the provider's mapping to {framework.title} from the starting suggestion",
        after={"suggestions": len(rows)},
    )
    return len(rows)
