"""Evidence, its files and versions, the tutor's duty sign-offs, witness testimonies and the
apprentice's private list of names.

Evidence moves draft → submitted → accepted, or referred back → submitted again. Accepting
freezes an `EvidenceVersion`; sign-offs rely on those frozen versions, so editing accepted
evidence later never changes what a sign-off relied on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.changes import EndedQuerySet, Ending
from standards.models import KSB, Duty, FrameworkUnit

__all__ = [
    "Evidence",
    "EvidenceComment",
    "EvidenceFile",
    "EvidenceKind",
    "EvidenceVersion",
    "DutySignOff",
    "ProtectedName",
    "TestimonyRequest",
    "WitnessTestimony",
]


class EvidenceKind(models.TextChoices):
    REFLECTIVE_ACCOUNT = "reflective_account", "Reflective account"
    WORK_RECORD = "work_record", "Product or work record"
    WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
    TUTOR_OBSERVATION = "tutor_observation", "Observation by tutor"
    SUPERVISION_RECORD = "supervision_record", "Supervision record"
    PHOTO = "photo", "Photo"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    CERTIFICATE = "certificate", "Certificate"
    OTHER = "other", "Other"


# The kinds an apprentice writes themselves. A witness testimony is written by the witness
# (see WitnessTestimony) and an observation by the tutor, so an apprentice can't label their
# own evidence as either.
APPRENTICE_KINDS = tuple(
    kind
    for kind in EvidenceKind
    if kind not in (EvidenceKind.WITNESS_TESTIMONY, EvidenceKind.TUTOR_OBSERVATION)
)

# Reflective accounts are personal: the employer does not see them unless the apprentice
# chooses to share them.
HIDDEN_FROM_EMPLOYER_BY_DEFAULT = frozenset({EvidenceKind.REFLECTIVE_ACCOUNT})


class WitnessTestimony(models.Model):
    """What a witness (usually the employer contact) saw the apprentice do. The apprentice
    can attach it to evidence. Never edited or deleted once written."""

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="testimonies"
    )
    # The employer contact who wrote it; empty for a witness from outside, who wrote it
    # through an emailed link and has no account (their name is in witness_name).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witness_name = models.CharField(max_length=150, blank=True)
    author_role = models.CharField(
        max_length=150, help_text="Their job title or relationship to the apprentice."
    )
    witnessed_on = models.DateField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-witnessed_on", "-pk"]
        indexes = [
            # The testimonies list: one apprenticeship's, most recently witnessed first.
            models.Index(
                fields=["apprenticeship", "-witnessed_on", "-id"], name="testimony_list_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Witness testimony by {self.witness} on {self.witnessed_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:testimony-detail", args=[self.pk])

    @property
    def witness(self) -> str:
        """Who wrote it (select_related("author") where it is listed)."""
        if self.witness_name:
            return self.witness_name
        return self.author.full_name if self.author is not None else ""


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def submitted(self) -> "EvidenceQuerySet":
        """Everything past draft: what tutors, employers and assessors may be shown."""
        return self.exclude(status=Evidence.Status.DRAFT)

    def for_list(self) -> "EvidenceQuerySet":
        return self.select_related("accepted_version").prefetch_related(
            "duties", "ksbs", models.Prefetch("files", queryset=EvidenceFile.objects.current())
        )

    def mapped_to(self, statement: Duty | KSB) -> "EvidenceQuerySet":
        """The items mapped to one duty or KSB, each item looked up in the link table by
        its (evidence, duty or KSB) key. Written as a subquery for each item, which
        PostgreSQL runs as it is: as a join it read every link to that duty or KSB, all
        providers' (52,000 for one duty at 5,000 apprentices), to find one portfolio's."""
        relation = "duties" if isinstance(statement, Duty) else "ksbs"
        column = "duty_id" if relation == "duties" else "ksb_id"
        links = getattr(Evidence, relation).through.objects.filter(
            **{"evidence_id": models.OuterRef("pk"), column: statement.pk}
        )
        return self.alias(mapped=models.Subquery(links.values(column)[:1])).filter(
            mapped__isnull=False
        )


class Evidence(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REFERRED = "referred", "Referred back"

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "evidence items"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="evidence"
    )
    title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.REFLECTIVE_ACCOUNT
    )
    activity_date = models.DateField("date of the activity", null=True, blank=True)
    account = models.TextField("written account", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visible_to_employer = models.BooleanField(default=False)
    duties = models.ManyToManyField(Duty, related_name="evidence", blank=True)
    ksbs = models.ManyToManyField(KSB, related_name="evidence", blank=True)
    testimonies = models.ManyToManyField(WitnessTestimony, related_name="evidence", blank=True)
    # Units of a competence framework turned on for the apprenticeship (a second mapping,
    # beside the standard's duties and KSBs).
    framework_units = models.ManyToManyField(FrameworkUnit, related_name="evidence", blank=True)
    # The number of the version being worked on; accepted versions are kept in
    # EvidenceVersion, and editing after acceptance starts the next number.
    version = models.PositiveIntegerField(default=1)
    accepted_version = models.ForeignKey(
        "EvidenceVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The most recently accepted version, which sign-offs can rely on.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = "evidence"
        indexes = [
            # By status: the items waiting for review and the oldest of them (which
            # `EvidenceStanding` is worked out from), those referred back (the
            # apprentice's home), and the counts and accepted versions the coverage
            # matrix and the apprenticeship's page read, for every viewer (an employer
            # sees only the items shared with them). Every column those read is here, so
            # PostgreSQL reads no row: one apprenticeship's items, added over time, lie
            # scattered among everyone's.
            models.Index(
                fields=[
                    "apprenticeship",
                    "status",
                    "submitted_at",
                    "accepted_version",
                    "id",
                    "visible_to_employer",
                ],
                name="evidence_by_status",
            ),
            # The evidence list: one apprenticeship's items, newest change first.
            models.Index(
                fields=["apprenticeship", "-updated_at", "-id"], name="evidence_list_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title or "Untitled draft"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:evidence-detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or "Untitled draft"

    @property
    def is_editable(self) -> bool:
        """The apprentice may change it: a draft, a referred item, or accepted evidence
        (which starts a new version). Submitted evidence waits for the tutor."""
        return self.status != self.Status.SUBMITTED


class EvidenceStanding(models.Model):
    """Where one apprenticeship's evidence stands for the lists: how many items wait for
    the tutor's review and when the longest-waiting was sent. The caseload sorts by it and
    the tutor's "Waiting for you" reads it, one row for each apprenticeship, instead of
    counting every item of every apprentice on each view. Only the evidence services that
    send, take back or decide an item (and write a testimony as evidence) write it,
    through `services.standing.refresh_evidence_standing`, in the same transaction as the
    change; it holds nothing that is not also in the items themselves.

    No row means nothing waiting: every column's empty value says exactly that."""

    apprenticeship = models.OneToOneField(
        Apprenticeship,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="evidence_standing",
    )
    # Items submitted and waiting for the tutor's decision.
    waiting = models.PositiveIntegerField(default=0)
    # When the longest-waiting of them was submitted.
    oldest_waiting = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Evidence standing of {self.apprenticeship_id}"


