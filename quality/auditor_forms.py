"""Forms of the auditor pages: giving access, and the auditor choosing a password when
they take it up with a new account."""

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Organisation
from quality import auditors as access
from quality.models import AUDITOR_MAX_DAYS, AuditorGrant

AREA_CHOICES = [
    ("portfolio", "Portfolio of evidence (what the apprentice shares with their employer)"),
    ("otj", "Off-the-job training log"),
    ("reviews", "Progress reviews (without the wellbeing check-in)"),
    ("gateway", "Gateway declarations"),
    ("results", "End-point assessment results"),
]


class AuditorGrantForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Whose records", empty_label=None
    )
    full_name = forms.CharField(label="Auditor's full name", max_length=150)
    email = forms.EmailField(
        label="Auditor's email",
        help_text="They sign in with this address. The link we email works once, only for it.",
    )
    purpose = forms.CharField(
        label="What the access is for",
        max_length=200,
        help_text="For example: Ofsted inspection, external quality assurance, funding audit.",
    )
    scope = forms.ChoiceField(
        label="Which apprenticeships", choices=AuditorGrant.Scope.choices, widget=forms.RadioSelect
    )
    apprentices = forms.CharField(
        label="The apprentices (if you choose them)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: the apprentice's email address or unique learner number (ULN).",
    )
    cohort_month = forms.ChoiceField(
        label="The cohort (if you choose one): the month they started", required=False
    )
    standard_reference = forms.ChoiceField(label="The standard (if you choose one)", required=False)
    areas = forms.MultipleChoiceField(
        label="What they may see",
        choices=AREA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Never wellbeing records, supervision, drafts or anything the apprentice "
        "keeps private. An assessment organisation opens only the gateway and results.",
    )
    last_day = forms.DateField(
        label="Last day of access",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"At most {AUDITOR_MAX_DAYS} days from today. Access ends by itself at the "
        "end of this day; you can revoke it sooner.",
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        # Choices only from the user's own organisations' apprenticeships.
        grantable = Apprenticeship.objects.none()
        for organisation in organisations:
            grantable = grantable | access.grantable_apprenticeships(organisation)
        self.grantable = grantable
        months = (
            grantable.annotate(month=TruncMonth("start_date"))
            .order_by("-month")
            .values_list("month", flat=True)
            .distinct()
        )
        self.fields["cohort_month"].choices = [("", "Choose a month")] + [
            (month.isoformat(), f"{month:%B %Y}") for month in months
        ]
        references = (
            grantable.order_by("standard_version__reference")
            .values_list("standard_version__reference", "standard_version__title")
            .distinct()
        )
        self.fields["standard_reference"].choices = [("", "Choose a standard")] + [
            (reference, f"{reference} {title}") for reference, title in references
        ]
        if not self.is_bound:
            self.initial.setdefault("last_day", timezone.localdate() + dt.timedelta(days=14))

    def clean_cohort_month(self) -> dt.date | None:
        value = self.cleaned_data["cohort_month"]
        return dt.date.fromisoformat(value) if value else None

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        data["apprenticeships"] = []
        if data.get("scope") == AuditorGrant.Scope.APPRENTICESHIPS and organisation:
            lines = [line.strip() for line in data.get("apprentices", "").splitlines()]
            lines = [line for line in lines if line]
            if not lines:
                self.add_error("apprentices", "Write at least one apprentice's email or ULN.")
                return data
            grantable = access.grantable_apprenticeships(organisation).select_related("apprentice")
            found, missing = [], []
            for line in lines:
                key = line.lower()
                match = list(
                    grantable.filter(apprentice__email__iexact=key) | grantable.filter(uln=line)
                )
                if match:
                    found.extend(match)
                else:
                    missing.append(line)
            if missing:
                self.add_error(
                    "apprentices",
                    "No apprenticeship of "
                    f"{organisation.name} matches: {', '.join(missing)}. Check each line.",
                )
            data["apprenticeships"] = list({a.pk: a for a in found}.values())
        return data
