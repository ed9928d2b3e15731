"""Off-the-job training: the apprentice's log, and the training plan that says how much is
required and how it is split across the standard's duties.

A log entry waits for verification, then the tutor or employer verifies or rejects it. An
entry with a decision is never changed: changing it makes a new version (a new row), the
old row is kept and marked as no longer current. Totals count only current entries that
are not rejected and whose activity counts (English and maths study never does).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from portfolio.evidence.models import Evidence
from standards.models import Duty

__all__ = [
    "OtjPlannedMonth",
    "ActivityType",
    "NOT_COUNTED_ACTIVITIES",
    "OtjAllocation",
    "OtjEntry",
    "OtjPlan",
    "OtjStanding",
]

MINUTES_IN_A_DAY = 24 * 60


class ActivityType(models.TextChoices):
    TEACHING = "teaching", "Teaching and theory"
    PRACTICAL = "practical", "Practical training"
    SHADOWING = "shadowing", "Shadowing"
    MENTORING = "mentoring", "Mentoring"
    SUPERVISION = "supervision", "Supervision"
    INDUSTRY_VISIT = "industry_visit", "Industry visit"
    WRITING = "writing", "Writing assignments"
    ONLINE = "online", "Online learning"
    OTHER = "other", "Other"
    ENGLISH_MATHS = "english_maths", "English and maths study (does not count)"


# Logged so the provider can see it, but never counted towards off-the-job training.
NOT_COUNTED_ACTIVITIES = frozenset({ActivityType.ENGLISH_MATHS})


class OtjEntryQuerySet(models.QuerySet["OtjEntry"]):
    def current(self) -> "OtjEntryQuerySet":
        """The latest version of each entry."""
        return self.filter(is_current=True)

    def counted(self) -> "OtjEntryQuerySet":
        """What counts towards the totals: current, not rejected, a counted activity."""
        return (
            self.current()
            .exclude(status=OtjEntry.Status.REJECTED)
            .exclude(activity_type__in=NOT_COUNTED_ACTIVITIES)
        )

    def for_log(self) -> "OtjEntryQuerySet":
        return self.select_related("duty", "evidence", "decided_by", "created_by")


class OtjEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "off-the-job entries"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="otj_entries"
    )
    date = models.DateField("date of the training")
    minutes = models.PositiveIntegerField("time spent (minutes)")
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    duty = models.ForeignKey(
        Duty, null=True, blank=True, on_delete=models.PROTECT, related_name="otj_entries"
    )
    description = models.TextField("what you did and learned")
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="otj_entries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The role the decision was made in ("tutor" or "employer"), as it was at the time.
    decided_as = models.CharField(max_length=12, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # Every version of one entry shares a lineage; exactly one of them is current.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True)
    # Goes up on every change in place (only entries waiting for verification change in
    # place), so a verifier never verifies text they have not seen.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OtjEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "off-the-job entry"
        verbose_name_plural = "off-the-job entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=MINUTES_IN_A_DAY),
                name="otj_entry_minutes_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(activity_type__in=[a.value for a in NOT_COUNTED_ACTIVITIES])
                | Q(duty__isnull=False),
                name="otj_entry_counted_activity_has_duty",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="otj_entry_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="otj_entry_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="otj_entry_one_current"
            ),
            models.UniqueConstraint(fields=["lineage", "version"], name="otj_entry_version"),
        ]
        indexes = [
            # One apprenticeship's current entries for one duty, and its totals per duty
            # (the apprenticeship's page and off-the-job summary), read from the index
            # alone: the columns after the duty are there only to be read, as with
            # `otj_entry_current_totals`. Entries are written over time, so one
            # apprenticeship's rows lie scattered among everyone's, a page of the table
            # for almost every entry of a long log.
            models.Index(
                fields=["apprenticeship", "duty", "status", "activity_type", "minutes"],
                condition=Q(is_current=True),
                name="otj_entry_current_duty_totals",
            ),
            models.Index(
                fields=["apprenticeship", "date"],
                condition=Q(is_current=True),
                name="otj_entry_current_date",
            ),
            # The log's page: one apprenticeship's current entries, newest day first.
            models.Index(
                fields=["apprenticeship", "-date", "-id"],
                condition=Q(is_current=True),
                name="otj_entry_log_order",
            ),
            # Read from the index alone, without visiting a row: how many entries of one
            # apprenticeship were rejected, which the apprentice's "Waiting for you"
            # counts, and its totals (minutes logged and verified, the last day of
            # training, the entries waiting), which `OtjStanding` is worked out from on
            # every change to the log. The columns after the status are there
            # only to be read; as key columns (not INCLUDE) the index is the same on
            # SQLite.
            models.Index(
                fields=["apprenticeship", "status", "activity_type", "date", "minutes"],
                condition=Q(is_current=True),
                name="otj_entry_current_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} minutes on {self.date:%-d %B %Y} for {self.apprenticeship_id}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:otj-entry-detail", args=[self.pk])

    @property
    def counts(self) -> bool:
        """Whether this kind of activity counts towards off-the-job training."""
        return self.activity_type not in NOT_COUNTED_ACTIVITIES

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class OtjStanding(models.Model):
    """Where one apprenticeship's off-the-job log stands, in columns: the minutes logged
    and verified that count, the last day of training that counts and the entries waiting
    to be verified. A list of apprenticeships (the caseload, the exports, "Waiting for
    you") reads one row for each, however long their logs, instead of summing every entry.
    Only the log services write it, through `services.standing.refresh_otj_standing`, in
    the same transaction as the change; it holds nothing that is not also in the entries
    themselves.

    No row means no entries: every column's empty value says exactly that, so the lists
    read a missing row the same as an empty one."""

    apprenticeship = models.OneToOneField(
        Apprenticeship,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="otj_standing",
    )
    # Minutes of the current entries that count (not rejected, a counted activity).
    logged = models.PositiveIntegerField(default=0)
    # Of those, the minutes verified.
    verified = models.PositiveIntegerField(default=0)
    # The latest day of an entry that counts, if there is one.
    last_training = models.DateField(null=True, blank=True)
    # Current entries waiting to be verified (of any activity, counted or not).
    pending = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Off-the-job standing of {self.apprenticeship_id}"


class OtjPlan(models.Model):
    """The training plan's settings for one enrolment. Without a row the defaults apply:
    statutory leave of 5.6 weeks a year, no prior learning, the standard's default split."""

    apprenticeship = models.OneToOneField(
        Apprenticeship, on_delete=models.PROTECT, related_name="otj_plan"
    )
    leave_weeks_per_year = models.DecimalField(
        "statutory leave (weeks a year)", max_digits=4, decimal_places=2, default="5.60"
    )
    prior_learning_minutes = models.PositiveIntegerField(default=0)
    prior_learning_reason = models.TextField(blank=True)
    # True once the tutor has saved their own split across duties (OtjAllocation rows).
    has_custom_split = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_weeks_per_year__gte=0) & Q(leave_weeks_per_year__lte=10),
                name="otj_plan_leave_in_range",
            ),
            models.CheckConstraint(
                condition=Q(prior_learning_minutes=0) | ~Q(prior_learning_reason=""),
                name="otj_plan_prior_learning_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Off-the-job plan for {self.apprenticeship_id}"


class OtjAllocation(models.Model):
    """The minutes the tutor planned for one duty."""

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "off-the-job plan lines"

    plan = models.ForeignKey(OtjPlan, on_delete=models.CASCADE, related_name="allocations")
    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["duty__number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "duty"], name="otj_allocation_one_per_duty"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} minutes for duty {self.duty_id}"


class OtjPlannedMonth(models.Model):
    """The tutor's schedule: minutes of training planned for one duty in one calendar
    month. From 1 August 2025 off-the-job training may be delivered unevenly, so whether an
    apprentice is behind is judged against this schedule, not an even pace."""

    plan = models.ForeignKey(OtjPlan, on_delete=models.CASCADE, related_name="schedule")
    month = models.DateField(help_text="The first day of the month.")
    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["month", "duty__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "month", "duty"], name="otj_planned_month_one_per_duty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} minutes for duty {self.duty_id} in {self.month:%B %Y}"
