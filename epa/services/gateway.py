"""Gateway: the live checklist, the English and maths record, the sealed declarations,
and passing gateway, which freezes the portfolio for the assessor."""

import datetime as dt
from dataclasses import asdict, dataclass
from typing import cast

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, BreakInLearning
from audit import seals
from audit.services import record_event
from epa.errors import EpaError
from epa.models import EnglishMaths, GatewayDeclaration, GatewaySnapshot
from epa.services import snapshot as snapshots
from portfolio.evidence.models import DutySignOff
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import ReviewVersion
from portfolio.training import formatting
from portfolio.training import selectors as otj
from standards.models import Duty, Provenance

Party = GatewayDeclaration.Party


class GatewayError(EpaError):
    """A gateway change the rules do not allow; the message says why."""


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    holds: bool
    detail: str
    fix_url: str = ""
    fix_label: str = ""
    provenance: str = ""
    source: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# -- the checklist ---------------------------------------------------------------------


def _time_on_programme(apprenticeship: Apprenticeship, today: dt.date) -> CheckItem:
    standard = apprenticeship.standard_version
    months = standard.minimum_programme_months
    fact = standard.fact("minimum_programme_months")
    if months is None:
        months = funding_rules.minimum_duration_months(
            apprenticeship.start_date, apprenticeship.contracted_weekly_hours
        )
        fact = {
            "provenance": Provenance.NOT_LOADED,
            "source": "The standard's minimum is not loaded; using the funding rules' "
            "minimum duration.",
        }
    spans = BreakInLearning.objects.filter(apprenticeship=apprenticeship).spans()
    earliest = funding_rules.earliest_gateway(apprenticeship.start_date, months, spans, today=today)
    holds = today >= earliest
    detail = f"At least {months} months on programme, so from {earliest:%-d %B %Y}"
    if funding_rules.total_break_days(spans, today=today):
        detail += ", counting the time on breaks in learning"
    detail += "." if holds else f". That is {(earliest - today).days} days from now."
    return CheckItem(
        key="time_on_programme",
        label="Minimum time on programme",
        holds=holds,
        detail=detail,
        provenance=fact.get("provenance", ""),
        source=fact.get("source", ""),
    )


def _english_maths(apprenticeship: Apprenticeship, today: dt.date) -> CheckItem:
    record = EnglishMaths.objects.filter(apprenticeship=apprenticeship).first()
    age = apprenticeship.age_at_start()
    required = funding_rules.english_maths_required(age, on=today)
    url = reverse("epa:gateway-english-maths", args=[apprenticeship.pk])
    english_ok = record is not None and (
        record.english in (EnglishMaths.English.LEVEL_2, EnglishMaths.English.BSL)
        or (record.english == EnglishMaths.English.ENTRY_3_EHC and record.has_ehc_plan)
    )
    maths_ok = record is not None and (
        record.maths == EnglishMaths.Maths.LEVEL_2
        or (record.maths == EnglishMaths.Maths.ENTRY_3_EHC and record.has_ehc_plan)
    )
    if not required:
        shown = "Recorded: " + ", ".join(
            part
            for part in (
                english_ok and record and f"English, {record.get_english_display().lower()}",
                maths_ok and record and f"maths, {record.get_maths_display().lower()}",
            )
            if part
        )
        return CheckItem(
            key="english_maths",
            label="English and maths",
            holds=True,
            detail=f"Not required: {age} at the start, and since 11 February 2025 English "
            "and maths are optional for apprentices aged 19 or over."
            + (f" {shown}." if english_ok or maths_ok else ""),
            fix_url=url,
            fix_label="Record English and maths",
        )
    missing = [name for name, ok in (("English", english_ok), ("maths", maths_ok)) if not ok]
    return CheckItem(
        key="english_maths",
        label="English and maths",
        holds=not missing,
        detail=(
            f"Required ({age} at the start): Level 2, or Entry Level 3 with an EHC plan; a BSL "
            "qualification can stand for English. "
            + (f"Not evidenced yet: {' and '.join(missing)}." if missing else "Both evidenced.")
        ),
        fix_url=url,
        fix_label="Record English and maths",
    )


