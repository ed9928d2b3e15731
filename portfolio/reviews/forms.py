"""Forms for progress reviews. They parse input; the services apply the rules."""

from django import forms

from accounts.models import User
from apprenticeship.forms import DateInput
from apprenticeship.models import Apprenticeship, Role
from portfolio.reviews.models import AgreedReviewInterval, ReviewParty, ReviewVersion
from portfolio.reviews.services import reviews, scheduling

TARGET_ROWS_FREE = 2  # empty target rows offered below those already written


class ScheduleReviewForm(forms.Form):
    scheduled_for = forms.DateField(label="Date of the review", widget=DateInput())


class CancelReviewForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(),
        help_text="For example: the apprentice is on leave; we will plan a new date.",
    )


class RecordReviewForm(forms.Form):
    held_on = forms.DateField(label="Date of the review", widget=DateInput())
    format = forms.ChoiceField(
        label="How it was held",
        choices=ReviewVersion.Format.choices,
        widget=forms.RadioSelect,
        initial=ReviewVersion.Format.IN_PERSON,
    )
    employer_signatory = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Who signs for the employer",
        empty_label=None,
    )
    discussion = forms.CharField(
        label="What was discussed",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Progress since the last review, what went well, what was hard.",
    )
    employer_view = forms.CharField(
        label="The employer's view",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the employer sees the apprentice's progress at work.",
    )
    wellbeing = forms.CharField(
        label="Wellbeing check-in (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Only the apprentice and the tutor see this. The employer, the assessor and "
            "the provider's admins never do."
        ),
    )

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = reviews.employer_contacts(apprenticeship)
        self.fields["employer_signatory"].queryset = contacts
        self.fields["employer_signatory"].help_text = (
            "An employer contact on this apprenticeship. Someone who has not set up their "
            "account can sign through a link you email them."
        )


class TargetForm(forms.Form):
    text = forms.CharField(label="Target", max_length=500, required=False)
    due_on = forms.DateField(label="Due by", required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        text, due_on = (cleaned.get("text") or "").strip(), cleaned.get("due_on")
        if text and due_on is None and "due_on" not in self.errors:
            self.add_error("due_on", "Give the date this target is due.")
        if due_on is not None and not text:
            self.add_error("text", "Write the target, or clear its date.")
        return cleaned


TargetFormSet = forms.formset_factory(TargetForm, extra=0, max_num=20, absolute_max=20)


def target_formset(data=None, *, initial: list[dict] | None = None) -> forms.BaseFormSet:
    """Rows for the targets already written plus TARGET_ROWS_FREE empty ones (no script
    needed to add more: save and more empty rows appear)."""
    initial = initial or []
    rows = initial + [{} for _ in range(max(TARGET_ROWS_FREE, 3 - len(initial)))]
    return TargetFormSet(data, initial=rows, prefix="targets")


def targets_from(formset: forms.BaseFormSet) -> list[tuple[str, object]]:
    return [
        (form.cleaned_data["text"], form.cleaned_data["due_on"])
        for form in formset.forms
        if form.cleaned_data.get("text", "").strip()
    ]


class SignReviewForm(forms.Form):
    party = forms.ChoiceField(choices=ReviewParty.choices, widget=forms.HiddenInput)
    seal = forms.CharField(max_length=64, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have read this review and agree it is a true record of what we discussed "
        "and agreed.",
        error_messages={"required": "Tick the box to say you agree, then sign."},
    )


class LinkSignForm(forms.Form):
    seal = forms.CharField(max_length=64, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have read this review and agree it is a true record of what we discussed "
        "and agreed.",
        error_messages={"required": "Tick the box to say you agree, then sign."},
    )


class IntervalForm(forms.Form):
    RULE, AGREED = "rule", "agreed"

    choice = forms.ChoiceField(
        label="How often",
        widget=forms.RadioSelect,
        choices=[(RULE, "As the funding rules say"), (AGREED, "A different interval we agreed")],
    )
    every = forms.IntegerField(label="Every", required=False, min_value=1)
    unit = forms.ChoiceField(
        label="Weeks or months", required=False, choices=AgreedReviewInterval.Unit.choices
    )
    reason = forms.CharField(
        label="Why this was agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: monthly reviews while the apprentice settles into a new team.",
    )
    employer_contact = forms.ModelChoiceField(
        label="Which employer contact agreed",
        queryset=User.objects.none(),
        required=False,
        help_text="Needed when reviews are to be further apart than the funding rules ask.",
    )
    employer_agreed_on = forms.DateField(
        label="The day they agreed", required=False, widget=DateInput()
    )

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this apprenticeship's own employer contacts.
        self.fields["employer_contact"].queryset = User.objects.filter(
            memberships__apprenticeship=apprenticeship,
            memberships__role=Role.EMPLOYER,
            memberships__is_active=True,
        ).order_by("full_name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("choice") == self.AGREED:
            if not cleaned.get("every"):
                self.add_error("every", "Give the number of weeks or months.")
            if not cleaned.get("unit"):
                self.add_error("unit", "Choose weeks or months.")
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", "Record why this interval was agreed.")
            unit, every = cleaned.get("unit"), cleaned.get("every")
            if unit and every:
                most = (
                    scheduling.MAX_AGREED_WEEKS
                    if unit == AgreedReviewInterval.Unit.WEEKS
                    else scheduling.MAX_AGREED_MONTHS
                )
                if every > most:
                    self.add_error("every", f"Choose between 1 and {most} {unit}.")
        return cleaned
