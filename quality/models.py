"""Quality assurance. Moderation at the assessment organisation: its policy (which
confirmed results a moderator reviews before they are released) and, for every confirmed
result, the recorded sampling decision and the moderator's decisions on it.

Rows are never deleted. The sample is reproducible: the policy's seed, the draw it gave
and the proportion in force are kept with each decision.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship, DecisionStage, Organisation
from epa.models import AssessmentRound


class ModerationPolicy(models.Model):
    """An assessment organisation's rule for moderating results before release. With no
    policy, or one switched off, results are released as soon as the assessor confirms
    them."""

    epao = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="moderation_policy",
        limit_choices_to={"kind": Organisation.Kind.EPAO},
    )
    is_active = models.BooleanField("moderate results before they are released", default=True)
    all_highest = models.BooleanField("moderate every distinction", default=True)
    all_fails = models.BooleanField("moderate every fail", default=True)
    pass_percent = models.PositiveSmallIntegerField(
        "share of other results to moderate (per cent)", default=10
    )
    # Fixed when the policy is first made, so every sampling decision can be worked out
    # again from what is recorded.
    seed = models.BigIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "moderation policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__lte=100), name="moderation_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Moderation policy of {self.epao_id}"


class ModerationCaseQuerySet(models.QuerySet["ModerationCase"]):
    def for_list(self) -> "ModerationCaseQuerySet":
        return self.select_related(
            "apprenticeship__apprentice",
            "apprenticeship__standard_version",
            "round__confirmed_by",
            "decided_by",
        )


class ModerationCase(models.Model):
    """The sampling decision for one round's confirmed result, and where moderation of it
    has got to. Made the first time the result is confirmed; a result returned to the
    assessor waits for moderation again when they confirm it again."""

    class Reason(models.TextChoices):
        HIGHEST = "highest", "Every distinction is moderated"
        FAIL = "fail", "Every fail is moderated"
        SAMPLED = "sampled", "Picked in the sample of other results"
        NOT_SAMPLED = "not_sampled", "Not picked in the sample"

    class Status(models.TextChoices):
        NOT_SELECTED = "not_selected", "Not moderated: released at once"
        WAITING = "waiting", "Waiting for a moderator"
        CONFIRMED = "confirmed", "Confirmed by a moderator and released"
        RETURNED = "returned", "Returned to the assessor"

    round = models.OneToOneField(
        AssessmentRound, on_delete=models.PROTECT, related_name="moderation_case"
    )
    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="moderation_cases"
    )
    epao = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("grade when sampled", max_length=20)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    seed = models.BigIntegerField()
    # For a result neither a distinction nor a fail: the number in [0, 1) the seed gave and
    # the share in force; it was picked when the draw is below the share.
    draw = models.DecimalField(max_digits=8, decimal_places=7, null=True, blank=True)
    pass_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    sampled_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ModerationCaseQuerySet.as_manager()

    class Meta:
        ordering = ["sampled_at", "pk"]
        indexes = [models.Index(fields=["epao", "status"])]

    def __str__(self) -> str:
        return f"Moderation of round {self.round_id}"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def threshold(self) -> Decimal | None:
        """The number a draw had to be below to be picked."""
        return None if self.pass_percent is None else Decimal(self.pass_percent) / 100


class ModerationDecision(models.Model):
    """One decision of a moderator on a case: confirmed, or returned with the reason."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        RETURNED = "returned", "Returned to the assessor"

    case = models.ForeignKey(ModerationCase, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    grade = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="confirmed") | ~Q(reason=""),
                name="moderation_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for case {self.case_id}"


class CertificateRequest(models.Model):
    """The assessment organisation's record that it asked for the apprentice's certificate
    after releasing a pass or better. The request itself is made through the government's
    service, outside this app; this keeps when and who."""

    round = models.OneToOneField(
        AssessmentRound, on_delete=models.PROTECT, related_name="certificate_request"
    )
    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="certificate_requests"
    )
    requested_on = models.DateField("date the certificate was requested")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Certificate requested for round {self.round_id}"


class AssessmentBooking(models.Model):
    """A session of one assessment method, scheduled by the assessment organisation: when,
    where (a place or a video link) and with which assessor. The apprentice and the
    employer see it and can ask to rearrange it."""

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="assessment_bookings"
    )
    method = models.ForeignKey(
        "standards.AssessmentMethod", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("date and time")
    place = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_link=""), name="booking_has_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"Booking of {self.method_id} for {self.apprenticeship_id}"


