"""The off-the-job minimum in force for starts from 1 August 2025: the standard's official
published figure once it is imported, until then the provider's own interim figure for its
apprentices (`InterimOtjMinimum`), or none (the required total is not known yet).

One provider's interim figure never changes another provider's totals, and it gives way to
the official figure as soon as that is loaded.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, InterimOtjMinimum, Organisation
from audit.actions import AuditAction
from audit.services import record_event
from standards.models import Provenance, StandardVersion

MAX_INTERIM_HOURS = 5000


@dataclass(frozen=True)
class MinimumInForce:
    hours: int
    official: bool  # the standard's published figure; else the provider's interim one
    provenance: str
    source: str
    note: str = ""
    entered_at: dt.datetime | None = None


def _official(version: StandardVersion) -> MinimumInForce | None:
    if version.otj_minimum_hours is None:
        return None
    fact = version.fact("otj_minimum_hours")
    return MinimumInForce(
        hours=version.otj_minimum_hours,
        official=True,
        provenance=fact.get("provenance", Provenance.VERIFIED),
        source=fact.get("source", ""),
        note=fact.get("note", ""),
    )


def _interim(row: InterimOtjMinimum) -> MinimumInForce:
    who = row.entered_by.full_name or row.entered_by.email
    return MinimumInForce(
        hours=row.hours,
        official=False,
        provenance=Provenance.PROVIDER,
        source=f"Interim figure entered by {who} for {row.provider.name}",
        note=row.source,
        entered_at=row.entered_at,
    )


def minimum_in_force(apprenticeship: Apprenticeship) -> MinimumInForce | None:
    """The minimum that applies to this apprenticeship (one query when it is the provider's
    interim figure)."""
    return minimums_in_force([apprenticeship])[apprenticeship.pk]


def minimums_in_force(
    apprenticeships: Iterable[Apprenticeship],
) -> dict[int, MinimumInForce | None]:
    """The same for a page of apprenticeships, in at most one query (their standard
    versions must be loaded)."""
    rows = list(apprenticeships)
    found: dict[int, MinimumInForce | None] = {a.pk: _official(a.standard_version) for a in rows}
    needed = [a for a in rows if found[a.pk] is None]
    if needed:
        interims = {
            (row.provider_id, row.standard_version_id): row
            for row in InterimOtjMinimum.objects.filter(
                provider_id__in={a.provider_id for a in needed},
                standard_version_id__in={a.standard_version_id for a in needed},
            ).select_related("entered_by", "provider")
        }
        for a in needed:
            row = interims.get((a.provider_id, a.standard_version_id))
            found[a.pk] = _interim(row) if row else None
    return found


def unusual(hours: int, version: StandardVersion) -> list[str]:
    """Why an interim figure looks implausible, in plain words (empty when it does not)."""
    problems = []
    floor = funding_rules.OTJ_FLOOR_HOURS_FROM_2025
    if hours < floor:
        problems.append(
            f"It is under {floor} hours, the floor the 2025-26 funding rules set for every "
            "apprenticeship starting from 1 August 2025."
        )
    months = version.typical_duration_months
    if months:
        whole = int(Decimal(months) * 52 / 12 * funding_rules.FULL_TIME_HOURS)
        if hours > whole:
            problems.append(
                f"It is more than {whole} hours, the whole of a full-time contract over the "
                f"standard's typical {months} months."
            )
    return problems


@transaction.atomic
def set_interim_otj_minimum(
    *,
    provider: Organisation,
    standard_version: StandardVersion,
    hours: int,
    source: str,
    by: User,
    unusual_confirmed: bool = False,
) -> InterimOtjMinimum:
    """Enter (or change) the provider's own interim minimum for a standard version. Refused
    once the official figure is loaded; an implausible figure needs `unusual_confirmed`.
    Raises ValidationError keyed by field; nothing changes then."""
    version = StandardVersion.objects.select_for_update().get(pk=standard_version.pk)
    if version.otj_minimum_hours is not None:
        raise ValidationError(
            f"The official minimum of {version.otj_minimum_hours} hours is loaded for "
            f"{version}, so it applies and no interim figure is needed."
        )
    source = source.strip()
    errors: dict[str, str] = {}
    if not 0 < hours <= MAX_INTERIM_HOURS:
        errors["hours"] = f"Enter a whole number of hours between 1 and {MAX_INTERIM_HOURS}."
    elif (problems := unusual(hours, version)) and not unusual_confirmed:
        errors["hours"] = (
            " ".join(problems) + " Check the figure; if it is right, tick the box to say so."
        )
    if not source:
        errors["source"] = "Say where the figure comes from, so others can check it."
    if errors:
        raise ValidationError(errors)
    row = InterimOtjMinimum.objects.filter(provider=provider, standard_version=version).first()
    before = {"hours": row.hours, "source": row.source} if row else {}
    if row is None:
        row = InterimOtjMinimum(provider=provider, standard_version=version)
    row.hours, row.source, row.entered_by = hours, source, by
    row.full_clean()
    row.save()
    record_event(
        action=AuditAction.INTERIM_OTJ_MINIMUM_SET,
        obj=row,
        actor=by,
        summary=f"Entered {hours} hours as {provider.name}'s interim off-the-job minimum "
        f"for {version}",
        before=before,
        after={"hours": hours, "source": source},
    )
    return row


@transaction.atomic
def remove_interim_otj_minimum(*, row: InterimOtjMinimum, by: User) -> None:
    """Take the interim figure away: the provider's totals go back to 'not known yet'."""
    record_event(
        action=AuditAction.INTERIM_OTJ_MINIMUM_REMOVED,
        obj=row,
        actor=by,
        summary=f"Removed {row.provider.name}'s interim off-the-job minimum for "
        f"{row.standard_version}",
        before={"hours": row.hours, "source": row.source},
    )
    row.delete()


@dataclass(frozen=True)
class InterimRow:
    provider: Organisation
    standard_version: StandardVersion
    apprentices: int  # on this version, started from 1 August 2025
    official: MinimumInForce | None
    interim: InterimOtjMinimum | None


def interim_minimum_rows(providers: list[Organisation]) -> list[InterimRow]:
    """For each provider, every standard version its apprentices are on (and any it entered
    an interim figure for), with the official figure or its interim one. Three queries."""
    # One grouped row per (provider, version), counted in the database: a provider with
    # thousands of apprentices costs the page no more than one with a few. The ordering is
    # cleared, or its columns would join the GROUP BY and split the groups.
    counts = {
        (row["provider_id"], row["standard_version_id"]): row["from_2025"]
        for row in Apprenticeship.objects.filter(provider__in=providers)
        .order_by()
        .values("provider_id", "standard_version_id")
        .annotate(from_2025=Count("pk", filter=Q(start_date__gte=funding_rules.RULES_2025)))
    }
    interims = {
        (row.provider_id, row.standard_version_id): row
        for row in InterimOtjMinimum.objects.filter(provider__in=providers).select_related(
            "entered_by"
        )
    }
    keys = set(counts) | set(interims)
    versions = StandardVersion.objects.in_bulk({version_id for _p, version_id in keys})
    by_pk = {p.pk: p for p in providers}
    return sorted(
        (
            InterimRow(
                provider=by_pk[provider_id],
                standard_version=versions[version_id],
                apprentices=counts.get((provider_id, version_id), 0),
                official=_official(versions[version_id]),
                interim=interims.get((provider_id, version_id)),
            )
            for provider_id, version_id in keys
        ),
        key=lambda r: (r.provider.name, r.standard_version.reference, r.standard_version.version),
    )
