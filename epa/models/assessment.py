"""The end-point assessment as records: the assessor's declaration, each round of
assessment (the first attempt, then any resit or retake), the methods graded in it, their
sessions and questions, notes against KSBs, and appeals against a confirmed result.

Nothing here knows a standard: durations, sessions, questions, themes, grade options and
the grade table are read from the standard's AssessmentPlan and AssessmentMethod rows.
Rows are never deleted; a confirmed round is locked and changes only through an appeal.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from epa.models.policies import ResitPolicy
from standards.models import KSB, AssessmentMethod

__all__ = [
    "Appeal",
    "AssessmentQuestion",
    "AssessmentRound",
    "AssessmentSession",
    "ConflictDeclaration",
    "KsbNote",
    "MethodAssessment",
    "SessionMode",
]

# What the assessor agrees to. Kept with each declaration, so a later change of wording
# never changes what someone declared.
NO_CONFLICT_STATEMENT = (
    "I have no conflict of interest with this apprentice. I have never been their tutor, "
    "their employer contact or their line manager; I do not work, and have never worked, "
    "for their employer or their training provider; and I have no personal or business "
    "relationship with them that could affect my judgement."
)


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video"


class ConflictDeclaration(models.Model):
    """An assessor's declaration that they have no conflict of interest with one
    apprentice. Nothing can be recorded for the assessment until it exists."""

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    statement = models.TextField()
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "assessor"], name="one_declaration_per_assessor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} declared no conflict for {self.apprenticeship_id}"


class AssessmentRoundQuerySet(models.QuerySet["AssessmentRound"]):
    def for_record(self) -> "AssessmentRoundQuerySet":
        """Everything the assessment page shows for each round, in a fixed number of queries."""
        return self.select_related(
            "confirmed_by",
            "exceptional_recorded_by",
            "started_by",
            "resit_policy__epao",
            "resit_policy__recorded_by",
        ).prefetch_related(
            models.Prefetch(
                "method_assessments",
                queryset=MethodAssessment.objects.select_related("method", "graded_by")
                .prefetch_related(
                    models.Prefetch(
                        "sessions",
                        queryset=AssessmentSession.objects.order_by("number").prefetch_related(
                            models.Prefetch(
                                "questions", queryset=AssessmentQuestion.objects.order_by("number")
                            )
                        ),
                    ),
                    models.Prefetch("ksb_notes", queryset=KsbNote.objects.select_related("ksb")),
                )
                .order_by("method__order"),
            ),
            models.Prefetch(
                "appeals",
                queryset=Appeal.objects.select_related("recorded_by", "decided_by").order_by(
                    "recorded_at", "pk"
                ),
            ),
        )


class AssessmentRound(models.Model):
    """One go at the end-point assessment: the first attempt, or a resit or retake of the
    methods failed last time. The methods passed before carry over."""

    class Kind(models.TextChoices):
        FIRST = "first", "First attempt"
        RESIT = "resit", "Resit"
        RETAKE = "retake", "Retake"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Recorded by the assessment organisation for a resit or retake: its grade is then not
    # capped.
    exceptional_circumstances = models.TextField(blank=True)
    exceptional_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exceptional_recorded_at = models.DateTimeField(null=True, blank=True)
    # For a resit or retake: the assessment organisation's policy in force when it started,
    # where the assessment plan states no rule of its own (see epa.grading.resit_rules).
    resit_policy = models.ForeignKey(
        ResitPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    # Filled in when the assessor confirms the result, then locked.
    grades = models.JSONField(default=dict, blank=True)  # {code: {"grade", "round"}}
    table_grade = models.CharField(max_length=20, blank=True)
    cap_applied = models.BooleanField(default=False)
    # Where the cap on a resit or retake came from (or that none was stated), in words.
    cap_basis = models.CharField(max_length=500, blank=True)
    confirmed_grade = models.CharField(max_length=20, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The result now: the confirmed grade, unless an appeal changed it.
    overall_grade = models.CharField(max_length=20, blank=True)
    # When the provider and the apprentice could first see the result: at confirmation, or
    # later when a result held for moderation (quality.moderation) is confirmed by it.
    released_at = models.DateTimeField(null=True, blank=True)
    # Why moderation last sent the confirmed result back to the assessor (kept; shown
    # while the result waits to be confirmed again).
    returned_reason = models.TextField(blank=True)

    objects = AssessmentRoundQuerySet.as_manager()

    class Meta:
        ordering = ["apprenticeship", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "number"], name="round_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number=1, kind="first") | (Q(number__gt=1) & ~Q(kind="first")),
                name="round_first_is_number_one",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | ~Q(overall_grade=""),
                name="round_confirmed_has_grade",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(confirmed_at__isnull=False),
                name="round_released_once_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.apprenticeship_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_held(self) -> bool:
        """Confirmed by the assessor, not yet released (waiting for moderation)."""
        return self.confirmed_at is not None and self.released_at is None

    @property
    def is_resit_or_retake(self) -> bool:
        return self.kind != self.Kind.FIRST

    @property
    def has_exceptional_circumstances(self) -> bool:
        return self.exceptional_recorded_at is not None


class MethodAssessment(models.Model):
    """One assessment method taken in one round, with its grade once given."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.PROTECT, related_name="method_assessments"
    )
    method = models.ForeignKey(AssessmentMethod, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=20, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "method__order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "method"], name="one_method_per_round"),
            models.CheckConstraint(
                condition=Q(grade="") | Q(graded_at__isnull=False), name="grade_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method.code} in round {self.round_id}"

    @property
    def is_graded(self) -> bool:
        return bool(self.grade)


class AssessmentSession(models.Model):
    """One session of a method: when, how long and how it was held."""

    method_assessment = models.ForeignKey(
        MethodAssessment, on_delete=models.PROTECT, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField()
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=10, choices=SessionMode.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["method_assessment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["method_assessment", "number"], name="one_session_per_number"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="session_duration_positive"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.method_assessment}"

    @property
    def duration_display(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        parts = []
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if minutes:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        return " ".join(parts)


class AssessmentQuestion(models.Model):
    """A question the assessor asked in a session, with notes on the answer and, where the
    method has themes, the theme it belongs to."""

    session = models.ForeignKey(
        AssessmentSession, on_delete=models.PROTECT, related_name="questions"
    )
    number = models.PositiveSmallIntegerField()
    question = models.TextField()
    answer_notes = models.TextField()
    theme = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="one_question_per_number"),
        ]

    def __str__(self) -> str:
        return f"Question {self.number} of {self.session}"


class KsbNote(models.Model):
    """The assessor's note against one KSB the plan maps to the method."""

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "assessor's notes"

    method_assessment = models.ForeignKey(
        MethodAssessment, on_delete=models.PROTECT, related_name="ksb_notes"
    )
    ksb = models.ForeignKey(KSB, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["method_assessment", "ksb__kind", "ksb__number"]
        constraints = [
            models.UniqueConstraint(fields=["method_assessment", "ksb"], name="one_note_per_ksb"),
        ]

    def __str__(self) -> str:
        return f"{self.ksb.code} note for {self.method_assessment_id}"


class Appeal(models.Model):
    """An appeal against a confirmed result, recorded and decided by the assessment
    organisation. An upheld appeal may change the round's overall grade."""

    class Party(models.TextChoices):
        APPRENTICE = "apprentice", "The apprentice"
        EMPLOYER = "employer", "The employer"
        PROVIDER = "provider", "The training provider"

    class Outcome(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        UPHELD = "upheld", "Upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="appeals")
    raised_by = models.CharField(max_length=12, choices=Party.choices)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    grade_before = models.CharField(max_length=20)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    grade_after = models.CharField(max_length=20, blank=True)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"], condition=Q(outcome="open"), name="one_open_appeal_per_round"
            ),
            models.CheckConstraint(
                condition=Q(outcome="open") | (Q(decided_at__isnull=False) & ~Q(grade_after="")),
                name="decided_appeal_has_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal against round {self.round_id}"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN
