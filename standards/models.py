"""Apprenticeship standards as versioned data: nothing here is specific to one standard.

Every fact carries a provenance label, so the product can say how sure it is and never
presents an inferred or missing fact as official.
"""

from django.db import models
from django.urls import reverse


class Provenance(models.TextChoices):
    VERIFIED = "verified", "Verified"
    SECONDARY = "secondary", "Secondary source"
    SEED = "seed", "Seed-derived"
    INFERRED = "inferred", "Inferred"
    PROVIDER = "provider", "Entered by the provider"
    NOT_LOADED = "not_loaded", "Not loaded yet"


PROVENANCE_HELP = {
    Provenance.VERIFIED: "From an official source, or two independent sources agree.",
    Provenance.SECONDARY: "From a secondary source (for example a provider's summary of the "
    "assessment plan); the official text has not been loaded.",
    Provenance.SEED: "Worked out from the documents the project started from, not from "
    "the approved standard.",
    Provenance.INFERRED: "Reasoned, not stated by any source. Not official.",
    Provenance.PROVIDER: "Entered by the training provider while the official value is not loaded.",
    Provenance.NOT_LOADED: "The official value has not been loaded yet.",
}


class StandardVersionQuerySet(models.QuerySet["StandardVersion"]):
    def for_detail_page(self) -> "StandardVersionQuerySet":
        return self.select_related("assessment_plan").prefetch_related(
            models.Prefetch("duties", queryset=Duty.objects.prefetch_related("ksbs")),
            "ksbs",
            models.Prefetch(
                "assessment_plan__methods",
                queryset=AssessmentMethod.objects.order_by("order").prefetch_related("ksbs"),
            ),
        )


class StandardVersion(models.Model):
    """One version of an apprenticeship standard (ST0896 v1.0, say). Enrolments pin one."""

    reference = models.CharField(max_length=20)
    version = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=60, blank=True)
    route = models.CharField(max_length=100, blank=True)
    lars_code = models.CharField(max_length=20, blank=True)
    occupation_reference = models.CharField(max_length=20, blank=True)
    overview = models.TextField(blank=True)
    typical_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    max_funding = models.PositiveIntegerField(null=True, blank=True)
    approved_for_delivery = models.DateField(null=True, blank=True)
    typical_job_titles = models.JSONField(default=list, blank=True)
    assessment_plan_url = models.URLField(max_length=500, blank=True)
    standard_page_url = models.URLField(max_length=500, blank=True)
    # The minimum time on programme is a funding rule by start date
    # (apprenticeship/funding_rules.py). This holds only a LONGER minimum that the
    # standard's own assessment plan sets, which then applies instead; blank when the plan
    # sets none or its text is not loaded. Its source is in `facts`.
    minimum_programme_months = models.PositiveSmallIntegerField(
        "longer minimum months on programme set by the assessment plan",
        null=True,
        blank=True,
        help_text="Only when the assessment plan sets a longer minimum than the funding rules.",
    )
    # The minimum off-the-job hours published for starts from 1 August 2025. Blank until
    # loaded; the provider may enter it meanwhile (provenance then says so).
    otj_minimum_hours = models.PositiveIntegerField(null=True, blank=True)
    # Per-fact provenance: {field or section: {"provenance": label, "source": text,
    # "note": text}}. Sections are "knowledges", "skills", "behaviours", "duty_ksb_map".
    facts = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StandardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "version"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "version"], name="standard_ref_version"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("standards:standard-detail", args=[self.pk])

    def fact(self, name: str) -> dict[str, str]:
        """The provenance record of one fact; a fact with no value is 'not loaded'."""
        record = dict(self.facts.get(name) or {})
        record.setdefault("provenance", Provenance.VERIFIED)
        return record

    def fact_provenance(self, name: str) -> str:
        return self.fact(name)["provenance"]