def _duties_signed_off(apprenticeship: Apprenticeship, today: dt.date) -> CheckItem:
    total = Duty.objects.filter(standard_version_id=apprenticeship.standard_version_id).count()
    signed = DutySignOff.objects.active().filter(apprenticeship=apprenticeship).count()
    return CheckItem(
        key="duties",
        label="Every duty signed off",
        holds=total > 0 and signed >= total,
        detail=f"{signed} of {total} duties signed off by the tutor.",
        fix_url=reverse("portfolio:coverage", args=[apprenticeship.pk]),
        fix_label="See coverage and sign-offs",
    )


def _otj_done(apprenticeship: Apprenticeship, today: dt.date) -> CheckItem:
    summary = otj.otj_summary(apprenticeship, today=today)
    total = summary.total
    if not summary.required_known:
        detail = (
            f"{formatting.format_minutes(total.verified)} verified, but the required total is not "
            "known yet: the standard's published minimum has not been loaded. A provider "
            "admin can enter it on the standard's page."
        )
    else:
        detail = (
            f"{formatting.format_minutes(total.verified)} verified of "
            f"{formatting.format_minutes(total.required)} required."
        )
        if total.logged > total.verified:
            waiting = formatting.format_minutes(total.logged - total.verified)
            detail += f" {waiting} waits for verification."
    return CheckItem(
        key="otj",
        label="Off-the-job training done and verified",
        holds=summary.verified_complete,
        detail=detail,
        fix_url=reverse("portfolio:otj-summary", args=[apprenticeship.pk]),
        fix_label="See off-the-job training",
    )


def _recent_review(apprenticeship: Apprenticeship, today: dt.date) -> CheckItem:
    review = review_selectors.latest_signed_review(apprenticeship)
    interval = review_schedule.review_schedule(apprenticeship, today=today).interval
    if review is None:
        holds, detail = False, "No progress review has been signed by all three of you yet."
    else:
        # A signed review always has the version its parties signed.
        held_on = cast(ReviewVersion, review.current_version).held_on
        holds = interval.after(held_on) >= today
        detail = f"The last review signed by everyone was held on {held_on:%-d %B %Y}"
        detail += f", within the last {interval}." if holds else f", more than {interval} ago."
    return CheckItem(
        key="review",
        label="A recent progress review, signed by everyone",
        holds=holds,
        detail=detail,
        fix_url=reverse("portfolio:review-list", args=[apprenticeship.pk]),
        fix_label="See progress reviews",
    )


def _declaration(apprenticeship: Apprenticeship, party: str, declared) -> CheckItem:
    declaration = declared.get(party)
    label = {
        Party.EMPLOYER: "The employer confirms the apprentice works at the standard",
        Party.PROVIDER: "The training provider confirms the apprentice is ready",
    }[Party(party)]
    if declaration:
        detail = (
            f"Confirmed by {declaration.declared_by.full_name} on "
            f"{timezone.localtime(declaration.declared_at):%-d %B %Y}."
        )
    else:
        detail = {
            Party.EMPLOYER: "Waiting for the employer contact to confirm.",
            Party.PROVIDER: "Waiting for the tutor or provider admin to confirm, once every "
            "other item holds.",
        }[Party(party)]
    return CheckItem(
        key=f"{party}_declaration",
        label=label,
        holds=declaration is not None,
        detail=detail,
        fix_url=reverse("epa:gateway-declare", args=[apprenticeship.pk, party]),
        fix_label="Confirm",
    )


# Each check takes (apprenticeship, today) and returns one CheckItem; the declarations
# come last because the provider confirms only when everything else holds.
CHECKS = (_time_on_programme, _otj_done, _english_maths, _duties_signed_off, _recent_review)


