from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Organisation


class EnrolmentImport(models.Model):
    """A spreadsheet of enrolments, read and previewed; nothing is created from it until a
    provider admin confirms, and then every row or none (dataio/services/enrolment.py)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
        QUEUED = "queued", "Being imported"
        COMMITTED = "committed", "Imported"

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="enrolment_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200)
    checksum = models.CharField("SHA-256 of the file", max_length=64)
    # The cells as read, one dict per row of the file: {"row": 2, "values": {column: text}}.
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)
    enrolments_created = models.PositiveIntegerField(default=0)
    # Confirming queues a worker that creates every row (or none): who confirmed, when, and
    # why the last attempt created nothing, if it did not.
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("dataio:enrolment-import-preview", args=[self.pk])


class SubjectAccessRequest(models.Model):
    """A request for everything held about one person, built into a zip by a worker
    (dataio/subject_access.py). Made by the person themselves, or by a provider admin on
    their behalf with the reason recorded."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be prepared"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The provider through whose admin the request was made, when made on their behalf.
    provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    archive = models.FileField(upload_to="subject-access/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Subject access for {self.person_id} ({self.status})"

    @property
    def on_behalf(self) -> bool:
        return self.requested_by_id != self.person_id


class RetentionPolicy(models.Model):
    """How long one provider keeps its apprenticeships' records in full after they end.
    A provider with no row follows the default (apprenticeship.funding_rules
    RECORD_RETENTION_YEARS); see dataio/retention.py."""

    provider = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="retention_policy"
    )
    years = models.PositiveSmallIntegerField(
        "years kept after the end of the funding year the apprenticeship ended in"
    )
    # When False, nothing is deleted on schedule; the admin can still see what is due.
    applies_automatically = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Retention at {self.provider_id}: {self.years} years"


class LegalHold(models.Model):
    """A hold on an apprenticeship's records (an appeal, a complaint, an investigation):
    nothing of it is deleted under the retention policy until the hold is lifted."""

    class Reason(models.TextChoices):
        APPEAL = "appeal", "Appeal"
        COMPLAINT = "complaint", "Complaint"
        INVESTIGATION = "investigation", "Investigation"

    apprenticeship = models.ForeignKey(
        "apprenticeship.Apprenticeship", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    why = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship"],
                condition=models.Q(lifted_at__isnull=True),
                name="legal_hold_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lift_reason=""),
                name="legal_hold_lifted_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} hold on {self.apprenticeship_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RetentionErasure(models.Model):
    """An apprenticeship whose personal files and texts were deleted under its provider's
    retention policy: what remains is the minimal record (who, which standard, dates,
    result). `counts` says how many of each were deleted; never any content."""

    apprenticeship = models.OneToOneField(
        "apprenticeship.Apprenticeship", on_delete=models.PROTECT, related_name="retention_erasure"
    )
    ended_on = models.DateField()
    kept_until = models.DateField()
    erased_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Records of {self.apprenticeship_id} reduced on {self.erased_at:%Y-%m-%d}"


class Export(models.Model):
    """A large CSV export, built by a worker into a file the person who asked downloads
    (dataio/exports.py). Small exports stream straight from the request instead."""

    class Kind(models.TextChoices):
        CASELOAD = "caseload", "Caseload"
        PROVIDER = "provider", "Every apprenticeship with its figures"
        FUNDING_RETURN = "funding_return", "Off-the-job hours for the funding return"

    class Status(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be prepared"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The figures are as of this day, the day it was asked for.
    as_of = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("dataio:export-detail", args=[self.pk])

    @property
    def filename(self) -> str:
        stem = {
            self.Kind.CASELOAD: "caseload",
            self.Kind.PROVIDER: "apprenticeships",
            self.Kind.FUNDING_RETURN: "funding-return-off-the-job",
        }[self.Kind(self.kind)]
        return f"{stem}-{self.as_of.isoformat()}.csv"