class RearrangeRequest(models.Model):
    """The apprentice or the employer asks for a booked session to be moved, with why."""

    booking = models.ForeignKey(
        AssessmentBooking, on_delete=models.PROTECT, related_name="rearrange_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="rearrange_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Rearrange request for booking {self.booking_id}"


# -- internal quality assurance at the training provider -------------------------------
# IQA leads, sampling plans, the recorded draws and the sampled decisions with the lead's
# verdict and the tutor's follow-up. Services in quality/iqa/services.py.


class IqaLead(models.Model):
    """A person named by a provider admin to run internal quality assurance at the
    provider. Ending the role keeps the row."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="iqa_leads",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="iqa_lead_roles"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["named_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_active_iqa_lead_role",
            ),
        ]

    def __str__(self) -> str:
        return f"IQA lead {self.user_id} at {self.provider_id}"


class SamplingPlan(models.Model):
    """What an IQA lead samples: a cohort (the provider's apprenticeships that started
    between two dates) or one tutor's work, a share of decisions and the stages. The seed
    is made with the plan and kept, so every draw can be worked out again."""

    class Scope(models.TextChoices):
        COHORT = "cohort", "A cohort"
        TUTOR = "tutor", "One tutor"

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sampling_plans"
    )
    name = models.CharField(max_length=120)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    cohort_start_from = models.DateField("started on or after", null=True, blank=True)
    cohort_start_to = models.DateField("started on or before", null=True, blank=True)
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.PositiveSmallIntegerField("share of decisions to sample (per cent)")
    sample_evidence = models.BooleanField("evidence decisions", default=True)
    sample_sign_offs = models.BooleanField("duty sign-offs", default=True)
    sample_reviews = models.BooleanField("progress reviews", default=False)
    sample_gateway = models.BooleanField("gateway confirmations", default=False)
    seed = models.BigIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="iqa_plan_percent_1_to_100"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="tutor", tutor__isnull=False)
                    | Q(
                        scope="cohort",
                        cohort_start_from__isnull=False,
                        cohort_start_to__isnull=False,
                    )
                ),
                name="iqa_plan_scope_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stages(self) -> list[str]:
        """The stages this plan samples, in the order the pages show them (no query)."""
        flags = {
            DecisionStage.EVIDENCE: self.sample_evidence,
            DecisionStage.SIGN_OFF: self.sample_sign_offs,
            DecisionStage.REVIEW: self.sample_reviews,
            DecisionStage.GATEWAY: self.sample_gateway,
        }
        return [stage.value for stage, on in flags.items() if on]

    @property
    def stage_labels(self) -> list[str]:
        return [DecisionStage(stage).label for stage in self.stages]


class IqaDraw(models.Model):
    """One sample the app proposed for a plan: the period of decisions it drew from, the
    seed and shares in force, and which tutors were sampled more and why."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="draws")
    period_start = models.DateField()
    period_end = models.DateField()
    seed = models.BigIntegerField()
    percent = models.PositiveSmallIntegerField()
    raised_percent = models.PositiveSmallIntegerField()
    # [{"id": tutor id, "name": ..., "why": "new" | "disagreement"}]
    raised_tutors = models.JSONField(default=list, blank=True)
    considered = models.PositiveIntegerField(default=0)
    picked = models.PositiveIntegerField(default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="iqa_draw_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Draw {self.pk} of plan {self.plan_id}"


class IqaItemQuerySet(models.QuerySet["IqaItem"]):
    def for_list(self) -> "IqaItemQuerySet":
        return self.select_related(
            "apprenticeship__apprentice", "tutor", "plan", "verdict_by", "added_by"
        )

    def follow_up_open(self) -> "IqaItemQuerySet":
        return self.filter(follow_up=IqaItem.FollowUp.OPEN)


class IqaItem(models.Model):
    """One sampled tutor decision: why it is in the sample, the IQA lead's verdict, and the
    tutor's follow-up (an action done, or a disagreed sign-off reopened)."""

    class Reason(models.TextChoices):
        DRAWN = "drawn", "Picked at random"
        FLOOR = "floor", "Picked so a tutor sampled more has at least one"
        ADDED = "added", "Added by the IQA lead"

    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree"
        AGREE_ACTION = "agree_action", "Agree, with an action"
        DISAGREE = "disagree", "Disagree"

    class FollowUp(models.TextChoices):
        NONE = "", "Nothing to follow up"
        OPEN = "open", "Waiting for the tutor"
        DONE = "done", "Done by the tutor"

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="items")
    draw_record = models.ForeignKey(
        IqaDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="iqa_items"
    )
    # Who made the decision (the tutor whose work is sampled).
    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=10, choices=DecisionStage.choices)
    # The decision's row: an evidence decision (EvidenceComment), a DutySignOff, the tutor's
    # ReviewSignature, or the provider's GatewayDeclaration.
    decision_id = models.PositiveBigIntegerField()
    decided_at = models.DateTimeField()
    label = models.CharField(max_length=300)
    reason = models.CharField(max_length=8, choices=Reason.choices)
    draw = models.DecimalField(max_digits=8, decimal_places=7, null=True, blank=True)
    percent_used = models.PositiveSmallIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.CharField(max_length=4, choices=FollowUp.choices, blank=True)
    follow_up_note = models.TextField(blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up_at = models.DateTimeField(null=True, blank=True)

    objects = IqaItemQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "stage", "decision_id"], name="iqa_item_once_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict="agree") | ~Q(verdict_note=""),
                name="iqa_verdict_has_note",
            ),
        ]
        indexes = [
            models.Index(fields=["apprenticeship", "follow_up"]),
            # The plan's page lists its sample in this order, waiting first, a page at a
            # time however big the sample. With who decided and on which apprenticeship,
            # PostgreSQL counts the decisions waiting for a lead (leaving out those they may
            # not judge) from the index alone.
            models.Index(
                fields=["plan", "verdict", "added_at", "id"],
                include=["tutor", "apprenticeship"],
                name="iqa_item_plan_list",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("quality:iqa-item", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.verdict == ""


# -- A scoped, time-limited auditor ----------------------------------------------------
# Kept together at the end of the module: the auditor's grant, nothing else.

AUDITOR_MAX_DAYS = 30


class AuditorGrantQuerySet(models.QuerySet["AuditorGrant"]):
    def open_at(self, now) -> "AuditorGrantQuerySet":
        """Grants the auditor has taken up that are neither revoked nor ended at `now`."""
        return self.filter(accepted_at__isnull=False, revoked_at__isnull=True, ends_at__gt=now)


class AuditorGrant(models.Model):
    """Read-only access for a named auditor (an inspector, an external quality assurer, a
    funding auditor), given by a training provider's admin, or an assessment
    organisation's admin for its own records. It covers a scope (listed apprenticeships,
    the cohort that started in one month, or every apprenticeship of one standard) and the
    areas chosen; never wellbeing records or what the apprentice kept private. It ends by
    itself at `ends_at` (checked on every request) or when revoked. The invitation link
    works once; only the SHA-256 of its token is stored."""

    class Scope(models.TextChoices):
        APPRENTICESHIPS = "apprenticeships", "Apprenticeships I choose"
        COHORT = "cohort", "A cohort: everyone who started in one month"
        STANDARD = "standard", "Every apprenticeship of one standard"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="auditor_grants"
    )
    full_name = models.CharField("auditor's name", max_length=150)
    email = models.EmailField("auditor's email")
    # The account the invitation is for: found by the email, or made without a password.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auditor_grants"
    )
    purpose = models.CharField("what the access is for", max_length=200)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    apprenticeships = models.ManyToManyField(Apprenticeship, blank=True, related_name="+")
    # The first day of the month the cohort started in.
    cohort_month = models.DateField(null=True, blank=True)
    standard_reference = models.CharField(max_length=20, blank=True)
    sees_portfolio = models.BooleanField("portfolio of evidence", default=False)
    sees_otj = models.BooleanField("off-the-job training log", default=False)
    sees_reviews = models.BooleanField("progress reviews", default=False)
    sees_gateway = models.BooleanField("gateway", default=False)
    sees_results = models.BooleanField("end-point assessment results", default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    # The first moment the access no longer works: the start of the day after the end date.
    ends_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditorGrantQuerySet.as_manager()

    # The plain token, only on the object `grant_access` returns: it is never stored.
    token: str

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["user", "ends_at"], name="auditor_grant_user_ends")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="apprenticeships")
                | Q(scope="cohort", cohort_month__isnull=False)
                | (Q(scope="standard") & ~Q(standard_reference="")),
                name="auditor_grant_scope_complete",
            ),
            models.CheckConstraint(
                condition=Q(sees_portfolio=True)
                | Q(sees_otj=True)
                | Q(sees_reviews=True)
                | Q(sees_gateway=True)
                | Q(sees_results=True),
                name="auditor_grant_sees_something",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("granted_at")), name="auditor_grant_ends_later"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="auditor_grant_revoked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Auditor access for {self.full_name}"

    AREAS = ("portfolio", "otj", "reviews", "gateway", "results")
    AREA_LABELS = {
        "portfolio": "portfolio of evidence",
        "otj": "off-the-job training log",
        "reviews": "progress reviews",
        "gateway": "gateway",
        "results": "end-point assessment results",
    }

    @property
    def areas(self) -> list[str]:
        return [area for area in self.AREAS if getattr(self, f"sees_{area}")]

    def area_labels(self) -> list[str]:
        return [self.AREA_LABELS[area] for area in self.areas]

    @property
    def last_day(self):
        """The last day the access works (it ends when that day does, local time)."""
        return timezone.localtime(self.ends_at - dt.timedelta(seconds=1)).date()

    def is_open(self, now) -> bool:
        return self.accepted_at is not None and self.revoked_at is None and self.ends_at > now

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.ends_at <= now:
            return "Ended"
        if self.accepted_at is None:
            return "Invitation not yet accepted"
        return "Open"
