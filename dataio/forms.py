from django import forms

from apprenticeship import access, funding_rules
from dataio import enrolment_import
from dataio.models import LegalHold


class EnrolmentUploadForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=None, empty_label=None)
    file = forms.FileField(
        label="Spreadsheet",
        help_text="A CSV file, or an Excel workbook (.xlsx) whose first sheet has the columns "
        "of the template. At most 5 MB.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        providers = access.administered_providers(user).order_by("name")
        self.fields["provider"].queryset = providers
        self.only_provider = providers[0] if len(providers) == 1 else None
        if self.only_provider is not None:
            # Nothing to choose: the admin's one provider.
            self.fields["provider"].widget = forms.HiddenInput()
            self.fields["provider"].required = False

    def clean_provider(self):
        return self.only_provider or self.cleaned_data["provider"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > enrolment_import.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB. Split it.")
        return upload


class SubjectAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why you are asking on their behalf",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="For example: they asked by phone on 1 December and cannot sign in.",
    )


class RetentionPolicyForm(forms.Form):
    years = forms.IntegerField(
        label="Years to keep records after the funding year they ended in",
        min_value=funding_rules.RECORD_RETENTION_YEARS,
        max_value=40,
        help_text=f"At least {funding_rules.RECORD_RETENTION_YEARS}. The funding year ends on "
        "31 July.",
    )
    applies_automatically = forms.BooleanField(
        label="Delete what is due every night",
        required=False,
        help_text="Untick to pause deleting. What is due is still listed here.",
    )


class LegalHoldForm(forms.Form):
    reason = forms.ChoiceField(label="Why the records are held", choices=LegalHold.Reason.choices)
    why = forms.CharField(
        label="Say more",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="For example: the apprentice appealed the result on 3 March; the appeal is open.",
    )


class LiftHoldForm(forms.Form):
    why = forms.CharField(
        label="Why the hold can be lifted",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="For example: the appeal was decided on 12 May and no further action is open.",
    )
