import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    DecisionStage,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from quality.models import IqaItem, SamplingPlan


class IqaLeadsForm(forms.Form):
    leads = forms.ModelMultipleChoiceField(
        label="IQA leads",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People who work for the provider. An IQA lead never samples the work of "
        "an apprenticeship they are or were a tutor on.",
    )

    def __init__(self, *args, provider: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the provider's own people: a list must not leak anyone else.
        self.fields["leads"].queryset = User.objects.filter(
            org_memberships__organisation=provider, org_memberships__is_active=True
        ).order_by("full_name", "email")


class PlanForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), empty_label=None)
    name = forms.CharField(max_length=120, help_text="For example: January 2026 starts.")
    scope = forms.ChoiceField(
        label="What to sample",
        choices=SamplingPlan.Scope.choices,
        widget=forms.RadioSelect,
        initial=SamplingPlan.Scope.COHORT,
    )
    cohort_start_from = forms.DateField(
        label="Cohort: started on or after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cohort_start_to = forms.DateField(
        label="Cohort: started on or before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tutor = forms.ModelChoiceField(
        label="Tutor", queryset=User.objects.none(), required=False, empty_label="Choose a tutor"
    )
    percent = forms.IntegerField(
        label="Share of decisions to sample (per cent)", min_value=1, max_value=100, initial=10
    )
    stages = forms.MultipleChoiceField(
        label="Decisions to sample",
        choices=DecisionStage.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[DecisionStage.EVIDENCE, DecisionStage.SIGN_OFF],
    )

    def __init__(self, *args, providers, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        # People working at the lead's providers who tutor (or tutored) there, never the
        # lead themself: a dropdown must not leak anyone else.
        self.fields["tutor"].queryset = (
            User.objects.filter(
                Exists(
                    OrganisationMembership.objects.filter(
                        user=OuterRef("pk"), organisation__in=providers, is_active=True
                    )
                ),
                Exists(
                    Membership.objects.filter(
                        user=OuterRef("pk"),
                        role=Role.TUTOR,
                        apprenticeship__provider__in=providers,
                    )
                ),
            )
            .exclude(pk=user.pk)
            .order_by("full_name", "email")
        )

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == SamplingPlan.Scope.COHORT:
            start, end = data.get("cohort_start_from"), data.get("cohort_start_to")
            if start is None or end is None:
                self.add_error("cohort_start_from", "Give the first and last start dates.")
            elif end < start:
                self.add_error("cohort_start_to", "This is before the first start date.")
        elif scope == SamplingPlan.Scope.TUTOR and data.get("tutor") is None:
            self.add_error("tutor", "Choose the tutor whose work this plan samples.")
        return data


class DrawForm(forms.Form):
    start = forms.DateField(
        label="Decisions made from", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end is before the start.")
            elif end > timezone.localdate():
                self.add_error("end", "The period cannot end in the future.")
            elif (end - start) > dt.timedelta(days=366):
                self.add_error("start", "Draw from at most a year of decisions at a time.")
        return data


class FindDecisionsForm(forms.Form):
    """Where the list of decisions to add starts: the newest made on or before a day."""

    up_to = forms.DateField(
        label="Made on or before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, or leave it empty for the newest."},
    )


class AddItemForm(forms.Form):
    stage = forms.ChoiceField(choices=DecisionStage.choices, widget=forms.HiddenInput)
    decision_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Your verdict", choices=IqaItem.Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="The action, or why you disagree",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text="Needed for an action or a disagreement. The tutor reads this.",
    )

    def clean(self):
        data = super().clean()
        verdict, note = data.get("verdict"), (data.get("note") or "").strip()
        if verdict == IqaItem.Verdict.AGREE_ACTION and not note:
            self.add_error("note", "Say what the tutor should do.")
        if verdict == IqaItem.Verdict.DISAGREE and not note:
            self.add_error("note", "Say why you disagree.")
        return data


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="What you did",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, reopens: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.reopens = reopens
        if reopens:
            self.fields["note"].label = "Your note (optional)"
            self.fields["note"].help_text = (
                "Reopening withdraws the sign-off. Its history keeps the IQA lead's reason "
                "and your note; you can sign the duty off again when the evidence covers it."
            )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not self.reopens and not note:
            raise forms.ValidationError("Say what you did.")
        return note


class ReportPeriodForm(forms.Form):
    start = forms.DateField(
        label="Decisions made from", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end is before the start.")
        return data
