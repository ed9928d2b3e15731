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
