"""Reads for internal quality assurance: the tutor decisions a plan can sample, what each
sampled decision showed the tutor when they made it, and the report figures.

Every figure is an SQL aggregate (grouped counts), the same on PostgreSQL and SQLite."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, DecisionDay, DecisionStage
from epa.models import GatewayDeclaration
from portfolio.evidence.models import (
    DutySignOff,
    EvidenceComment,
    EvidenceFile,
    EvidenceVersion,
)
from portfolio.reviews.models import ReviewParty, ReviewSignature, ReviewVersion
from quality.iqa.access import conflicted
from quality.models import IqaItem, SamplingPlan


@dataclass(frozen=True)
class Candidate:
    """A tutor decision a plan may sample."""

    stage: str
    decision_id: int
    apprenticeship_id: int
    tutor_id: int
    decided_at: dt.datetime
    label: str


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def plan_apprenticeships(plan: SamplingPlan) -> QuerySet[Apprenticeship]:
    """The apprenticeships a plan covers: the provider's, and for a cohort those that
    started between the plan's dates."""
    scope = Apprenticeship.objects.filter(provider_id=plan.provider_id)
    if plan.scope == SamplingPlan.Scope.COHORT:
        scope = scope.filter(
            start_date__gte=plan.cohort_start_from, start_date__lte=plan.cohort_start_to
        )
    return scope


def _window(field_name: str, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field_name}__gte": day_start(start)})
    if end is not None:
        q &= Q(**{f"{field_name}__lt": day_start(end + dt.timedelta(days=1))})
    return q


def decisions(
    stage: str,
    scope: QuerySet[Apprenticeship],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    tutor_id: int | None = None,
    decision_ids: list[int] | None = None,
) -> QuerySet:
    """The stage's decisions on `scope` as values rows with the keys `pk`, `a_id` (the
    apprenticeship), `t_id` (who decided) and `at` (when), plus a label's parts."""
    rows: QuerySet[Any]
    extra: tuple[str, ...]
    if stage == DecisionStage.EVIDENCE:
        rows = EvidenceComment.objects.filter(
            kind__in=[EvidenceComment.Kind.ACCEPTED, EvidenceComment.Kind.REFERRED],
            evidence__apprenticeship__in=scope,
        ).filter(_window("created_at", start, end))
        who, names = (
            "author_id",
            {
                "a_id": "evidence__apprenticeship_id",
                "at": "created_at",
            },
        )
        extra = ("evidence__title", "version", "kind")
    elif stage == DecisionStage.SIGN_OFF:
        rows = DutySignOff.objects.filter(apprenticeship__in=scope).filter(
            _window("signed_at", start, end)
        )
        who, names = "signed_by_id", {"a_id": "apprenticeship_id", "at": "signed_at"}
        extra = ("duty__number",)
    elif stage == DecisionStage.REVIEW:
        rows = ReviewSignature.objects.filter(
            party=ReviewParty.TUTOR, version__review__apprenticeship__in=scope
        ).filter(_window("signed_at", start, end))
        who, names = "signer_id", {"a_id": "version__review__apprenticeship_id", "at": "signed_at"}
        extra = ("version__held_on", "version__number")
    elif stage == DecisionStage.GATEWAY:
        rows = GatewayDeclaration.objects.filter(
            party=GatewayDeclaration.Party.PROVIDER, apprenticeship__in=scope
        ).filter(_window("declared_at", start, end))
        who, names = "declared_by_id", {"a_id": "apprenticeship_id", "at": "declared_at"}
        extra = ()
    else:
        raise ValueError(f"Unknown stage {stage!r}")
    if tutor_id is not None:
        rows = rows.filter(**{who: tutor_id})
    if decision_ids is not None:
        rows = rows.filter(pk__in=decision_ids)
    return rows.annotate(a_id=F(names["a_id"]), t_id=F(who), at=F(names["at"])).values(
        "pk", "a_id", "t_id", "at", *extra
    )


