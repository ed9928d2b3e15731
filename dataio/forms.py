from django import forms

from apprenticeship import access
from dataio import enrolment_import


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
