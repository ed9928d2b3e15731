import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.changes import EndedQuerySet, Ending
from standards.models import CompetenceFramework, Duty, FrameworkUnit, StandardVersion


class Role(models.TextChoices):
    """What a person is to one apprenticeship. Access rules are written in these terms."""

    APPRENTICE = "apprentice", "Apprentice"
    TUTOR = "tutor", "Tutor"
    EMPLOYER = "employer", "Employer contact"
    ASSESSOR = "assessor", "Independent assessor"
    ADMIN = "admin", "Provider admin"
    # Comes from administering the apprenticeship's end-point assessment organisation; seen
    # only after gateway, like the assessor.
    EPAO_ADMIN = "epao_admin", "Assessment organisation admin"
    # Named by the assessment organisation's admin; reviews a sample of its results before
    # they are released. Seen only after gateway, and never on a result they assessed.
    MODERATOR = "moderator", "Moderator"


# Roles held through a Membership row; the apprentice is on the enrolment itself and the
# admin roles come from administering the enrolment's training provider or its end-point
# assessment organisation.
MEMBERSHIP_ROLES = (Role.TUTOR, Role.EMPLOYER, Role.ASSESSOR)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", "Training provider"
        EMPLOYER = "employer", "Employer"
        EPAO = "epao", "End-point assessment organisation"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The training provider whose admins look after this organisation's record. A top-level
    # provider manages itself (managed_by is empty).
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed",
        limit_choices_to={"kind": Kind.PROVIDER},
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A provider's own setting: the tutor's caseload gently flags an apprentice who has had
    # no supervision of either kind for longer than this (the ImROC guide's advice is that
    # peer workers have regular managerial and peer supervision).
    supervision_interval_weeks = models.PositiveSmallIntegerField(
        "weeks without supervision before the caseload says so",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("apprenticeship:organisation-detail", args=[self.pk])


class OrganisationMembership(models.Model):
    """A person works for an organisation. Ended rows are kept: independence checks ask
    whether someone ever worked for the employer or the provider."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    is_admin = models.BooleanField(default=False)
    # At an assessment organisation: moderates its results (see quality.moderation).
    is_moderator = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(is_active=True),
                name="one_active_org_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class OrganisationInvitation(models.Model):
    """An invitation for someone who already has an account to work for an organisation.

    Adding an existing account to an organisation gives them nothing until they accept,
    signed in as themselves: an admin of one provider cannot pull another provider's person
    (or anyone else) into their organisation by typing an email address. Accepting makes
    the OrganisationMembership; declined and accepted invitations are kept."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    is_admin = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        OrganisationMembership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False),
                name="answered_invitation_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.organisation}"


class ApprenticeshipQuerySet(models.QuerySet["Apprenticeship"]):
    def with_people(self) -> "ApprenticeshipQuerySet":
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related(
            "apprentice", "standard_version", "provider", "employer", "epao"
        ).with_active_members()

    def with_active_members(self) -> "ApprenticeshipQuerySet":
        """The active memberships with their people, in one more query (`tutors`,
        `employer_contacts` and `assessors` read them)."""
        return self.prefetch_related(
            models.Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True).select_related("user"),
                to_attr="active_memberships",
            )
        )


class Apprenticeship(models.Model):
    """An enrolment: one apprentice on one version of a standard."""

    class Status(models.TextChoices):
        ON_PROGRAMME = "on_programme", "In training"
        GATEWAY = "gateway", "Passed gateway"
        EPA = "epa", "In end-point assessment"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    POST_GATEWAY = (Status.GATEWAY, Status.EPA, Status.COMPLETED)

    apprentice = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="apprenticeships"
    )
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="apprenticeships"
    )
    # Competence frameworks the provider turned on for this apprenticeship (such as the
    # NCCMH framework): evidence may then be mapped to their units as well.
    competence_frameworks = models.ManyToManyField(
        CompetenceFramework, related_name="apprenticeships", blank=True
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="provider_apprenticeships"
    )
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="employer_apprenticeships"
    )
    epao = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="epao_apprenticeships",
        verbose_name="end-point assessment organisation",
    )
    start_date = models.DateField()
    planned_end_date = models.DateField()
    contracted_weekly_hours = models.DecimalField(max_digits=4, decimal_places=1)
    date_of_birth = models.DateField()
    uln = models.CharField("unique learner number", max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ON_PROGRAMME)
    gateway_passed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ApprenticeshipQuerySet.as_manager()

    # Set by apprenticeship.access on the rows it loads, not stored: the viewing user's roles
    # here, and the query annotations they are worked out from.
    viewer_roles: frozenset[Role]
    as_tutor: bool
    as_employer: bool
    as_assessor: bool
    as_admin: bool
    as_epao_admin: bool
    as_moderator: bool

    class Meta:
        ordering = ["apprentice__full_name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=models.F("start_date")),
                name="apprenticeship_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(contracted_weekly_hours__gt=0),
                name="apprenticeship_hours_positive",
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"])]

    def __str__(self) -> str:
        return f"{self.apprentice} on {self.standard_version.reference}"

    def get_absolute_url(self) -> str:
        return reverse("dashboards:apprenticeship-detail", args=[self.pk])

    @property
    def is_post_gateway(self) -> bool:
        return self.status in self.POST_GATEWAY

    def age_at_start(self) -> int:
        born, start = self.date_of_birth, self.start_date
        return start.year - born.year - ((start.month, start.day) < (born.month, born.day))

    def months_on_programme(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        if today < self.start_date:
            return 0
        months = (today.year - self.start_date.year) * 12 + today.month - self.start_date.month
        return months - (1 if today.day < self.start_date.day else 0)

    def people(self, role: str) -> list:
        """Active members in a role; needs `with_people()` or `with_active_members()` (no
        query of its own)."""
        return [m.user for m in getattr(self, "active_memberships", []) if m.role == role]

    @property
    def tutors(self) -> list:
        return self.people(Role.TUTOR)

    @property
    def employer_contacts(self) -> list:
        return self.people(Role.EMPLOYER)

    @property
    def assessors(self) -> list:
        return self.people(Role.ASSESSOR)


class Membership(models.Model):
    """A person's role on one apprenticeship (tutor, employer contact, assessor).

    Ending a membership keeps the row, so "was ever the tutor" can be answered.
    """

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    ENDING = Ending(at="ended_at", by=None, reason="ended_reason")

    class Meta:
        ordering = ["role", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "user", "role"],
                condition=Q(is_active=True),
                name="one_active_membership_per_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in MEMBERSHIP_ROLES]),
                name="membership_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active", "role"])]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} for {self.apprenticeship_id}"


