"""Forms for the wellbeing plan."""

from django import forms

from portfolio.wellbeing.models import WellbeingAudience, WellbeingSection

HELP = {
    WellbeingSection.KEEPS_ME_WELL: "Things you do, people, routines, places.",
    WellbeingSection.STRESSES_ME: "Situations at work or outside it that are hard for you.",
    WellbeingSection.EARLY_SIGNS: "What you, or others, might notice first.",
    WellbeingSection.WHAT_HELPS: "What you would like others to do, or not do.",
    WellbeingSection.WHO_TO_CONTACT: "Who, and how. Only people who have agreed to it.",
}


class WellbeingPlanForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in WellbeingSection:
            self.fields[section.value] = forms.CharField(
                label=section.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=HELP[section],
            )


class SharingForm(forms.Form):
    section = forms.ChoiceField(choices=WellbeingSection.choices)
    audience = forms.ChoiceField(choices=WellbeingAudience.choices)
    shared = forms.TypedChoiceField(
        choices=[("yes", "Share"), ("no", "Withdraw")], coerce=lambda value: value == "yes"
    )


class AdjustmentRequestForm(forms.Form):
    area = forms.ChoiceField(
        label="Where it is for",
        choices=[
            ("work", "At work (agreed with your employer contact)"),
            ("learning", "In my learning (agreed with your training provider)"),
            ("assessment", "In the end-point assessment (decided by the assessment organisation)"),
        ],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="What would help",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example extra time, breaks, a quiet room, or questions in writing first.",
    )


class AdjustmentDecisionForm(forms.Form):
    agreed = forms.TypedChoiceField(
        choices=[("yes", "Agree"), ("no", "Do not agree")], coerce=lambda value: value == "yes"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