class EvidenceFileQuerySet(models.QuerySet["EvidenceFile"]):
    def current(self) -> "EvidenceFileQuerySet":
        """Files on the version being worked on (removed ones are kept for old versions)."""
        return self.filter(removed_at__isnull=True)


class EvidenceFile(models.Model):
    """One uploaded file. The bytes live in storage under a generated name; the original
    name is kept only for display. Never deleted: an accepted version may rely on it."""

    class Category(models.TextChoices):
        DOCUMENT = "document", "Document"
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    category = models.CharField(max_length=10, choices=Category.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Text found in a document, kept for the identifier check before submission.
    extracted_text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:file-download", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.category == self.Category.IMAGE


class EvidenceVersion(models.Model):
    """A frozen copy of evidence as the tutor accepted it. Never changed afterwards."""

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "accepted evidence versions"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    activity_date = models.DateField(null=True, blank=True)
    account = models.TextField(blank=True)
    duties = models.ManyToManyField(Duty, related_name="+", blank=True)
    ksbs = models.ManyToManyField(KSB, related_name="+", blank=True)
    files = models.ManyToManyField(EvidenceFile, related_name="versions", blank=True)
    testimonies = models.ManyToManyField(WitnessTestimony, related_name="+", blank=True)
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:evidence-version", args=[self.evidence_id, self.number])

    def get_kind_label(self) -> str:
        return EvidenceKind(self.kind).label


class EvidenceComment(models.Model):
    """The thread on one evidence item. A tutor's decision is posted here too, so the
    apprentice reads feedback where the conversation is. Never edited or deleted."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        ACCEPTED = "accepted", "Accepted"
        REFERRED = "referred", "Referred back"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    version = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    # For a tutor's decision: the item as the tutor saw it (title, kind, date, account,
    # duty, KSB, file and testimony ids), so a resubmission can show what changed since.
    reviewed_content = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The IQA lead's list of decisions to add to a sample, newest first, a page at
            # a time (quality/iqa/selectors.py `addable`).
            models.Index(fields=["created_at", "id"], name="evidence_comment_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.evidence_id}"


class DutySignOffQuerySet(EndedQuerySet):
    def by_duty(self, apprenticeship: Apprenticeship) -> dict[int, "DutySignOff"]:
        """{duty id: its active sign-off} for one apprenticeship, with who signed and the
        accepted versions it relies on (three queries)."""
        return {
            s.duty_id: s
            for s in self.active()
            .filter(apprenticeship=apprenticeship)
            .select_related("signed_by")
            .prefetch_related("evidence_versions")
        }


class DutySignOff(models.Model):
    """A tutor's judgement that accepted evidence covers a duty (and the KSBs under it).

    At most one active sign-off per duty, enforced by the database, so two tutors signing
    at once give exactly one. Withdrawing keeps the row, with who, when and why.
    """

    # How the standards import counts these among the records that refer to a KSB or duty.
    reference_label = "sign-offs"

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="sign_offs"
    )
    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="sign_offs")
    evidence_versions = models.ManyToManyField(EvidenceVersion, related_name="sign_offs")
    comment = models.TextField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = DutySignOffQuerySet.as_manager()
    ENDING = Ending(at="withdrawn_at", by="withdrawn_by", reason="withdrawal_reason")

    class Meta:
        ordering = ["duty__number", "-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["apprenticeship", "duty"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_sign_off_per_duty",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="sign_off_withdrawal_has_reason",
            ),
        ]
        indexes = [
            # The IQA lead's list of decisions to add to a sample, newest first, a page at
            # a time (quality/iqa/selectors.py `addable`).
            models.Index(fields=["signed_at", "id"], name="sign_off_by_time"),
        ]

    def __str__(self) -> str:
        return f"Sign-off of duty {self.duty_id} for {self.apprenticeship_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ProtectedName(models.Model):
    """A name the apprentice must not write in evidence (someone they support). Only the
    apprentice sees this list; the identifier check warns when one appears."""

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.CASCADE, related_name="protected_names"
    )
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "apprenticeship", name="protected_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TestimonyRequestQuerySet(models.QuerySet["TestimonyRequest"]):
    def open(self, now=None) -> "TestimonyRequestQuerySet":
        """Asked for, not yet written, not withdrawn and not run out."""
        return self.filter(
            testimony__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class TestimonyRequest(models.Model):
    """The apprentice or tutor asks a witness for a testimony about one named activity:
    an employer contact on the apprenticeship (who writes it signed in), or someone from
    outside by email, through a single-use link that runs out. Only the SHA-256 of the
    link's token is stored. Once written, the testimony becomes evidence of the
    witness-testimony kind for the tutor to review."""

    apprenticeship = models.ForeignKey(
        Apprenticeship, on_delete=models.PROTECT, related_name="testimony_requests"
    )
    activity = models.CharField("the activity", max_length=200)
    activity_date = models.DateField("when it happened", null=True, blank=True)
    # The duties the testimony should show: the evidence it becomes claims them.
    duties = models.ManyToManyField(Duty, related_name="+", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Either an employer contact on the apprenticeship, or a name and an email.
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witness_name = models.CharField(max_length=150, blank=True)
    witness_email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    testimony = models.OneToOneField(
        WitnessTestimony,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )
    evidence = models.ForeignKey(
        "Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The plain token, only on the object `request_testimony` returns: never stored.
    token: str

    objects = TestimonyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["apprenticeship", "-created_at"], name="testimony_request_list"),
            models.Index(fields=["witness", "testimony"], name="testimony_request_witness"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(witness__isnull=False, witness_email="")
                | (
                    Q(witness__isnull=True, token_hash__isnull=False)
                    & ~Q(witness_email="")
                    & ~Q(witness_name="")
                ),
                name="testimony_request_has_one_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"Testimony asked for: {self.activity}"

    @property
    def witness_label(self) -> str:
        """Who is asked (select_related("witness") where it is listed)."""
        return self.witness.full_name if self.witness is not None else self.witness_name

    def is_open(self, now) -> bool:
        return self.testimony_id is None and self.withdrawn_at is None and self.expires_at > now
