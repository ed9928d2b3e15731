from django.conf import settings
from django.db import models
from django.utils import timezone

from apprenticeship.models import Apprenticeship


class Event(models.TextChoices):
    """What happened, in the words of the subject line. Never more than this: an email
    names the kind of event and links to the page, which checks who may see it."""

    EVIDENCE_SUBMITTED = "evidence_submitted", "Evidence is waiting for your review"
    EVIDENCE_ACCEPTED = "evidence_accepted", "Your evidence was accepted"
    EVIDENCE_REFERRED = "evidence_referred", "Your evidence was referred back to you"
    OTJ_REJECTED = "otj_rejected", "An off-the-job entry was not accepted"
    TESTIMONY_REQUESTED = "testimony_requested", "You have been asked for a witness testimony"
    TESTIMONY_WRITTEN = "testimony_written", "A witness testimony was written for your portfolio"
    REVIEW_READY = "review_ready", "A progress review is ready to sign"
    GATEWAY_PASSED = "gateway_passed", "Gateway passed"
    ASSESSOR_ASSIGNED = "assessor_assigned", "You have been assigned an apprentice to assess"
    RESULT_CONFIRMED = "result_confirmed", "An end-point assessment result was confirmed"
    APPEAL_DECIDED = "appeal_decided", "An appeal was decided"
    IQA_FOLLOW_UP = "iqa_follow_up", "A quality assurance check asks you to follow up"


class EmailChoice(models.TextChoices):
    EACH = "each", "An email for each one"
    DIGEST = "digest", "One email a day with everything new"
    NONE = "none", "No emails: I will look in the app"


class NotificationSetting(models.Model):
    """How one person wants to hear about notifications. No row means each email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting"
    )
    email = models.CharField(max_length=10, choices=EmailChoice.choices, default=EmailChoice.EACH)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event for one person. The key names the event (the same event gives the same
    key), and a person has at most one notification per key: running the job again adds
    nothing."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    event = models.CharField(max_length=30, choices=Event.choices)
    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.CASCADE, related_name="notifications"
    )
    # A path inside the site; the page it opens checks access again.
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When an email about it was queued: on its own, or in a daily digest.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient"], name="one_notification_per_event_and_person"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} for {self.recipient_id}"
