from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship


class Report(models.Model):
    """One PDF built from one state of an apprenticeship for one audience.

    The fingerprint is a hash of everything the PDF shows, so asking again with nothing
    changed finds the same row and the same file.
    """

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", "Portfolio report"
        GATEWAY_PACK = "gateway_pack", "Gateway pack"

    class Audience(models.TextChoices):
        # The full portfolio, for the apprentice, tutor and provider.
        FULL = "full", "Full copy"
        # Leaves out what the apprentice hid from their employer.
        EMPLOYER = "employer", "Employer's copy"
        # The frozen gateway snapshot, for the independent assessor.
        ASSESSOR = "assessor", "Assessor's copy"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be built"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The report's HTML as it was asked for, and the stored files it embeds; the worker
    # renders exactly this, so the PDF matches the fingerprint. Emptied once built.
    html = models.TextField(blank=True)
    files = models.JSONField(default=dict, blank=True)
    # The report in parts (reports.sections): while it waits, each part's HTML; once
    # built, each part's fingerprint, page count and stored PDF, so the next build of the
    # same report reuses the parts that did not change. Empty for a report asked for
    # before reports were built in parts (its whole HTML is in `html`).
    sections = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "kind", "audience", "fingerprint"],
                name="one_report_per_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.apprenticeship_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("reports:report-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def kind_slug(self) -> str:
        return self.kind.replace("_", "-")

    @property
    def download_name(self) -> str:
        kind = "gateway-pack" if self.kind == self.Kind.GATEWAY_PACK else "portfolio"
        return f"{kind}-{self.apprenticeship_id}-{self.fingerprint[:8]}.pdf"
