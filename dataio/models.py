from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Organisation


class EnrolmentImport(models.Model):
    """A spreadsheet of enrolments, read and previewed; nothing is created from it until a
    provider admin confirms, and then every row or none (dataio/services.py)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
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
