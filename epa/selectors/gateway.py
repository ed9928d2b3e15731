"""Gateway reads: the live checklist and its summary, the words each declaration
confirms, and whether a sealed declaration or snapshot is still as it was sealed.

The checklist has the items the funding rules and the standard require (the minimum time
on programme, the off-the-job training, English and maths, the confirmations), each with
its source and label, and the items that are the training provider's own policy (every
duty signed off, the training verified, a recent review), each labelled so and on only
while the provider's GatewayPolicy says so.

The checklist reads the off-the-job summary and the review schedule. A page that shows
those too passes in what it already worked out (`otj_summary=`, `review_schedule=`,
`evidence_summary=`, `declarations=`, `policy=`), so each is computed once per request."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import cast

from django.urls import reverse
from django.utils import timezone

from apprenticeship import funding_rules, rule_sources, rules
from apprenticeship.models import Apprenticeship
from apprenticeship.rule_sources import Label
from audit import seals
from epa.models import EnglishMaths, GatewayDeclaration, GatewayPolicy
from portfolio.evidence.models import DutySignOff
from portfolio.evidence.selectors import EvidenceSummary
from portfolio.reviews import schedule
from portfolio.reviews.models import Review
from portfolio.training import formatting
from portfolio.training import selectors as otj

Party = GatewayDeclaration.Party
ENGLISH_MATHS_SOURCES = rule_sources.sources("SRC-PIER", "SRC-HELP-EM", "SRC-FEWEEK-EM")


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
        data = asdict(self)
        if self.provenance:
            data["provenance_text"] = rule_sources.LABEL_TEXT[Label(self.provenance)]
        return data


# -- the checks ------------------------------------------------------------------------


def gateway_policy(apprenticeship: Apprenticeship) -> GatewayPolicy:
    """The training provider's own gateway requirements; with no policy saved, every item
    is on. No query when the apprenticeship was loaded with `provider__gateway_policy`."""
    try:
        return apprenticeship.provider.gateway_policy
    except GatewayPolicy.DoesNotExist:
        return GatewayPolicy(provider=apprenticeship.provider)


def _policy_source(policy: GatewayPolicy) -> str:
    return f"{policy.provider.name}'s own gateway policy; no stored source requires it"


def _time_on_programme(
    apprenticeship: Apprenticeship, today: dt.date, spans: list[funding_rules.Span]
) -> CheckItem:
    minimum = rules.minimum_programme(
        apprenticeship.start_date,
        apprenticeship.contracted_weekly_hours,
        apprenticeship.standard_version,
    )
    months = minimum.months
    earliest = funding_rules.earliest_gateway(apprenticeship.start_date, months, spans, today=today)
    holds = today >= earliest
    year = funding_rules.funding_year(apprenticeship.start_date)
    whose = (
        "set by the assessment plan"
        if minimum.from_plan
        else f"the {year.applied} funding rules' minimum for this start"
    )
    detail = f"At least {months} months on programme ({whose}), so from {earliest:%-d %B %Y}"
    if funding_rules.total_break_days(spans, today=today):
        detail += ", counting the time on breaks in learning"
    detail += "." if holds else f". That is {(earliest - today).days} days from now."
    return CheckItem(
        key="time_on_programme",
        label="Minimum time on programme",
        holds=holds,
        detail=detail,
        provenance=minimum.rule.label,
        source=minimum.rule.source_line,
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
            provenance=Label.SECONDARY,
            source="; ".join(str(source) for source in ENGLISH_MATHS_SOURCES),
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
        provenance=Label.SECONDARY,
        source="; ".join(str(source) for source in ENGLISH_MATHS_SOURCES),
    )


def _duties_signed_off(
    apprenticeship: Apprenticeship, signed: int, total: int, policy: GatewayPolicy
) -> CheckItem:
    return CheckItem(
        key="duties",
        label="Every duty signed off",
        holds=total > 0 and signed >= total,
        detail=f"{signed} of {total} duties signed off by the tutor.",
        fix_url=reverse("portfolio:coverage", args=[apprenticeship.pk]),
        fix_label="See coverage and sign-offs",
        provenance=Label.PROVIDER_POLICY,
        source=_policy_source(policy),
    )


NOT_KNOWN = (
    "the required total is not known yet: the standard's published minimum has not been "
    "loaded and the training provider has not entered an interim figure."
)


def _otj_done(apprenticeship: Apprenticeship, summary: otj.OtjSummary) -> CheckItem:
    """The funding rules' item: all the required training logged, since training after
    gateway does not count."""
    total = summary.total
    rule = rules.otj_rule(
        apprenticeship.start_date,
        apprenticeship.contracted_weekly_hours,
        apprenticeship.standard_version,
        summary.minimum,
    )
    if not summary.required_known:
        holds = False
        detail = f"{formatting.format_minutes(total.logged)} logged, but {NOT_KNOWN}"
    else:
        required = cast(int, total.required)  # known
        holds = total.logged >= required
        detail = (
            f"{formatting.format_minutes(total.logged)} logged of "
            f"{formatting.format_minutes(required)} required. Training after gateway does "
            "not count, so all of it comes first."
        )
    return CheckItem(
        key="otj",
        label="Off-the-job training done",
        holds=holds,
        detail=detail,
        fix_url=reverse("portfolio:otj-summary", args=[apprenticeship.pk]),
        fix_label="See off-the-job training",
        provenance=rule.label,
        source="; ".join(str(source) for source in rule_sources.WHAT_COUNTS + rule.sources),
    )


def _otj_verified(
    apprenticeship: Apprenticeship, summary: otj.OtjSummary, policy: GatewayPolicy
) -> CheckItem:
    """The provider's item: every hour of the required training verified."""
    total = summary.total
    if not summary.required_known:
        detail = f"{formatting.format_minutes(total.verified)} verified, but {NOT_KNOWN}"
    else:
        detail = (
            f"{formatting.format_minutes(total.verified)} verified of "
            f"{formatting.format_minutes(total.required)} required."
        )
        if total.logged > total.verified:
            waiting = formatting.format_minutes(total.logged - total.verified)
            detail += f" {waiting} waits for verification."
    return CheckItem(
        key="otj_verified",
        label="Off-the-job training verified",
        holds=summary.verified_complete,
        detail=detail,
        fix_url=reverse("portfolio:otj-summary", args=[apprenticeship.pk]),
        fix_label="See off-the-job training",
        provenance=Label.PROVIDER_POLICY,
        source=_policy_source(policy),
    )


