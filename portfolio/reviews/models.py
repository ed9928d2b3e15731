"""Progress reviews: the tripartite meetings of apprentice, employer contact and tutor.

A review is planned, then recorded. What was recorded lives in a `ReviewVersion`: the date,
what was discussed, the targets, the employer's view, the private wellbeing check-in and
the progress snapshot taken when it was recorded. Each party signs a version, and the
signature keeps the seal (the SHA-256 digest of the canonical content that party agreed
to, see audit/seals.py). Once anyone has signed a version it is never changed: an edit
makes the next version, which starts with no signatures, and the old version stays
readable with its signatures.

The funding rules' interval between reviews is in apprenticeship/funding_rules.py; an
interval agreed for one apprenticeship, with its reason, is an `AgreedReviewInterval`.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship
from audit.changes import Ending

__all__ = [
    "AgreedReviewInterval",
    "Review",
    "ReviewParty",
    "ReviewReminder",
    "ReviewSignature",
    "ReviewSigningLink",
    "ReviewStanding",
    "ReviewTarget",
    "ReviewVersion",
]


class ReviewParty(models.TextChoices):
    """The three people who sign a progress review, in the order the page shows them."""

    APPRENTICE = "apprentice", "Apprentice"
    EMPLOYER = "employer", "Employer"
    TUTOR = "tutor", "Tutor"


class AgreedReviewInterval(models.Model):
    """A review interval agreed for one apprenticeship instead of the funding rule's, with
    the reason. One longer than the rule's also records the employer's agreement: which of
    the apprenticeship's employer contacts agreed, and on what day (the tutor records it).
    Ending it (going back to the rule) keeps the row."""

    class Unit(models.TextChoices):
        WEEKS = funding_rules.ReviewInterval.WEEKS, "weeks"
        MONTHS = funding_rules.ReviewInterval.MONTHS, "months"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="agreed_review_intervals"
    )
    every = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=6, choices=Unit.choices)
    reason = models.TextField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)
    employer_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="employer contact who agreed",
    )
    employer_agreed_on = models.DateField("day the employer agreed", null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-agreed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship"],
                condition=Q(ended_at__isnull=True),
                name="one_agreed_review_interval",
            ),
            models.CheckConstraint(condition=Q(every__gte=1), name="review_interval_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="review_interval_has_reason"),
            models.CheckConstraint(
                condition=Q(employer_agreed_by__isnull=True, employer_agreed_on__isnull=True)
                | Q(employer_agreed_by__isnull=False, employer_agreed_on__isnull=False),
                name="review_interval_employer_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Reviews every {self.interval} for {self.apprenticeship_id}"

    @property
    def interval(self) -> funding_rules.ReviewInterval:
        return funding_rules.ReviewInterval(self.every, self.unit)


class ReviewStanding(models.Model):
    """Where one apprenticeship's reviews stand, in columns, so every list and count reads
    one row per apprenticeship instead of working it out from all its reviews (the provider
    overview counts thousands at once). Only the review services write it, through
    `services.standing.refresh_standing`, in the same transaction as the change; it holds
    nothing that is not also in the reviews and agreed intervals themselves.

    No row means no review and no agreed interval yet: every column's empty value says
    exactly that, so the lists read a missing row the same as an empty one. What depends on
    today (overdue, due soon) is worked out when read (`schedule.review_due_state`)."""

    apprenticeship = models.OneToOneField(
        Apprenticeship,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review_standing",
    )
    # The day the last review was held (recorded), if one has been.
    last_held_on = models.DateField(null=True, blank=True)
    # The interval agreed for this apprenticeship and in force, in its two parts (one of
    # them 0), or both empty: the funding rule's interval for the start date applies.
    agreed_months = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    # The earliest planned review's date, if one is planned.
    next_planned = models.DateField(null=True, blank=True)
    # How many held reviews wait for signatures.
    awaiting_signatures = models.PositiveIntegerField(default=0)
    # Whether a review was signed by everyone more than LATE_SIGNATURE_DAYS after it was
    # held (schedule.LATE_SIGNATURE_DAYS).
    signed_late = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Review standing of {self.apprenticeship_id}"


class ReviewQuerySet(models.QuerySet["Review"]):
    def with_current(self) -> "ReviewQuerySet":
        """The current version, its signatory, targets and signatures, in fixed queries."""
        return self.select_related(
            "current_version__employer_signatory", "current_version__created_by", "created_by"
        ).prefetch_related(
            "current_version__targets",
            models.Prefetch(
                "current_version__signatures",
                queryset=ReviewSignature.objects.select_related("signer"),
            ),
        )

    def held(self) -> "ReviewQuerySet":
        """Reviews that took place (recorded), whether or not everyone has signed yet."""
        return self.filter(status__in=Review.HELD)


class Review(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Planned"
        AWAITING_SIGNATURES = "awaiting_signatures", "Waiting for signatures"
        SIGNED = "signed", "Signed by everyone"
        CANCELLED = "cancelled", "Called off"

    HELD = (Status.AWAITING_SIGNATURES, Status.SIGNED)

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateField("planned for", null=True, blank=True)
    current_version = models.ForeignKey(
        "ReviewVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version people sign now. Empty until the review is recorded.",
    )
    # When the last of the three signatures on the current version came in.
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancellation_reason = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()

    ENDING = Ending(at="cancelled_at", by="cancelled_by", reason="cancellation_reason")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["apprenticeship", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="review_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="signed") | Q(signed_at__isnull=True),
                name="review_signed_at_only_when_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"Progress review {self.pk} for {self.apprenticeship_id}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:review-detail", args=[self.pk])

    @property
    def date(self):
        """The day it was held, or the day it is planned for. Needs `current_version`
        loaded (see `with_current()`)."""
        if self.current_version is not None:
            return self.current_version.held_on
        return self.scheduled_for

    def recorded_version(self) -> "ReviewVersion":
        """The current version of a review that has been recorded. Only for reviews known
        to be recorded (held, or found through their version): a planned review has none,
        and asking for it is a mistake in the code, so it raises ValueError."""
        if self.current_version is None:
            raise ValueError(
                f"Progress review {self.pk} has not been recorded, so it has no version."
            )
        return self.current_version


def new_private_salt() -> str:
    return secrets.token_hex(32)


class ReviewVersion(models.Model):
    """What was recorded at one review, as one set of signatures agreed to it."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone call"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    held_on = models.DateField("date of the review")
    format = models.CharField(
        "how it was held", max_length=10, choices=Format.choices, default=Format.IN_PERSON
    )
    employer_signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The employer contact who signs this review.",
    )
    # Progress against duties, evidence (and OTJ) when the review was recorded: the output of
    # portfolio.services.reviews.progress_snapshot, kept as it was so the signed record
    # never changes when the portfolio does.
    progress = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    discussion = models.TextField("what was discussed")
    employer_view = models.TextField("the employer's view", blank=True)
    wellbeing = models.TextField(
        "wellbeing check-in",
        blank=True,
        help_text="Only the apprentice and the tutor see this.",
    )
    # A random value sealed with the wellbeing check-in and never shown. Without it, anyone
    # who can read the rest of the review and a seal could test guesses at the private
    # check-in (even whether it is empty) by hashing them.
    private_salt = models.CharField(max_length=64, default=new_private_salt, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Changed in place only while nobody has signed this version.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Review {self.review_id}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:review-version", args=[self.review_id, self.number])

    @property
    def progress_for_display(self) -> dict:
        """The progress snapshot with its ISO dates read back as dates (no query)."""

        def day(value):
            return dt.date.fromisoformat(value) if value else None

        progress = dict(self.progress or {})
        progress["as_of"] = day(progress.get("as_of"))
        if "duties" in progress:
            duties = dict(progress["duties"])
            duties["items"] = [
                {**item, "signed_off_on": day(item.get("signed_off_on"))}
                for item in duties.get("items", [])
            ]
            progress["duties"] = duties
        return progress

    def signature_for(self, party: str) -> "ReviewSignature | None":
        """The party's signature, from prefetched `signatures` (no query of its own)."""
        return next((s for s in self.signatures.all() if s.party == party), None)

    @property
    def signed_parties(self) -> set[str]:
        return {s.party for s in self.signatures.all()}


class ReviewTarget(models.Model):
    """One target agreed at a review, with the date it is due. Part of the version."""

    version = models.ForeignKey(ReviewVersion, on_delete=models.PROTECT, related_name="targets")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    due_on = models.DateField("due by")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="review_target_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ReviewSigningLink(models.Model):
    """A single-use, expiring link with which the employer signatory signs one version
    without signing in. Only the SHA-256 of the token is stored."""

    class Purpose(models.TextChoices):
        EMPLOYER_SIGNATURE = "employer_signature", "Employer's signature"

    version = models.ForeignKey(
        ReviewVersion, on_delete=models.PROTECT, related_name="signing_links"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer link replaces this one.
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The plain token, only on the object `send_signing_link` returns: it is never stored.
    token: str

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Signing link for {self.version}"

    def is_open(self, now) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class ReviewSignature(models.Model):
    """One party's signature on one version, with the seal of what they agreed to."""

    class Method(models.TextChoices):
        IN_APP = "in_app", "Signed in to the portfolio"
        EMAIL_LINK = "email_link", "Through an emailed link"

    version = models.ForeignKey(ReviewVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=10, choices=ReviewParty.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name as it was when they signed.
    signer_name = models.CharField(max_length=150)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.IN_APP)
    link = models.ForeignKey(
        ReviewSigningLink, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    seal_format = models.PositiveSmallIntegerField(default=1)
    digest = models.CharField("seal", max_length=64)

    class Meta:
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            # One signature per party per version, so two clicks at once give one.
            models.UniqueConstraint(fields=["version", "party"], name="one_signature_per_party"),
        ]
        indexes = [
            # The IQA lead's list of decisions to add to a sample, newest first, a page at
            # a time (quality/iqa/selectors.py `addable`).
            models.Index(fields=["signed_at", "id"], name="review_signature_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} signature on {self.version}"


class ReviewReminder(models.Model):
    """An email sent about a review, logged once per due event and recipient. The unique
    constraint means two workers running at once still send it once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Review due soon"
        OVERDUE = "overdue", "Review overdue"
        SIGNATURE_REQUEST = "signature_request", "Please sign"
        SIGNATURE_WAITING = "signature_waiting", "Still waiting for a signature"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the event is about: "due:<date>" for an apprenticeship's due date,
    # "version:<id>" for one version waiting for signatures.
    key = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="review_reminders"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "apprenticeship", "key", "recipient"],
                name="one_review_reminder_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} ({self.key})"
