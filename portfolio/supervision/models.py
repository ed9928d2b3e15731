"""The apprentice's supervision log, as the ImROC guide describes peer workers' supervision:
managerial supervision (from the team leader) and professional or peer supervision (from a
senior peer worker or a peer group), individually or in a group.

A record is the apprentice's own. Its notes are in two parts: what was agreed, which the
apprentice shares with whoever they choose (the tutor, the employer contact), and their
own reflection, which stays private to them unless they share it with the same people.
A record never changes its content once saved (it may be relied on as evidence or logged as
off-the-job training); only who sees it can change. Using it as evidence links one evidence
item to it, and logging it as off-the-job training links one entry: neither copies it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from portfolio.evidence.models import Evidence
from portfolio.training.models import OtjEntry

__all__ = ["SupervisionRecord"]


class SupervisionRecord(models.Model):
    class Kind(models.TextChoices):
        MANAGERIAL = "managerial", "Managerial supervision"
        PEER = "peer", "Peer or professional supervision"

    class Format(models.TextChoices):
        INDIVIDUAL = "individual", "One to one"
        GROUP = "group", "In a group"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="supervision_records"
    )
    held_on = models.DateField("date of the supervision")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    format = models.CharField(max_length=12, choices=Format.choices)
    # Someone in the app (a tutor or employer contact on this apprenticeship), or a named
    # supervisor from outside it, such as a peer supervisor from another service.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervisor_name = models.CharField("supervisor from outside", max_length=150, blank=True)
    minutes = models.PositiveIntegerField("how long it took (minutes)")
    agreed = models.TextField("what was agreed", blank=True)
    reflection = models.TextField("my own reflection", blank=True)
    shared_with_tutor = models.BooleanField(default=True)
    shared_with_employer = models.BooleanField(default=False)
    reflection_shared = models.BooleanField(
        default=False,
        help_text="The reflection goes to the same people as what was agreed.",
    )
    evidence = models.OneToOneField(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_record",
    )
    otj_entry = models.OneToOneField(
        OtjEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_record",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["apprenticeship", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(supervisor__isnull=False) & Q(supervisor_name=""))
                | (Q(supervisor__isnull=True) & ~Q(supervisor_name="")),
                name="supervision_one_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=24 * 60),
                name="supervision_minutes_in_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:supervision-detail", args=[self.pk])

    @property
    def supervisor_label(self) -> str:
        """Who supervised. Needs `supervisor` loaded."""
        if self.supervisor is not None:
            return self.supervisor.full_name
        return self.supervisor_name