def _recent_review(
    apprenticeship: Apprenticeship,
    today: dt.date,
    interval: funding_rules.ReviewInterval,
    policy: GatewayPolicy,
) -> CheckItem:
    # Only the day it was held is needed: not the review with its targets and signatures.
    # A signed review always has the version its parties signed.
    held_on = (
        Review.objects.filter(apprenticeship=apprenticeship, status=Review.Status.SIGNED)
        .order_by("-current_version__held_on", "-pk")
        .values_list("current_version__held_on", flat=True)
        .first()
    )
    if held_on is None:
        holds, detail = False, "No progress review has been signed by all three of you yet."
    else:
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
        provenance=Label.PROVIDER_POLICY,
        source=_policy_source(policy),
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


# -- the checklist ---------------------------------------------------------------------


def checklist(
    apprenticeship: Apprenticeship,
    *,
    today: dt.date | None = None,
    otj_summary: otj.OtjSummary | None = None,
    review_schedule: schedule.ReviewSchedule | None = None,
    evidence_summary: EvidenceSummary | None = None,
    declarations: Iterable[GatewayDeclaration] | None = None,
    policy: GatewayPolicy | None = None,
) -> list[CheckItem]:
    """The live gateway checklist: each item, whether it holds, what is missing and where
    to fix it, with its source and label. The provider's own items are there only while
    its gateway policy has them on. A fixed number of queries.

    Pass what the page has already worked out for this apprenticeship, to save working it
    out again: its off-the-job summary, review schedule, evidence summary (for the duty
    counts), gateway declarations with `declared_by` loaded (withdrawn ones are skipped)
    and the provider's gateway policy. Whatever is not passed is loaded here. The items
    read only the totals, the breaks and the review interval, none of which depends on the
    day a summary was for.
    """
    today = today or timezone.localdate()
    policy = policy or gateway_policy(apprenticeship)
    if otj_summary is None:
        otj_summary = otj.otj_summary(apprenticeship, today=today)
    if review_schedule is None:
        review_schedule = schedule.review_schedule(apprenticeship, today=today)
    if evidence_summary is not None:
        signed, total = evidence_summary.duties_signed_off, evidence_summary.duties_total
    else:
        # A duty retired by a re-import of the standard is no longer needed.
        signed = (
            DutySignOff.objects.active()
            .filter(apprenticeship=apprenticeship, duty__retired_at__isnull=True)
            .count()
        )
        # The off-the-job summary has one line for each of the standard's duties.
        total = sum(not line.retired for line in otj_summary.duties)
    if declarations is None:
        declarations = (
            GatewayDeclaration.objects.active()
            .filter(apprenticeship=apprenticeship)
            .select_related("declared_by")
        )
    declared = {d.party: d for d in declarations if d.withdrawn_at is None}
    items = [
        _time_on_programme(apprenticeship, today, [b.span for b in otj_summary.breaks]),
        _otj_done(apprenticeship, otj_summary),
    ]
    if policy.require_otj_verified:
        items.append(_otj_verified(apprenticeship, otj_summary, policy))
    items.append(_english_maths(apprenticeship, today))
    if policy.require_duties_signed_off:
        items.append(_duties_signed_off(apprenticeship, signed, total, policy))
    if policy.require_recent_review:
        items.append(_recent_review(apprenticeship, today, review_schedule.interval, policy))
    # The declarations come last because the provider confirms only when everything else
    # holds.
    items.extend(_declaration(apprenticeship, party, declared) for party in Party.values)
    return items


