"""The apprentice's wellbeing plan, as the ImROC guide recommends every peer worker keeps:
what keeps me well, what stresses me, early signs, what helps and who to contact.

The plan is the apprentice's own and private by default. Each save makes a new version;
earlier versions are kept for the apprentice alone. The apprentice shares single sections
with their tutor and/or employer contact, and can withdraw a share at once: a share is a
row, ended when withdrawn, so the history of sharing is kept while the text never leaves
the plan. The plan never goes into PDFs, the frozen portfolio, emails or exports.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apprenticeship.models import Apprenticeship

__all__ = [
    "WellbeingAudience",
    "WellbeingPlan",
    "WellbeingPlanVersion",
    "WellbeingSection",
    "WellbeingShare",
]


class WellbeingSection(models.TextChoices):
    KEEPS_ME_WELL = "keeps_me_well", "What keeps me well"
    STRESSES_ME = "stresses_me", "What stresses me"
    EARLY_SIGNS = "early_signs", "Early signs that I am not coping"
    WHAT_HELPS = "what_helps", "What helps"
    WHO_TO_CONTACT = "who_to_contact", "Who to contact"


class WellbeingAudience(models.TextChoices):
    TUTOR = "tutor", "your tutor"
    EMPLOYER = "employer", "your employer contact"


class WellbeingPlan(models.Model):
    apprenticeship = models.OneToOneField(
        Apprenticeship, on_delete=models.PROTECT, related_name="wellbeing_plan"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Wellbeing plan for {self.apprenticeship_id}"


class WellbeingPlanVersion(models.Model):
    """One saved version of the plan: the five sections as the apprentice wrote them."""

    plan = models.ForeignKey(WellbeingPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    keeps_me_well = models.TextField(blank=True)
    stresses_me = models.TextField(blank=True)
    early_signs = models.TextField(blank=True)
    what_helps = models.TextField(blank=True)
    who_to_contact = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="wellbeing_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Wellbeing plan version {self.number}"

    def text_of(self, section: str) -> str:
        return getattr(self, WellbeingSection(section).value)


class WellbeingShare(models.Model):
    """One section shared with one audience, from `shared_at` until `withdrawn_at`."""

    plan = models.ForeignKey(WellbeingPlan, on_delete=models.PROTECT, related_name="shares")
    section = models.CharField(max_length=20, choices=WellbeingSection.choices)
    audience = models.CharField(max_length=10, choices=WellbeingAudience.choices)
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "section", "audience"],
                condition=Q(withdrawn_at__isnull=True),
                name="wellbeing_one_active_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} shared with {self.get_audience_display()}"
