"""Gateway changes: the English and maths record, the sealed declarations (and their
withdrawal), and passing gateway, which freezes the portfolio for the assessor. The
checklist these rely on is in epa/selectors/gateway.py."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import separation
from apprenticeship.models import Apprenticeship, DecisionStage
from apprenticeship.services import count_decision
from audit import seals
from audit.actions import GATEWAY_DECLARED, GATEWAY_WITHDRAWN, AuditAction
from audit.changes import end_row
from audit.services import record_event
from epa.errors import EpaError
from epa.models import EnglishMaths, GatewayDeclaration, GatewaySnapshot
from epa.selectors.gateway import CheckItem, checklist, missing_before_provider, statement
from epa.services import snapshot as snapshots
from outbox import services as outbox
from portfolio.wellbeing import services as adjustments

Party = GatewayDeclaration.Party


class GatewayError(EpaError):
    """A gateway change the rules do not allow; the message says why."""


# -- English and maths -----------------------------------------------------------------


@transaction.atomic
def record_english_maths(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    english: str,
    maths: str,
    has_ehc_plan: bool,
    evidence: str,
) -> EnglishMaths:
    if apprenticeship.is_post_gateway:
        raise GatewayError("Gateway has passed; the record is part of the frozen portfolio now.")
    if EnglishMaths.English.ENTRY_3_EHC in (english, maths) and not has_ehc_plan:
        raise GatewayError("Entry Level 3 counts only for an apprentice with an EHC plan.")
    record = EnglishMaths.objects.select_for_update().filter(apprenticeship=apprenticeship).first()
    fields = ("english", "maths", "has_ehc_plan", "evidence")
    before = {name: getattr(record, name) for name in fields} if record else {}
    record = record or EnglishMaths(apprenticeship=apprenticeship)
    record.english, record.maths = english, maths
    record.has_ehc_plan, record.evidence = has_ehc_plan, evidence.strip()
    record.recorded_by, record.recorded_at = by, timezone.now()
    record.full_clean()
    record.save()
    record_event(
        action=AuditAction.GATEWAY_ENGLISH_MATHS,
        obj=record,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary="Recorded English and maths",
        before=before,
        after={name: getattr(record, name) for name in fields},
    )
    return record


# -- declarations ----------------------------------------------------------------------


def seal_content(
    *, apprenticeship: Apprenticeship, party: str, by: User, at: dt.datetime, items: list[CheckItem]
) -> dict:
    standard = apprenticeship.standard_version
    return {
        "format": seals.SEAL_FORMAT,
        "apprenticeship": apprenticeship.pk,
        "apprentice": apprenticeship.apprentice.full_name,
        "standard": f"{standard.reference} v{standard.version}",
        "party": party,
        "statement": statement(apprenticeship, party),
        "declared_by": {"id": by.pk, "name": by.full_name, "email": by.email},
        "declared_at": at,
        "checklist": [
            {"key": i.key, "holds": i.holds, "detail": i.detail}
            for i in items
            if not i.key.endswith("_declaration")
        ],
    }


def declare(
    *,
    apprenticeship: Apprenticeship,
    party: str,
    by: User,
    confirmed: bool,
    now: dt.datetime | None = None,
) -> GatewayDeclaration:
    """Record and seal one party's declaration; passes gateway if that completes the
    checklist. The provider confirms only once every other item holds. `now` is for
    tests and demo data; it defaults to the present."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not confirmed:
        raise GatewayError("Tick the box to confirm the statement.")
    with transaction.atomic():
        locked = Apprenticeship.objects.select_for_update().get(pk=apprenticeship.pk)
        if locked.is_post_gateway:
            raise GatewayError("Gateway has already passed.")
        # Checked now, not only when the roles were given: jobs and roles can change.
        problems = separation.confirmation_problems(locked, by, party)
        other = (
            GatewayDeclaration.objects.active()
            .filter(apprenticeship=locked)
            .exclude(party=party)
            .first()
        )
        if other is not None and other.declared_by_id == by.pk:
            problems.append(
                f"You confirmed for the {Party(other.party).label.lower()} already: the "
                "employer's and the provider's confirmations must come from two different "
                "people."
            )
        if problems:
            raise GatewayError("Nothing was confirmed. " + " ".join(problems))
        items = checklist(apprenticeship, today=today)
        if party == Party.PROVIDER and (waiting := missing_before_provider(items)):
            raise GatewayError(
                "The provider confirms once everything else holds. Still missing: "
                + "; ".join(item.label.lower() for item in waiting)
                + "."
            )
        content = seal_content(
            apprenticeship=apprenticeship, party=party, by=by, at=now, items=items
        )
        try:
            with transaction.atomic():
                declaration = GatewayDeclaration.objects.create(
                    apprenticeship=apprenticeship,
                    party=party,
                    statement=content["statement"],
                    content=seals.plain(content),
                    digest=seals.digest(content),
                    declared_by=by,
                    declared_at=now,
                )
        except IntegrityError as exc:
            raise GatewayError("This has already been confirmed.") from exc
        if party == Party.PROVIDER:
            count_decision(apprenticeship=locked, made_by=by, stage=DecisionStage.GATEWAY, at=now)
        record_event(
            action=GATEWAY_DECLARED[party],
            obj=declaration,
            actor=by,
            apprenticeship_id=apprenticeship.pk,
            summary=f"{Party(party).label} confirmed readiness for end-point assessment",
            after={"statement": declaration.statement, "digest": declaration.digest},
        )
        if party == Party.PROVIDER:
            # The apprentice's requests for adjustments to the assessment go to the
            # assessment organisation as part of the provider's confirmation.
            adjustments.pass_with_gateway(apprenticeship=locked, by=by, now=now)
    pass_gateway_if_ready(apprenticeship=apprenticeship, by=by, now=now)
    return declaration


