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
    "ReasonableAdjustment",
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


class ReasonableAdjustment(models.Model):
    """A reasonable adjustment, in one of three places.

    - work: agreed between the apprentice and their employer contact; only they see it;
    - learning: agreed between the apprentice and the training provider (tutor or admin);
    - assessment: the apprentice asks, the provider passes the request to the assessment
      organisation with the gateway, and the organisation records its decision. The
      assessor sees the ones agreed, on the assessment page.
    Each records who agreed (or decided) and when. Never deleted.
    """

    class Area(models.TextChoices):
        WORK = "work", "At work"
        LEARNING = "learning", "In my learning"
        ASSESSMENT = "assessment", "In the end-point assessment"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked for"
        PASSED = "passed", "Passed to the assessment organisation"
        AGREED = "agreed", "Agreed"
        NOT_AGREED = "not_agreed", "Not agreed"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="adjustments"
    )
    area = models.CharField(max_length=10, choices=Area.choices)
    description = models.TextField("what would help")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    passed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    passed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["area", "requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "passed"], decided_at__isnull=True)
                | (Q(status__in=["agreed", "not_agreed"]) & Q(decided_at__isnull=False)),
                name="adjustment_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(area="assessment") | ~Q(status="passed"),
                name="adjustment_only_assessment_is_passed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()} adjustment for {self.apprenticeship_id}"