def checklist(apprenticeship: Apprenticeship, *, today: dt.date | None = None) -> list[CheckItem]:
    """The live gateway checklist: each item, whether it holds, what is missing and where
    to fix it. A fixed number of queries."""
    today = today or timezone.localdate()
    items = [check(apprenticeship, today) for check in CHECKS]
    declared = {
        d.party: d
        for d in GatewayDeclaration.objects.active()
        .filter(apprenticeship=apprenticeship)
        .select_related("declared_by")
    }
    items += [_declaration(apprenticeship, party, declared) for party in Party.values]
    return items


def summary(apprenticeship: Apprenticeship, *, today: dt.date | None = None) -> dict:
    """For the apprenticeship page: how many items hold and the first that doesn't."""
    items = checklist(apprenticeship, today=today)
    waiting = [item for item in items if not item.holds]
    return {
        "done": len(items) - len(waiting),
        "total": len(items),
        "next": waiting[0].label if waiting else "",
    }


def _others_hold(items: list[CheckItem]) -> list[CheckItem]:
    return [i for i in items if not i.holds and not i.key.endswith("_declaration")]


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
        action="gateway.english_maths",
        obj=record,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary="Recorded English and maths",
        before=before,
        after={name: getattr(record, name) for name in fields},
    )
    return record


# -- declarations ----------------------------------------------------------------------


def statement(apprenticeship: Apprenticeship, party: str) -> str:
    """The words a declaration confirms, from the enrolment's own data."""
    standard = apprenticeship.standard_version
    name = apprenticeship.apprentice.full_name
    if party == Party.EMPLOYER:
        return (
            f"I confirm that {name} is working consistently at or above the level set out in "
            f"the {standard.title} occupational standard ({standard.reference} version "
            f"{standard.version}), and that {apprenticeship.employer.name} agrees they are "
            "ready for end-point assessment."
        )
    return (
        f"On behalf of {apprenticeship.provider.name}, I confirm that {name} has met every "
        "gateway requirement listed here and is ready for end-point assessment."
    )


def seal_content(
    *, apprenticeship: Apprenticeship, party: str, by: User, at: dt.datetime, items
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


def declaration_is_intact(declaration: GatewayDeclaration) -> bool:
    """Whether what was confirmed is unchanged since it was sealed."""
    return (
        seals.matches(declaration.content, declaration.digest)
        and declaration.content.get("statement") == declaration.statement
        and declaration.content.get("party") == declaration.party
    )


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
        items = checklist(apprenticeship, today=today)
        if party == Party.PROVIDER and (waiting := _others_hold(items)):
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
        record_event(
            action=f"gateway.declared.{party}",
            obj=declaration,
            actor=by,
            apprenticeship_id=apprenticeship.pk,
            summary=f"{Party(party).label} confirmed readiness for end-point assessment",
            after={"statement": declaration.statement, "digest": declaration.digest},
        )
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
    if row.withdrawn_at is not None:
        raise GatewayError("This confirmation has already been withdrawn.")
    row.withdrawn_at, row.withdrawn_by, row.withdrawal_reason = timezone.now(), by, reason
    row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record_event(
        action=f"gateway.withdrawn.{row.party}",
        obj=row,
        actor=by,
        apprenticeship_id=row.apprenticeship_id,
        summary=f"Withdrew the {row.get_party_display().lower()}'s confirmation",
        before={"active": True},
        after={"active": False, "reason": reason},
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
    locked.status = Apprenticeship.Status.GATEWAY
    locked.gateway_passed_at = now
    locked.save(update_fields=["status", "gateway_passed_at"])
    record_event(
        action="gateway.passed",
        obj=locked,
        actor=by,
        apprenticeship_id=locked.pk,
        summary="Passed gateway; the portfolio was frozen for the assessor",
        before={"status": Apprenticeship.Status.ON_PROGRAMME},
        after={"status": locked.status, "snapshot": snapshot.pk, "digest": snapshot.digest},
    )
    apprenticeship.status, apprenticeship.gateway_passed_at = locked.status, now
    return True


def snapshot_is_intact(snapshot: GatewaySnapshot) -> bool:
    return seals.matches(snapshot.content, snapshot.digest)
