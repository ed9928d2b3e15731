from django.db import models
from django.utils import timezone


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def waiting(self) -> "OutboxMessageQuerySet":
        """Not finished: waiting to be sent, sent to a worker, or running."""
        return self.filter(status__in=OutboxMessage.UNFINISHED)


class OutboxMessage(models.Model):
    """One side effect to carry out: a Celery task by name, with JSON arguments.

    Written in the transaction of the change that causes it, so it exists exactly when the
    change does. The key is unique: writing the same key twice makes one message. The
    worker claims a message (status RUNNING, attempts + 1) and commits before it starts,
    and records the outcome after, so a message runs once at a time and its history says
    what happened.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent to a worker"
        SENT = "sent", "Sent to a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    UNFINISHED = (Status.PENDING, Status.SENT, Status.RUNNING)

    task = models.CharField(max_length=200)
    payload = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=255, unique=True)
    # The enrolment the job is about, as a plain id (this app sits below the others): a
    # provider admin sees and retries only the jobs of their own apprenticeships.
    apprenticeship_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # Not sent to a worker before this time (a retry waits here).
    not_before = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.status})"