class BreakInLearningQuerySet(EndedQuerySet):
    """`active()`: breaks that apply (one recorded in error is cancelled, and kept)."""

    def spans(self) -> list[tuple[dt.date, dt.date | None]]:
        """(first day, last day or None) of each active break, for apprenticeship.funding_rules."""
        return [
            (first, last)
            for first, last in self.active()
            .order_by("start_date")
            .values_list("start_date", "end_date")
        ]


class BreakInLearning(models.Model):
    """A time the apprentice is away from their apprenticeship (illness, caring, a change of
    job). It pauses the expected pace of training and moves the planned end later.

    The last day stays empty while the return date is not known. A break recorded in error
    is cancelled with a reason, never deleted.
    """

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="breaks_in_learning"
    )
    start_date = models.DateField("first day of the break")
    end_date = models.DateField("last day of the break", null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)

    objects = BreakInLearningQuerySet.as_manager()
    ENDING = Ending(at="cancelled_at", by="cancelled_by", reason="cancel_reason")

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name_plural = "breaks in learning"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="break_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="break_cancel_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["apprenticeship", "start_date"])]

    def __str__(self) -> str:
        return f"Break from {self.start_date:%-d %B %Y} for {self.apprenticeship_id}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def span(self) -> tuple[dt.date, dt.date | None]:
        return (self.start_date, self.end_date)


class InterimOtjMinimum(models.Model):
    """A training provider's own off-the-job minimum for one standard version, for starts
    from 1 August 2025, entered while the official published minimum is not loaded. It
    applies to that provider's apprenticeships only, says who entered it and what source
    they cite, and gives way to the official figure as soon as a standard file carrying it
    is imported. Changes are in the history."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="interim_otj_minimums",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="interim_otj_minimums"
    )
    hours = models.PositiveIntegerField()
    source = models.CharField(
        max_length=300, help_text="Where the figure comes from, so others can check it."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "standard_version"], name="one_interim_minimum_per_standard"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="interim_minimum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} hours for {self.standard_version_id} at {self.provider_id}"


class CrosswalkSuggestion(models.Model):
    """The provider's mapping: a unit of a competence framework (the NCCMH framework) that a
    training provider suggests for one duty of a standard. No official crosswalk between
    ST0896 and the NCCMH framework exists, so this is the provider's own data, shown as
    such: apprentices see the suggestions when they map evidence to a duty, and nothing is
    ever mapped for them."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="crosswalk_suggestions",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    # A duty replaced on a re-import, with nothing relying on it, is deleted: its
    # suggestions go with it (the provider then maps the new duty).
    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(FrameworkUnit, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    # The provider's settings about a duty, not a record relying on it: moving an
    # apprenticeship to another standard version or re-importing the standard leaves the
    # mapping as it is (standards/services/references.py). Pages show current duties only.
    is_statement_reference = False

    class Meta:
        ordering = ["duty__number", "unit__section__number", "unit__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "duty", "unit"], name="crosswalk_suggestion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} suggested for duty {self.duty_id} at {self.provider_id}"


class DecisionStage(models.TextChoices):
    """The kinds of tutor decision on an apprenticeship that internal quality assurance
    samples and reports on."""

    EVIDENCE = "evidence", "Evidence decisions"
    SIGN_OFF = "sign_off", "Duty sign-offs"
    REVIEW = "review", "Progress reviews"
    GATEWAY = "gateway", "Gateway confirmations"


class DecisionDay(models.Model):
    """How many decisions of one kind one person made on one day (in the service's time
    zone) on a training provider's apprenticeships. The IQA report sums these rows for its
    period instead of counting every decision, so it reads a few rows a tutor a day however
    many decisions there were.

    Only the four services that record a decision write it, through
    `services.count_decision`, in the same transaction: accepting or referring evidence,
    signing off a duty, the tutor signing a progress review, and the provider confirming
    gateway. A decision is never deleted, so a count only ever grows. It holds nothing that
    is not also in the decisions themselves (quality/migrations/0006_fill_decision_days.py
    worked it out from them once)."""

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=10, choices=DecisionStage.choices)
    day = models.DateField()
    decisions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index the report reads: one provider's days in a period.
            models.UniqueConstraint(
                fields=["provider", "day", "made_by", "stage"], name="decision_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decisions} {self.stage} by {self.made_by_id} on {self.day}"