def label_of(stage: str, row: dict[str, Any]) -> str:
    if stage == DecisionStage.EVIDENCE:
        verb = "accepted" if row["kind"] == EvidenceComment.Kind.ACCEPTED else "referred back"
        title = row["evidence__title"] or "Untitled"
        return f"Evidence “{title}” (version {row['version']}) {verb}"[:300]
    if stage == DecisionStage.SIGN_OFF:
        return f"Sign-off of duty {row['duty__number']}"
    if stage == DecisionStage.REVIEW:
        return f"Progress review held on {row['version__held_on']:%-d %B %Y}"
    return "Gateway confirmation for the provider"


def candidate(stage: str, row: dict[str, Any]) -> Candidate:
    """The candidate for one row of `decisions`, with its label."""
    return Candidate(stage, row["pk"], row["a_id"], row["t_id"], row["at"], label_of(stage, row))


def plan_decisions(
    plan: SamplingPlan,
    stage: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    decision_ids: list[int] | None = None,
) -> QuerySet:
    """The plan's decisions at one stage in a period, as `decisions` rows."""
    return decisions(
        stage,
        plan_apprenticeships(plan),
        start=start,
        end=end,
        tutor_id=plan.tutor_id if plan.scope == SamplingPlan.Scope.TUTOR else None,
        decision_ids=decision_ids,
    )


