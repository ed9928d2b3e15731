import json

from django import forms
from django.utils.text import Truncator

from standards.services.plans import KEEP_RETIRED, ImportPlan

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


class ResolveImportForm(forms.Form):
    """What happens to the records of each statement a re-import changes or removes. The
    checked file travels with the form, signed, so nothing is written before the choice."""

    pending = forms.CharField(widget=forms.HiddenInput)
    plan = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, plan: ImportPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for change in plan.needing_choice:
            name = f"choice_{change.code}"
            self.fields[name] = forms.ChoiceField(
                label=f"Records of {change.code}",
                choices=[(KEEP_RETIRED, "Keep them on the old statement (it is kept as retired)")]
                + [
                    (t.code, f"Move them to {t.code}: {Truncator(t.new_text).chars(90)}")
                    for t in plan.targets(duty=change.is_duty)
                ],
                initial=change.same_text_in or KEEP_RETIRED,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.rows.append((change, name))

    def choices(self) -> dict[str, str]:
        """{code: KEEP_RETIRED or the code its records move to}."""
        return {change.code: self.cleaned_data[name] for change, name in self.rows}

    def bound_rows(self) -> list:
        return [(change, self[name]) for change, name in self.rows]
