from django import forms

from epa.models import EnglishMaths


class EnglishMathsForm(forms.ModelForm):
    class Meta:
        model = EnglishMaths
        fields = ["english", "maths", "has_ehc_plan", "evidence"]
        labels = {"english": "English", "maths": "Maths"}


class DeclarationForm(forms.Form):
    confirmed = forms.BooleanField(required=False, label="I confirm this statement.")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Give a reason."}
    )