def policy_items_off(policy: GatewayPolicy) -> list[str]:
    """What the provider's gateway policy has switched off, in words."""
    return [label for name, label in GatewayPolicy.ITEMS if not getattr(policy, name)]


def summary(
    apprenticeship: Apprenticeship,
    *,
    today: dt.date | None = None,
    otj_summary: otj.OtjSummary | None = None,
    review_schedule: schedule.ReviewSchedule | None = None,
    evidence_summary: EvidenceSummary | None = None,
    policy: GatewayPolicy | None = None,
) -> dict:
    """For the apprenticeship page: how many items hold and the first that doesn't. Takes
    the same already-computed values as `checklist`."""
    items = checklist(
        apprenticeship,
        today=today,
        otj_summary=otj_summary,
        review_schedule=review_schedule,
        evidence_summary=evidence_summary,
        policy=policy,
    )
    waiting = [item for item in items if not item.holds]
    return {
        "done": len(items) - len(waiting),
        "total": len(items),
        "next": waiting[0].label if waiting else "",
    }


def missing_before_provider(items: list[CheckItem]) -> list[CheckItem]:
    """The items other than the declarations that do not hold yet: the provider confirms
    only once this is empty."""
    return [i for i in items if not i.holds and not i.key.endswith("_declaration")]


# -- declarations and seals ------------------------------------------------------------


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


def declaration_is_intact(declaration: GatewayDeclaration) -> bool:
    """Whether what was confirmed is unchanged since it was sealed."""
    return (
        seals.matches(declaration.content, declaration.digest)
        and declaration.content.get("statement") == declaration.statement
        and declaration.content.get("party") == declaration.party
    )
