"""Policies an organisation sets for itself, kept apart from what the standard or the funding
rules require: a training provider's own gateway requirements, and an assessment
organisation's own resit and retake policy where the assessment plan states none."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apprenticeship.models import Organisation
from standards.models import ResitScope, StandardVersion

__all__ = ["GatewayPolicy", "ResitPolicy"]


class GatewayPolicy(models.Model):
    """The gateway items a training provider requires of its own apprentices beyond those
    the standard or the funding rules require. No stored source asks for them, so each is
    the provider's choice; with no row, every one is on."""

    # (field, what the gateway checklist item checks), in the checklist's order.
    ITEMS = (
        ("require_duties_signed_off", "Every duty signed off by the tutor"),
        ("require_otj_verified", "Every hour of off-the-job training verified"),
        ("require_recent_review", "A recent progress review, signed by everyone"),
    )

    provider = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="gateway_policy",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    require_duties_signed_off = models.BooleanField(
        "every duty signed off by the tutor", default=True
    )
    require_otj_verified = models.BooleanField(
        "every hour of off-the-job training verified", default=True
    )
    require_recent_review = models.BooleanField(
        "a recent progress review, signed by everyone", default=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Gateway policy of {self.provider_id}"

    def values(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name, _ in self.ITEMS}


class ResitPolicyQuerySet(models.QuerySet["ResitPolicy"]):
    def current_for(self, epao_id: int | None, standard_version_id: int) -> "ResitPolicy | None":
        """The policy the organisation recorded last for this standard, if any."""
        if epao_id is None:
            return None
        return (
            self.filter(epao_id=epao_id, standard_version_id=standard_version_id)
            .select_related("epao", "recorded_by")
            .order_by("-recorded_at", "-pk")
            .first()
        )


class ResitPolicy(models.Model):
    """An assessment organisation's own policy on resits and retakes of one standard: the
    grade cap and what a resit assesses again. It applies where the assessment plan states
    no rule of its own, and is shown as the organisation's, with who recorded it and when.

    Rows are never changed: a new policy is a new row, and the latest applies. A round
    keeps the policy it started under."""

    epao = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="resit_policies",
        limit_choices_to={"kind": Organisation.Kind.EPAO},
        verbose_name="assessment organisation",
    )
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="resit_policies"
    )
    name = models.CharField(
        "which policy",
        max_length=200,
        help_text="The policy's title and version, as your organisation names it.",
    )
    # "" means the policy sets no cap.
    grade_cap = models.CharField(max_length=20, blank=True)
    scope = models.CharField(max_length=10, choices=ResitScope.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ResitPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["epao", "standard_version", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="resit_policy_has_name"),
            models.CheckConstraint(
                condition=Q(scope__in=ResitScope.values), name="resit_policy_scope_valid"
            ),
        ]
        indexes = [models.Index(fields=["epao", "standard_version", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.epao})"

    @property
    def cap_display(self) -> str:
        return self.grade_cap or "no cap"
