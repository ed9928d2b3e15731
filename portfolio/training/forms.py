"""Forms for off-the-job training. They parse input; the rules live in the services, which
key their errors by these field names."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from apprenticeship.forms import DateInput
from apprenticeship.models import Apprenticeship
from portfolio.evidence.models import Evidence
from portfolio.training.models import ActivityType
from standards.models import Duty


class DutyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Duty) -> str:
        return f"{obj.code}: {obj.text}"


class EvidenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        when = f" ({obj.activity_date:%-d %b %Y})" if obj.activity_date else ""
        return f"{obj.display_title}{when}"


def _time_fields() -> tuple[forms.IntegerField, forms.IntegerField]:
    hours = forms.IntegerField(
        label="Hours",
        min_value=0,
        max_value=9999,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    minutes = forms.IntegerField(
        label="Minutes",
        min_value=0,
        max_value=59,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    return hours, minutes


def total_minutes(cleaned: dict, hours: str = "hours", minutes: str = "minutes") -> int:
    return (cleaned.get(hours) or 0) * 60 + (cleaned.get(minutes) or 0)


class OtjEntryForm(forms.Form):
    date = forms.DateField(label="Date of the training", widget=DateInput())
    hours, minutes = _time_fields()
    activity_type = forms.ChoiceField(label="Kind of training", choices=ActivityType.choices)
    duty = DutyChoiceField(
        queryset=Duty.objects.none(),
        required=False,
        label="The duty it is for",
        help_text="Not needed for English and maths study, which does not count.",
    )
    description = forms.CharField(
        label="What you did and what you learned",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Do not name anyone you support.",
    )
    evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        label="Evidence (optional)",
        help_text="A piece of your evidence that shows this training.",
        empty_label="None",
    )

    evidence_search = forms.CharField(
        required=False,
        max_length=100,
        label="Find older evidence by its title",
    )

    # The picker lists this many pieces of evidence, not the whole portfolio: the most
    # recent, or those whose title matches the search, and always the one already chosen.
    PICKER_SIZE = 30

    def __init__(self, *args, apprenticeship: Apprenticeship, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].queryset = (
            Duty.objects.current()
            .filter(standard_version_id=apprenticeship.standard_version_id)
            .order_by("number")
        )
        # Any of the apprenticeship's evidence may be chosen (validation looks up the one
        # posted); only a page of it is listed.
        evidence = Evidence.objects.filter(apprenticeship=apprenticeship).order_by(
            "-activity_date", "-pk"
        )
        self.fields["evidence"].queryset = evidence
        # Not `evidence_search`: a template looks a form's fields up before its attributes.
        self.searched_for = search.strip()
        listed = evidence.filter(title__icontains=self.searched_for) if search else evidence
        shown = list(listed.only("pk", "title", "activity_date")[: self.PICKER_SIZE + 1])
        self.evidence_has_more = len(shown) > self.PICKER_SIZE
        shown = shown[: self.PICKER_SIZE]
        chosen = self.data.get("evidence") if self.is_bound else self.initial.get("evidence")
        chosen_id = str(getattr(chosen, "pk", chosen) or "")
        if chosen_id.isdigit() and all(str(item.pk) != chosen_id for item in shown):
            shown += list(evidence.filter(pk=int(chosen_id)).only("pk", "title", "activity_date"))
        field = self.fields["evidence"]
        field.choices = [("", "None")] + [
            (item.pk, field.label_from_instance(item)) for item in shown
        ]
        if self.searched_for:
            field.help_text = (
                f"Evidence whose title contains “{self.searched_for}”"
                + (f" (the first {self.PICKER_SIZE})." if self.evidence_has_more else ".")
                if len(shown) > 0
                else f"No evidence has “{self.searched_for}” in its title."
            )
        elif self.evidence_has_more:
            field.help_text = (
                f"Your {self.PICKER_SIZE} most recent pieces of evidence. For an older one, "
                "find it by its title below."
            )
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["date"].widget.attrs["min"] = apprenticeship.start_date.isoformat()

    def clean(self):
        cleaned = super().clean()
        if "hours" in cleaned and "minutes" in cleaned:
            cleaned["total_minutes"] = total_minutes(cleaned)
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "date": data["date"],
            "minutes": data["total_minutes"],
            "activity_type": data["activity_type"],
            "duty": data.get("duty"),
            "description": data["description"],
            "evidence": data.get("evidence"),
        }

    @staticmethod
    def initial_for(entry) -> dict:
        hours, minutes = divmod(entry.minutes, 60)
        return {
            "date": entry.date,
            "hours": hours,
            "minutes": minutes,
            "activity_type": entry.activity_type,
            "duty": entry.duty_id,
            "description": entry.description,
            "evidence": entry.evidence_id,
        }


class VerifyForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class RejectForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are you rejecting this entry?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The apprentice reads this, so they can put it right.",
    )


def ticked_entries(data) -> list[tuple[int, int]]:
    """The entries ticked on the log page, sent as "id:revision" values."""
    pairs = []
    for value in data.getlist("entry"):
        entry_id, _, revision = value.partition(":")
        if entry_id.isdigit() and revision.isdigit():
            pairs.append((int(entry_id), int(revision)))
    return pairs


class PlanRequirementForm(forms.Form):
    leave_weeks_per_year = forms.DecimalField(
        label="Statutory leave left out (weeks a year)",
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=10,
        help_text="5.6 weeks is the legal minimum for a five-day week (28 days). Use the "
        "apprentice's statutory entitlement, not their contract's extra days.",
    )
    prior_hours, prior_minutes = _time_fields()
    prior_learning_reason = forms.CharField(
        label="Recognised prior learning: what and how it was assessed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, uses_leave: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prior_hours"].label = "Prior learning: hours"
        self.fields["prior_minutes"].label = "and minutes"
        if not uses_leave:
            # From August 2025 the total is the standard's fixed minimum: leave is not used.
            self.fields["leave_weeks_per_year"].required = False
            self.fields["leave_weeks_per_year"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        cleaned["prior_learning_minutes"] = total_minutes(cleaned, "prior_hours", "prior_minutes")
        return cleaned


class PlanSplitForm(forms.Form):
    """Hours and minutes for each duty of the standard."""

    def __init__(self, *args, duties: list[Duty], **kwargs):
        super().__init__(*args, **kwargs)
        self.duties = duties
        for duty in duties:
            hours, minutes = _time_fields()
            hours.label = f"{duty.code}: hours"
            minutes.label = f"{duty.code}: minutes"
            self.fields[f"duty_{duty.pk}_hours"] = hours
            self.fields[f"duty_{duty.pk}_minutes"] = minutes

    def rows(self):
        """(duty, hours field, minutes field) for the template."""
        return [
            (duty, self[f"duty_{duty.pk}_hours"], self[f"duty_{duty.pk}_minutes"])
            for duty in self.duties
        ]

    def allocations(self) -> dict[int, int]:
        return {
            duty.pk: total_minutes(
                self.cleaned_data, f"duty_{duty.pk}_hours", f"duty_{duty.pk}_minutes"
            )
            for duty in self.duties
        }

    @staticmethod
    def initial_for(duties: list[Duty], minutes: list[int]) -> dict:
        initial = {}
        for duty, value in zip(duties, minutes, strict=True):
            hours, rest = divmod(value, 60)
            initial[f"duty_{duty.pk}_hours"] = hours
            initial[f"duty_{duty.pk}_minutes"] = rest
        return initial


class BreakForm(forms.Form):
    start_date = forms.DateField(label="First day of the break", widget=DateInput())
    end_date = forms.DateField(
        label="Last day of the break",
        widget=DateInput(),
        required=False,
        help_text="Leave empty while the return date is not known.",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        help_text="Everyone on this apprenticeship can read this, including the employer. "
        "Do not write health or personal details here.",
    )


class CancelBreakForm(forms.Form):
    reason = forms.CharField(
        label="Why is this break being cancelled?",
        max_length=300,
        help_text="For example: recorded by mistake, or recorded on the wrong apprenticeship.",
    )


class ScheduleForm(forms.Form):
    """Hours of training planned for each duty in each month (hours, to two decimals)."""

    def __init__(self, *args, months: list, duties: list[Duty], **kwargs):
        super().__init__(*args, **kwargs)
        self.months, self.duties = months, duties
        for month in months:
            for duty in duties:
                self.fields[self.field_name(month, duty.pk)] = forms.DecimalField(
                    label=f"{duty.code}, {month:%B %Y}: hours",
                    min_value=0,
                    max_value=744,
                    max_digits=5,
                    decimal_places=2,
                    required=False,
                    widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
                )

    @staticmethod
    def field_name(month, duty_id: int) -> str:
        return f"m{month:%Y%m}_d{duty_id}"

    def rows(self):
        """(month, [bound field per duty]) for the template."""
        return [
            (month, [self[self.field_name(month, duty.pk)] for duty in self.duties])
            for month in self.months
        ]

    def minutes(self) -> dict:
        """{(month, duty id): minutes} for the service; blank counts as none."""
        return {
            (month, duty.pk): round(
                (self.cleaned_data.get(self.field_name(month, duty.pk)) or 0) * 60
            )
            for month in self.months
            for duty in self.duties
        }

    @classmethod
    def initial_for(cls, minutes: dict) -> dict:
        """Form values from {(month, duty id): minutes}."""
        return {
            cls.field_name(month, duty_id): (Decimal(value) / 60).quantize(Decimal("0.01"))
            for (month, duty_id), value in minutes.items()
            if value
        }
