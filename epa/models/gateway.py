"""Gateway: the English and maths record, the employer's and provider's sealed
declarations, and the snapshot of the portfolio frozen when gateway passes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.changes import EndedQuerySet, Ending

__all__ = ["EnglishMaths", "GatewayDeclaration", "GatewaySnapshot"]


class EnglishMaths(models.Model):
    """How the apprentice has shown English and maths, as the tutor recorded it."""

    class English(models.TextChoices):
        NOT_YET = "", "Not evidenced yet"
        LEVEL_2 = "level_2", "Level 2 (or higher)"
        ENTRY_3_EHC = "entry_3_ehc", "Entry Level 3, with an EHC plan"
        BSL = "bsl", "British Sign Language qualification, instead of English"

    class Maths(models.TextChoices):
        NOT_YET = "", "Not evidenced yet"
        LEVEL_2 = "level_2", "Level 2 (or higher)"
        ENTRY_3_EHC = "entry_3_ehc", "Entry Level 3, with an EHC plan"

    apprenticeship = models.OneToOneField(
        Apprenticeship, on_delete=models.PROTECT, related_name="english_maths"
    )
    english = models.CharField(max_length=12, choices=English.choices, blank=True)
    maths = models.CharField(max_length=12, choices=Maths.choices, blank=True)
    has_ehc_plan = models.BooleanField(
        "has an education, health and care (EHC) plan or a legacy statement", default=False
    )
    evidence = models.CharField(
        "how it was evidenced",
        max_length=300,
        blank=True,
        help_text="For example: GCSE English grade 5 (2009), certificate seen.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "English and maths record"

    def __str__(self) -> str:
        return f"English and maths for {self.apprenticeship_id}"


class GatewayDeclarationQuerySet(EndedQuerySet):
    pass


class GatewayDeclaration(models.Model):
    """The employer's or the provider's confirmation that the apprentice is ready for
    end-point assessment. Sealed when made: `digest` is the SHA-256 of the canonical JSON
    of `content`, everything the person confirmed. Withdrawing keeps the row."""

    class Party(models.TextChoices):
        EMPLOYER = "employer", "Employer"
        PROVIDER = "provider", "Training provider"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="gateway_declarations"
    )
    party = models.CharField(max_length=10, choices=Party.choices)
    statement = models.TextField()
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = GatewayDeclarationQuerySet.as_manager()
    ENDING = Ending(at="withdrawn_at", by="withdrawn_by", reason="withdrawal_reason")

    class Meta:
        ordering = ["declared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "party"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_declaration_per_party",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="declaration_withdrawal_has_reason",
            ),
        ]
        indexes = [
            # The IQA lead's list of decisions to add to a sample, newest first, a page at
            # a time (quality/iqa/selectors.py `addable`).
            models.Index(fields=["declared_at", "id"], name="declaration_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} declaration for {self.apprenticeship_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class GatewaySnapshot(models.Model):
    """The portfolio as it stood when gateway passed: every submitted item with its files
    (by checksum), the mapping, sign-offs, reviews and the off-the-job summary. Written
    once and never changed; `digest` seals `content`, so a change would show."""

    apprenticeship = models.OneToOneField(
        Apprenticeship, on_delete=models.PROTECT, related_name="gateway_snapshot"
    )
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField()
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Gateway snapshot of {self.apprenticeship_id}"