@transaction.atomic
def withdraw_declaration(
    *, declaration: GatewayDeclaration, by: User, reason: str
) -> GatewayDeclaration:
    reason = reason.strip()
    if not reason:
        raise GatewayError("Give a reason for withdrawing the confirmation.")
    locked = Apprenticeship.objects.select_for_update().get(pk=declaration.apprenticeship_id)
    if locked.is_post_gateway:
        raise GatewayError("Gateway has already passed; the confirmation is part of it.")
    row = GatewayDeclaration.objects.select_for_update().get(pk=declaration.pk)
    end_row(
        row,
        by=by,
        reason=reason,
        action=GATEWAY_WITHDRAWN[row.party],
        summary=f"Withdrew the {row.get_party_display().lower()}'s confirmation",
        apprenticeship_id=row.apprenticeship_id,
        already=GatewayError("This confirmation has already been withdrawn."),
    )
    return row


# -- passing ---------------------------------------------------------------------------


@transaction.atomic
def pass_gateway_if_ready(
    *, apprenticeship: Apprenticeship, by: User, now: dt.datetime | None = None
) -> bool:
    """Pass gateway if every item holds: freeze the snapshot, move the apprenticeship on.
    Returns whether it passed now. Safe to call twice, or twice at once."""
    now = now or timezone.now()
    locked = Apprenticeship.objects.select_for_update().get(pk=apprenticeship.pk)
    if locked.is_post_gateway:
        return False
    items = checklist(locked, today=timezone.localdate(now))
    if not all(item.holds for item in items):
        return False
    content = snapshots.build(apprenticeship=locked, checklist=items, taken_at=now)
    snapshot = GatewaySnapshot.objects.create(
        apprenticeship=locked,
        taken_at=now,
        taken_by=by,
        content=seals.plain(content),
        digest=seals.digest(content),
    )
    # Anything asked for after the provider confirmed goes with the gateway too, passed
    # in the name of whoever confirmed for the provider.
    provider = (
        GatewayDeclaration.objects.active()
        .filter(apprenticeship=locked, party=Party.PROVIDER)
        .select_related("declared_by")
        .first()
    )
    adjustments.pass_with_gateway(
        apprenticeship=locked, by=provider.declared_by if provider else by, now=now
    )
    locked.status = Apprenticeship.Status.GATEWAY
    locked.gateway_passed_at = now
    locked.save(update_fields=["status", "gateway_passed_at"])
    record_event(
        action=AuditAction.GATEWAY_PASSED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.pk,
        summary="Passed gateway; the portfolio was frozen for the assessor",
        before={"status": Apprenticeship.Status.ON_PROGRAMME},
        after={"status": locked.status, "snapshot": snapshot.pk, "digest": snapshot.digest},
    )
    outbox.queue_notification(
        "gateway_passed",
        occurrence=str(locked.pk),
        object_id=locked.pk,
        apprenticeship_id=locked.pk,
    )
    apprenticeship.status, apprenticeship.gateway_passed_at = locked.status, now
    return True
