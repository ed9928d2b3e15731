"""Keeping and not keeping: the retention policy, legal holds, and applying the policy."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, Organisation
from audit.actions import AuditAction
from audit.services import record_event
from dataio import erasure, retention
from dataio.models import (
    LegalHold,
    RetentionErasure,
    RetentionPolicy,
)

logger = logging.getLogger(__name__)


class RetentionError(Exception):
    """A retention policy or legal hold change that is not allowed; nothing changed."""


@transaction.atomic
def set_retention_policy(
    *, provider: Organisation, years: int, applies_automatically: bool, by: User
) -> RetentionPolicy:
    """Set how long `provider` keeps records after the funding year they ended in. Never
    shorter than the default (the shortest period the stored sources give)."""
    if years < funding_rules.RECORD_RETENTION_YEARS:
        raise RetentionError(
            f"Keep records for at least {funding_rules.RECORD_RETENTION_YEARS} years."
        )
    policy = RetentionPolicy.objects.select_for_update().filter(provider=provider).first()
    before = (
        {"years": policy.years, "applies_automatically": policy.applies_automatically}
        if policy
        else {"years": funding_rules.RECORD_RETENTION_YEARS, "default": True}
    )
    if policy is None:
        policy = RetentionPolicy(provider=provider, years=years, updated_by=by)
    policy.years = years
    policy.applies_automatically = applies_automatically
    policy.updated_by = by
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy.save()
    record_event(
        action=AuditAction.RETENTION_POLICY_SET,
        obj=provider,
        actor=by,
        summary=(
            f"Set the retention policy of {provider.name}: records kept {years} years after "
            "the funding year they ended in"
            + ("" if applies_automatically else "; not applied automatically")
        ),
        before=before,
        after={"years": years, "applies_automatically": applies_automatically},
    )
    return policy


@transaction.atomic
def place_legal_hold(
    *, apprenticeship: Apprenticeship, reason: str, why: str, by: User
) -> LegalHold:
    """Hold an apprenticeship's records: nothing of them is deleted until it is lifted."""
    locked = Apprenticeship.objects.select_for_update().get(pk=apprenticeship.pk)
    if LegalHold.objects.filter(apprenticeship=locked, lifted_at__isnull=True).exists():
        raise RetentionError("These records are already on hold.")
    if not why.strip():
        raise ValidationError({"why": "Say why the records are held."})
    hold = LegalHold(apprenticeship=locked, reason=reason, why=why.strip(), placed_by=by)
    hold.full_clean()
    hold.save()
    record_event(
        action=AuditAction.LEGAL_HOLD_PLACED,
        obj=hold,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Held the records ({hold.get_reason_display().lower()}): {hold.why}"[:300],
        after={"reason": hold.reason, "why": hold.why},
    )
    return hold


@transaction.atomic
def lift_legal_hold(*, hold: LegalHold, why: str, by: User) -> LegalHold:
    """Lift a hold, with the reason. The retention policy applies again from then."""
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise RetentionError("This hold has already been lifted.")
    if not why.strip():
        raise ValidationError({"why": "Say why the hold is lifted."})
    locked.lifted_by = by
    locked.lifted_at = timezone.now()
    locked.lift_reason = why.strip()
    locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    record_event(
        action=AuditAction.LEGAL_HOLD_LIFTED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.apprenticeship_id,
        summary=f"Lifted the hold on the records: {locked.lift_reason}"[:300],
        before={"reason": locked.reason},
        after={"lifted": True, "why": locked.lift_reason},
    )
    return locked


@dataclass
class RetentionResult:
    """What one provider's policy deleted (or, in a dry run, would delete): ids and counts,
    never content."""

    provider_id: int
    dry_run: bool
    apprenticeship_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files_deleted: int = 0


def apply_retention(
    *,
    provider: Organisation,
    today: dt.date | None = None,
    dry_run: bool = False,
    by: User | None = None,
    actor_label: str = "",
) -> RetentionResult:
    """Reduce every apprenticeship of `provider` past keeping (and not on hold) to its
    minimal record. In a dry run, list them and count what would go, changing nothing.

    Each apprenticeship is reduced in its own transaction, locked first and checked again
    (a hold placed meanwhile stops it), with one history event each and one for the run.
    Files are deleted from storage once their rows are gone. Running it twice is harmless:
    a reduced apprenticeship is not listed again."""
    today = today or timezone.localdate()
    policy = retention.policy_for(provider)
    result = RetentionResult(provider_id=provider.pk, dry_run=dry_run)
    result.held_ids = list(retention.held(policy, today=today).values_list("pk", flat=True))
    rows = list(retention.due(policy, today=today))
    for row in rows:
        counts: dict[str, int] | None
        if dry_run:
            counts = erasure.count(row.pk, row.apprentice_id)
        else:
            counts = _reduce(row, policy=policy, today=today, by=by, actor_label=actor_label)
            if counts is None:
                continue
            result.files_deleted += counts.get("files_deleted_from_storage", 0)
        result.apprenticeship_ids.append(row.pk)
        for key, value in counts.items():
            result.counts[key] = result.counts.get(key, 0) + value
    if not dry_run and (result.apprenticeship_ids or result.held_ids):
        record_event(
            action=AuditAction.RETENTION_APPLIED,
            obj=provider,
            actor=by,
            actor_label=actor_label,
            summary=(
                f"Retention policy applied at {provider.name}: "
                f"{len(result.apprenticeship_ids)} apprenticeships reduced to the minimal "
                f"record, {len(result.held_ids)} kept on hold"
            ),
            after={
                "apprenticeships": result.apprenticeship_ids,
                "held": result.held_ids,
                "counts": result.counts,
                "years": policy.years,
                "on": today.isoformat(),
            },
        )
    return result


def _reduce(
    row: Apprenticeship, *, policy, today: dt.date, by: User | None, actor_label: str
) -> dict[str, int] | None:
    """One apprenticeship to its minimal record; None if it is no longer due."""
    paths: list[str] = []
    with transaction.atomic():
        locked = Apprenticeship.objects.select_for_update().get(pk=row.pk)
        still_due = retention.due(policy, today=today).filter(pk=locked.pk).first()
        if still_due is None:
            return None
        ended_on = retention.ended_on(still_due)
        counts, paths = erasure.erase(locked.pk, person_id=locked.apprentice_id)
        RetentionErasure.objects.create(
            apprenticeship=locked,
            ended_on=ended_on,
            kept_until=funding_rules.records_kept_until(ended_on, policy.years),
            counts=counts,
        )
        record_event(
            action=AuditAction.RETENTION_APPLIED,
            obj=locked,
            actor=by,
            actor_label=actor_label,
            apprenticeship_id=locked.pk,
            summary=(
                "Personal files and texts deleted under the retention policy; the minimal "
                "record remains"
            ),
            after={"counts": counts, "ended_on": ended_on.isoformat()},
        )
    return {**counts, "files_deleted_from_storage": erasure.delete_files(paths)}


def apply_retention_everywhere(
    *,
    providers=None,
    today: dt.date | None = None,
    dry_run: bool = False,
    actor_label: str = "Retention policy (nightly)",
    only_automatic: bool = True,
) -> list[RetentionResult]:
    """Apply the policy of every provider (or those given). The nightly job skips providers
    that paused deleting (`only_automatic`); the command, asked by a person, does not."""
    if providers is None:
        providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
    results = []
    for policy in retention.policies(providers):
        if only_automatic and not policy.applies_automatically:
            continue
        results.append(
            apply_retention(
                provider=policy.provider, today=today, dry_run=dry_run, actor_label=actor_label
            )
        )
    return results
