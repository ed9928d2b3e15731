"""Forms for an organisation's own policies: a provider's gateway items, and an assessment
organisation's resit and retake policy. The services check everything again."""

from django import forms

from epa.models import GatewayPolicy
from standards.models import AssessmentPlan, ResitScope


class GatewayPolicyForm(forms.Form):
    """One tick box for each gateway item that is the provider's own policy."""

    def __init__(self, *args, policy: GatewayPolicy, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in GatewayPolicy.ITEMS:
            self.fields[name] = forms.BooleanField(
                label=f"Require: {label.lower()}",
                required=False,
                initial=getattr(policy, name),
            )


NO_CAP = ""


class ResitPolicyForm(forms.Form):
    name = forms.CharField(
        label="Which policy",
        max_length=200,
        help_text="Its title and version as your organisation names it, for example "
        "\u201cResit and retake policy, version 3 (March 2026)\u201d.",
        error_messages={"required": "Say which of your policies this is."},
    )
    grade_cap = forms.ChoiceField(label="Cap on the overall grade of a resit or retake")
    scope = forms.ChoiceField(
        label="What a resit or retake assesses again",
        choices=ResitScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what a resit or retake assesses again."},
    )

    def __init__(self, *args, plan: AssessmentPlan, **kwargs):
        super().__init__(*args, **kwargs)
        # Any grade above the lowest (a cap at the failing grade would fail every resit).
        self.fields["grade_cap"].choices = [(NO_CAP, "No cap")] + [
            (grade, f"Capped at {grade}") for grade in plan.overall_grades[1:]
        ]