class StatementQuerySet(models.QuerySet):
    """KSBs and duties. A statement is retired when a re-import of the same version changed
    or removed it and the records that used it were kept on it (standards/services/imports.py).
    A retired statement still shows on those records; nothing new is mapped to it and it is
    not needed for coverage."""

    def current(self):
        return self.filter(retired_at__isnull=True)

    def retired(self):
        return self.filter(retired_at__isnull=False)


# Said after a retired statement's code wherever a record shows it.
RETIRED_MARK = "retired statement"


class KSB(models.Model):
    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        SKILL = "skill", "Skill"
        BEHAVIOUR = "behaviour", "Behaviour"

    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="ksbs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=10)
    external_id = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    code_provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    source = models.CharField(max_length=300, blank=True)
    # Set when a re-import retired this statement; its code may then be reused by the
    # statement that replaced it, so codes are unique among current statements only.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["standard_version", "kind", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_version", "kind", "number"],
                condition=models.Q(retired_at__isnull=True),
                name="ksb_unique_number",
            ),
            models.UniqueConstraint(
                fields=["standard_version", "code"],
                condition=models.Q(retired_at__isnull=True),
                name="ksb_unique_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_label}: {self.text}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def code_label(self) -> str:
        """The code as records show it: "K3", or "K3 (retired statement)"."""
        return f"{self.code} ({RETIRED_MARK})" if self.is_retired else self.code

    @property
    def kind_order(self) -> int:
        return list(self.Kind.values).index(self.kind)


class Duty(models.Model):
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="duties"
    )
    number = models.PositiveSmallIntegerField()
    external_id = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    is_core = models.BooleanField(null=True, blank=True)
    provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    source = models.CharField(max_length=300, blank=True)
    ksbs = models.ManyToManyField(KSB, related_name="duties", blank=True)
    # Relative weight of this duty in the default off-the-job plan (for ST0896, days from
    # the 2020 proposal). Blank means no default split is loaded.
    otj_weight = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    otj_weight_provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.NOT_LOADED
    )
    otj_weight_note = models.CharField(max_length=500, blank=True)
    # As KSB.retired_at: numbers are unique among current duties only.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["standard_version", "number", "pk"]
        verbose_name_plural = "duties"
        constraints = [
            models.UniqueConstraint(
                fields=["standard_version", "number"],
                condition=models.Q(retired_at__isnull=True),
                name="duty_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"Duty {self.number}: {self.text}"

    @property
    def code(self) -> str:
        return f"D{self.number}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def code_label(self) -> str:
        """The code as records show it: "D3", or "D3 (retired statement)"."""
        return f"{self.code} ({RETIRED_MARK})" if self.is_retired else self.code


class ResitScope(models.TextChoices):
    """What a resit or retake assesses again."""

    FAILED = "failed", "Only the failed methods are assessed again"
    ALL = "all", "Every method is assessed again"


class AssessmentPlan(models.Model):
    """The end-point assessment plan of a standard version, as data.

    `grade_table` lists every combination of method grades with its overall grade:
    [{"grades": {"AM1": "pass", "AM2": "distinction"}, "overall": "distinction"}, ...].
    """

    standard_version = models.OneToOneField(
        StandardVersion, on_delete=models.CASCADE, related_name="assessment_plan"
    )
    reference = models.CharField(max_length=60, blank=True)
    provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    source = models.CharField(max_length=300, blank=True)
    overall_grades = models.JSONField(default=list, blank=True)
    grade_table = models.JSONField(default=list, blank=True)
    # The end-point assessment period after gateway. Guidance ("typically within 3
    # months") unless the plan publishes it as a maximum, when it is a deadline.
    epa_window_months = models.PositiveSmallIntegerField(null=True, blank=True)
    epa_window_is_maximum = models.BooleanField(
        "the plan publishes the period as a maximum", default=False
    )
    # A resit or retake's overall grade is capped at this grade ("" = no cap) unless
    # the assessment organisation records exceptional circumstances. Applied only when its
    # fact ("resitGradeCap") has a source: a cap that is inferred or not loaded is not the
    # plan's, and the assessment organisation's own policy is used instead.
    resit_grade_cap = models.CharField(max_length=20, blank=True)
    # Whether a resit or retake assesses only the failed methods or every method again;
    # blank while the plan's rule is not loaded (the assessment organisation's policy, if
    # recorded, is used instead).
    resit_scope = models.CharField(max_length=10, choices=ResitScope.choices, blank=True)
    # Whether a method with themes can be graded only once every theme is covered. When
    # False (or not loaded) an uncovered theme is a warning, not a refusal.
    every_theme_required = models.BooleanField(default=False)
    gateway_requirements = models.JSONField(default=list, blank=True)
    # Per-fact provenance, keyed as in the file: "gradeTable", "epaWindowMonths",
    # "epaWindowIsMaximum", "resitGradeCap", "resitScope", "everyThemeRequired",
    # "methodKsbs".
    facts = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Assessment plan for {self.standard_version}"

    def fact(self, name: str) -> dict[str, str]:
        record = dict(self.facts.get(name) or {})
        record.setdefault("provenance", self.provenance)
        record.setdefault("source", self.source)
        return record

    def states(self, name: str) -> bool:
        """Whether the plan's data states this fact with a source: not inferred, not
        missing. Only a stated rule is applied to a result."""
        return self.fact(name)["provenance"] not in (Provenance.INFERRED, Provenance.NOT_LOADED)

    def grade_rank(self, grade: str) -> int:
        return self.overall_grades.index(grade)

    @property
    def grade_table_rows(self) -> list[dict]:
        """The grade table as rows of (method grades in method order, overall)."""
        return [
            {"grades": list(row["grades"].items()), "overall": row["overall"]}
            for row in self.grade_table
        ]


class AssessmentMethod(models.Model):
    plan = models.ForeignKey(AssessmentPlan, on_delete=models.CASCADE, related_name="methods")
    code = models.CharField(max_length=10)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    sessions = models.PositiveSmallIntegerField(default=1)
    # Sessions (1-based) that may be held by video.
    remote_sessions = models.JSONField(default=list, blank=True)
    min_questions_per_session = models.PositiveSmallIntegerField(null=True, blank=True)
    min_questions = models.PositiveSmallIntegerField(null=True, blank=True)
    themes = models.JSONField(default=list, blank=True)
    grade_options = models.JSONField(default=list)
    setting = models.TextField(blank=True)
    provenance = models.CharField(
        max_length=12, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    source = models.CharField(max_length=300, blank=True)
    ksbs = models.ManyToManyField(KSB, related_name="assessment_methods", blank=True)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="method_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def duration_display(self) -> str:
        if self.duration_minutes is None:
            return ""
        hours, minutes = divmod(self.duration_minutes, 60)
        parts = []
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if minutes:
            parts.append(f"{minutes} minutes")
        return " ".join(parts)


class CompetenceFramework(models.Model):
    """A competence framework other than the standard, such as the NCCMH Peer Support
    Worker Competence Framework for Mental Health: versioned reference data with its own
    provenance. Its structure (sections, units, domains) can be loaded without its
    detailed competence statements, which then show as not loaded yet."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    provenance = models.CharField(max_length=12, choices=Provenance.choices)
    source = models.CharField(max_length=300)
    statements_loaded = models.BooleanField(default=False)
    statements_note = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("standards:framework-detail", args=[self.pk])


class FrameworkSection(models.Model):
    framework = models.ForeignKey(
        CompetenceFramework, on_delete=models.CASCADE, related_name="sections"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_section_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class FrameworkUnit(models.Model):
    """One unit of the framework's curriculum (for NCCMH, 1.1 to 4.14). Evidence may be
    mapped to units; units are never deleted once evidence may refer to them."""

    section = models.ForeignKey(FrameworkSection, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["section__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="framework_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class FrameworkDomain(models.Model):
    framework = models.ForeignKey(
        CompetenceFramework, on_delete=models.CASCADE, related_name="domains"
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "position"], name="framework_domain_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
