"""Keeping and not keeping: which apprenticeships' records are past keeping, and what is
deleted from them. Reads only; dataio/services/retention.py applies it.

An apprenticeship's records are kept in full until its provider's period has passed since
the end of the funding year it ended in (apprenticeship.funding_rules.records_kept_until;
the default and its sources in apprenticeship.rules.retention_rule). It has ended when it
is completed or withdrawn. The day it ended is the later of its planned end date and the
day its last result was confirmed: the app does not record the day of a withdrawal, so the
planned end date stands in, and records are never deleted earlier than the rule allows.

After that, its personal files and texts are deleted (ERASED below) and the minimal record
remains: the apprentice and the people who held roles, the standard, the dates, the status,
the grades and the figures (hours, dates, counts). A legal hold stops all of it until the
hold is lifted. The history (audit/) is append-only and is not changed.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, Organisation
from apprenticeship.rules import Rule, retention_rule
from dataio.models import LegalHold, RetentionPolicy

# What a deleted text reads afterwards (some texts may not be empty in the database).
ERASED = "Deleted under the provider's retention policy."
ENDED = (Apprenticeship.Status.COMPLETED, Apprenticeship.Status.WITHDRAWN)
# How many due apprenticeships a page lists (the counts cover them all).
LIST_LIMIT = 50


@dataclass(frozen=True)
class Policy:
    """A provider's retention policy in force: its own, or the default."""

    provider: Organisation
    years: int
    applies_automatically: bool
    record: RetentionPolicy | None

    @property
    def is_default(self) -> bool:
        return self.record is None

    @property
    def rule(self) -> Rule:
        return retention_rule(self.years)


def policy_for(provider: Organisation) -> Policy:
    record = RetentionPolicy.objects.filter(provider=provider).first()
    if record is None:
        return Policy(provider, funding_rules.RECORD_RETENTION_YEARS, True, None)
    return Policy(provider, record.years, record.applies_automatically, record)


def policies(providers: QuerySet[Organisation]) -> list[Policy]:
    """The policy in force at each provider, in two queries."""
    records = {p.provider_id: p for p in RetentionPolicy.objects.filter(provider__in=providers)}
    result = []
    for provider in providers.order_by("pk"):
        record = records.get(provider.pk)
        if record is None:
            result.append(Policy(provider, funding_rules.RECORD_RETENTION_YEARS, True, None))
        else:
            result.append(Policy(provider, record.years, record.applies_automatically, record))
    return result


def _active_hold():
    return LegalHold.objects.filter(apprenticeship=OuterRef("pk"), lifted_at__isnull=True)


def ended(provider: Organisation) -> QuerySet[Apprenticeship]:
    """The provider's ended apprenticeships not yet reduced, with `last_result` (when the
    last result was confirmed) and `on_hold`."""
    return (
        Apprenticeship.objects.filter(
            provider=provider, status__in=ENDED, retention_erasure__isnull=True
        )
        .annotate(
            last_result=Max("assessment_rounds__confirmed_at"), on_hold=Exists(_active_hold())
        )
        .order_by("planned_end_date", "pk")
    )


def _past_keeping(queryset: QuerySet[Apprenticeship], *, years: int, today: dt.date):
    cutoff = funding_rules.latest_end_due(today, years)
    after_cutoff = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return queryset.filter(planned_end_date__lte=cutoff).filter(
        Q(last_result__isnull=True) | Q(last_result__lt=after_cutoff)
    )


def due(policy: Policy, *, today: dt.date) -> QuerySet[Apprenticeship]:
    """Apprenticeships past keeping and not on hold: what applying the policy deletes."""
    return _past_keeping(ended(policy.provider), years=policy.years, today=today).filter(
        on_hold=False
    )


def held(policy: Policy, *, today: dt.date) -> QuerySet[Apprenticeship]:
    """Apprenticeships past keeping that a legal hold keeps."""
    return _past_keeping(ended(policy.provider), years=policy.years, today=today).filter(
        on_hold=True
    )


def ended_on(row: Apprenticeship) -> dt.date:
    """The day `row` (from `ended`) counts as having ended."""
    last = getattr(row, "last_result", None)
    if last is not None and last.date() > row.planned_end_date:
        return last.date()
    return row.planned_end_date


@dataclass(frozen=True)
class Listed:
    """One apprenticeship past keeping, with the dates that make it so."""

    apprenticeship: Apprenticeship
    ended_on: dt.date
    kept_until: dt.date


def _listed(rows, years: int) -> list[Listed]:
    return [
        Listed(row, ended_on(row), funding_rules.records_kept_until(ended_on(row), years))
        for row in rows
    ]


@dataclass
class Overview:
    """What the retention page shows for one provider."""

    policy: Policy
    due_count: int
    due: list[Listed]
    held_count: int
    held: list[Listed]
    erased_count: int
    active_holds: list[LegalHold] = field(default_factory=list)


def overview(policy: Policy, *, today: dt.date) -> Overview:
    """Counts and the first LIST_LIMIT of each list: a fixed number of queries."""
    due_rows = due(policy, today=today).select_related("apprentice", "standard_version")
    held_rows = held(policy, today=today).select_related("apprentice", "standard_version")
    return Overview(
        policy=policy,
        due_count=due_rows.count(),
        due=_listed(due_rows[:LIST_LIMIT], policy.years),
        held_count=held_rows.count(),
        held=_listed(held_rows[:LIST_LIMIT], policy.years),
        erased_count=Apprenticeship.objects.filter(
            provider=policy.provider, retention_erasure__isnull=False
        ).count(),
        active_holds=list(
            LegalHold.objects.filter(
                apprenticeship__provider=policy.provider, lifted_at__isnull=True
            ).select_related("apprenticeship__apprentice", "placed_by")[:LIST_LIMIT]
        ),
    )


def active_hold(apprenticeship: Apprenticeship) -> LegalHold | None:
    """The hold on an apprenticeship's records, if one is in place (one query)."""
    return (
        LegalHold.objects.filter(apprenticeship=apprenticeship, lifted_at__isnull=True)
        .select_related("placed_by")
        .first()
    )