def unsampled(
    plan: SamplingPlan, stage: str, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet:
    """The plan's decisions at one stage in a period that are not yet in its sample."""
    return plan_decisions(plan, stage, start=start, end=end).exclude(
        pk__in=IqaItem.objects.filter(plan=plan, stage=stage).values("decision_id")
    )


@dataclass(frozen=True)
class Older:
    """Where a list of decisions, newest first, goes on: before the decision made `at`
    with id `pk` (two decisions can share a moment; the id breaks the tie)."""

    at: dt.datetime
    pk: int

    def token(self) -> str:
        """For a link: whole microseconds since 1970 and the id."""
        micros = (self.at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        return f"{micros}-{self.pk}"

    @classmethod
    def from_token(cls, token: str) -> "Older | None":
        """The place a link's token names, or None if it names none."""
        micros, _, pk = token.partition("-")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 17 or len(pk) > 18:
            return None
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
        return cls(at, int(pk))


def addable(
    plan: SamplingPlan,
    stage: str,
    user: User,
    *,
    older: Older | None = None,
    up_to: dt.date | None = None,
    count: int = 25,
) -> tuple[list[dict[str, Any]], Older | None]:
    """Up to `count` of the plan's decisions at one stage that `user` could add to its
    sample (not yet sampled, not theirs to leave out), newest first: made on or before
    `up_to`, and before `older` when it is given. Also where the next, older, rows start
    (None when there are none). Read along the stage's index on when each decision was
    made, so a page costs the same however many decisions the plan holds: no count."""
    rows = unsampled(plan, stage).exclude(conflicted(user, tutor="t_id", apprenticeship="a_id"))
    if up_to is not None:
        rows = rows.filter(at__lt=day_start(up_to + dt.timedelta(days=1)))
    if older is not None:
        rows = rows.filter(Q(at__lt=older.at) | Q(at=older.at, pk__lt=older.pk))
    found = list(rows.order_by("-at", "-pk")[: count + 1])
    more = len(found) > count
    found = found[:count]
    return found, (Older(found[-1]["at"], found[-1]["pk"]) if more else None)


def plan_candidate(plan: SamplingPlan, stage: str, decision_id: int) -> Candidate | None:
    """The decision at one stage, if it is in the plan's scope."""
    row = plan_decisions(plan, stage, decision_ids=[decision_id]).first()
    return None if row is None else candidate(stage, row)


# -- one sampled decision, as the tutor saw it -----------------------------------------


@dataclass
class DecisionView:
    """What a sampled decision showed the tutor when they made it. `missing` says why
    nothing can be shown (the record is gone from the scope)."""

    stage: str
    heading: str = ""
    made_by: str = ""
    made_at: dt.datetime | None = None
    outcome: str = ""
    comment: str = ""
    versions: list[EvidenceVersion] = field(default_factory=list)
    seen: dict[str, Any] = field(default_factory=dict)
    seen_files: list[EvidenceFile] = field(default_factory=list)
    review: ReviewVersion | None = None
    gateway: GatewayDeclaration | None = None
    sign_off: DutySignOff | None = None
    missing: str = ""


def _versions(queryset: QuerySet[EvidenceVersion]) -> list[EvidenceVersion]:
    return list(queryset.select_related("accepted_by").prefetch_related("duties", "ksbs", "files"))


def decision_view(item: IqaItem) -> DecisionView:
    """Everything the tutor saw for the sampled decision: for evidence, the version they
    accepted (or, for a referral, the content as they reviewed it), never the item as it
    is now; the review version they signed, without the private wellbeing check-in."""
    view = DecisionView(stage=item.stage)
    if item.stage == DecisionStage.EVIDENCE:
        comment = (
            EvidenceComment.objects.select_related("author", "evidence")
            .filter(pk=item.decision_id, evidence__apprenticeship_id=item.apprenticeship_id)
            .first()
        )
        if comment is None:
            view.missing = "The decision is no longer on this apprenticeship."
            return view
        view.heading = f"“{comment.evidence.display_title}”, version {comment.version}"
        view.made_by = comment.author.full_name or comment.author.email
        view.made_at = comment.created_at
        view.outcome = comment.get_kind_display()
        view.comment = comment.body
        view.seen = dict(comment.reviewed_content or {})
        if comment.kind == EvidenceComment.Kind.ACCEPTED:
            view.versions = _versions(
                EvidenceVersion.objects.filter(
                    evidence_id=comment.evidence_id, number=comment.version
                )
            )
        if not view.versions:
            view.seen_files = list(
                EvidenceFile.objects.filter(
                    evidence_id=comment.evidence_id, pk__in=view.seen.get("files", [])
                )
            )
        return view
    if item.stage == DecisionStage.SIGN_OFF:
        sign_off = (
            DutySignOff.objects.select_related("duty", "signed_by", "withdrawn_by")
            .filter(pk=item.decision_id, apprenticeship_id=item.apprenticeship_id)
            .first()
        )
        if sign_off is None:
            view.missing = "The sign-off is no longer on this apprenticeship."
            return view
        view.sign_off = sign_off
        view.heading = f"Duty {sign_off.duty.number}: {sign_off.duty.text}"
        view.made_by = sign_off.signed_by.full_name or sign_off.signed_by.email
        view.made_at = sign_off.signed_at
        view.outcome = "Signed off" if sign_off.is_active else "Signed off, since withdrawn"
        view.comment = sign_off.comment
        view.versions = _versions(sign_off.evidence_versions.all())
        return view
    if item.stage == DecisionStage.REVIEW:
        signature = (
            ReviewSignature.objects.select_related("signer", "version__employer_signatory")
            .prefetch_related("version__targets", "version__signatures")
            .filter(pk=item.decision_id, version__review__apprenticeship_id=item.apprenticeship_id)
            .first()
        )
        if signature is None:
            view.missing = "The review is no longer on this apprenticeship."
            return view
        view.review = signature.version
        view.heading = f"Progress review held on {signature.version.held_on:%-d %B %Y}"
        view.made_by = signature.signer_name
        view.made_at = signature.signed_at
        view.outcome = f"Signed by the tutor (version {signature.version.number})"
        return view
    declaration = (
        GatewayDeclaration.objects.select_related("declared_by", "withdrawn_by")
        .filter(pk=item.decision_id, apprenticeship_id=item.apprenticeship_id)
        .first()
    )
    if declaration is None:
        view.missing = "The confirmation is no longer on this apprenticeship."
        return view
    view.gateway = declaration
    view.heading = "Gateway: the provider's confirmation"
    view.made_by = declaration.declared_by.full_name or declaration.declared_by.email
    view.made_at = declaration.declared_at
    view.outcome = "Confirmed" if declaration.is_active else "Confirmed, since withdrawn"
    view.comment = declaration.statement
    return view


def decision_files(view: DecisionView) -> dict[int, EvidenceFile]:
    """{file id: file} for every file the tutor had in front of them (no query: the
    versions' files are prefetched)."""
    files = {f.pk: f for version in view.versions for f in version.files.all()}
    files.update({f.pk: f for f in view.seen_files})
    return files


# -- reports ---------------------------------------------------------------------------


@dataclass
class CoverageRow:
    tutor_id: int
    tutor: str
    stage: str
    stage_label: str
    decisions: int = 0
    sampled: int = 0
    judged: int = 0
    agreed: int = 0
    actions_open: int = 0

    @property
    def coverage(self) -> int | None:
        """Sampled decisions as a whole per cent of those made (None with none made)."""
        return round(100 * self.sampled / self.decisions) if self.decisions else None

    @property
    def agreement(self) -> int | None:
        return round(100 * self.agreed / self.judged) if self.judged else None


@dataclass
class IqaReport:
    start: dt.date
    end: dt.date
    rows: list[CoverageRow]
    decisions: int
    sampled: int
    judged: int
    agreed: int
    disagreed: int
    actions_open: int

    @property
    def coverage(self) -> int | None:
        return round(100 * self.sampled / self.decisions) if self.decisions else None

    @property
    def agreement(self) -> int | None:
        return round(100 * self.agreed / self.judged) if self.judged else None


def report(provider_id: int, *, start: dt.date, end: dt.date) -> IqaReport:
    """Sample coverage per tutor and stage for decisions made in [start, end] at the
    provider, the agreement rate and the actions still open. Three grouped queries: the
    decisions made are summed from the days the decision services keep (`DecisionDay`),
    so the report reads a row a tutor a day, not every decision of the period."""
    made: dict[tuple[int, str], int] = {
        (row["made_by_id"], row["stage"]): row["n"]
        for row in DecisionDay.objects.filter(provider_id=provider_id, day__gte=start, day__lte=end)
        .order_by()
        .values("made_by_id", "stage")
        .annotate(n=Sum("decisions"))
    }
    sampled_rows = (
        IqaItem.objects.filter(plan__provider_id=provider_id)
        .filter(_window("decided_at", start, end))
        .order_by()
        .values("tutor_id", "stage")
        # A decision in two plans counts once as sampled.
        .annotate(
            sampled=Count("decision_id", distinct=True),
            judged=Count("pk", filter=~Q(verdict="")),
            agreed=Count(
                "pk",
                filter=Q(verdict__in=[IqaItem.Verdict.AGREE, IqaItem.Verdict.AGREE_ACTION]),
            ),
            open=Count("pk", filter=Q(follow_up=IqaItem.FollowUp.OPEN)),
        )
    )
    stats: dict[tuple[int, str], dict[str, Any]] = {
        (r["tutor_id"], r["stage"]): dict(r) for r in sampled_rows
    }
    tutor_ids = {key[0] for key in made} | {key[0] for key in stats}
    names = {
        u.pk: u.full_name or u.email
        for u in User.objects.filter(pk__in=tutor_ids).only("pk", "full_name", "email")
    }
    rows = []
    for tutor_id, stage in sorted(
        set(made) | set(stats), key=lambda k: (names.get(k[0], "").lower(), k[0], k[1])
    ):
        s: dict[str, Any] = stats.get((tutor_id, stage), {})
        rows.append(
            CoverageRow(
                tutor_id=tutor_id,
                tutor=names.get(tutor_id, ""),
                stage=stage,
                stage_label=DecisionStage(stage).label,
                decisions=made.get((tutor_id, stage), 0),
                sampled=s.get("sampled", 0),
                judged=s.get("judged", 0),
                agreed=s.get("agreed", 0),
                actions_open=s.get("open", 0),
            )
        )
    judged = sum(r.judged for r in rows)
    agreed = sum(r.agreed for r in rows)
    return IqaReport(
        start=start,
        end=end,
        rows=rows,
        decisions=sum(r.decisions for r in rows),
        sampled=sum(r.sampled for r in rows),
        judged=judged,
        agreed=agreed,
        disagreed=judged - agreed,
        actions_open=sum(r.actions_open for r in rows),
    )
