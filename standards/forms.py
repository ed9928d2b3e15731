import json

from django import forms

MAX_STANDARD_FILE_BYTES = 5 * 1024 * 1024


class ImportStandardForm(forms.Form):
    file = forms.FileField(
        label="Standard file (JSON)",
        help_text="One standard version, as the Skills England standards API serves it.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STANDARD_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; a standard is smaller.")
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(f"This is not a JSON file: {exc}.") from None


class OtjMinimumForm(forms.Form):
    hours = forms.IntegerField(
        label="Minimum off-the-job hours",
        min_value=1,
        max_value=5000,
        help_text="For apprentices starting on or after 1 August 2025, as the funding rules "
        "publish it for this standard.",
    )
    source = forms.CharField(
        label="Where the figure comes from",
        max_length=300,
        help_text="For example: the 2025 to 2026 funding rules, the list of minimum "
        "off-the-job hours by standard, checked on a given date.",
    )
