"""Forms for the end-point assessment. Choices come from the apprentice's assessment plan
and the apprenticeship's own organisations; the services check everything again."""

from django import forms

from accounts.models import User
from apprenticeship.forms import DateInput
from apprenticeship.models import Apprenticeship, Membership, OrganisationMembership, Role
from epa.models import Appeal, AssessmentRound, MethodAssessment, SessionMode
from epa.models.assessment import NO_CONFLICT_STATEMENT
from epa.selectors.assessment import allowed_modes
from epa.services.assessment import MAX_SESSION_MINUTES
from standards.models import AssessmentMethod, AssessmentPlan


class AssignAssessorForm(forms.Form):
    assessor = forms.ModelChoiceField(queryset=User.objects.none(), label="Assessor")

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        assigned = Membership.objects.filter(
            apprenticeship=apprenticeship, role=Role.ASSESSOR, is_active=True
        ).values("user")
        # Only people who work for this apprenticeship's assessment organisation.
        self.fields["assessor"].queryset = (
            User.objects.filter(
                pk__in=OrganisationMembership.objects.filter(
                    organisation_id=apprenticeship.epao_id, is_active=True
                ).values("user")
            )
            .exclude(pk__in=assigned)
            .order_by("full_name")
        )
        self.fields["assessor"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        label="Why are you taking them off?",
    )


class DeclarationForm(forms.Form):
    no_conflict = forms.BooleanField(
        required=True,
        label=NO_CONFLICT_STATEMENT,
        error_messages={
            "required": "Tick the box to declare that you have no conflict of interest."
        },
    )


class SessionForm(forms.Form):
    held_on = forms.DateField(label="Date of the session", widget=DateInput())
    duration_minutes = forms.IntegerField(
        label="How long it lasted, in minutes", min_value=1, max_value=MAX_SESSION_MINUTES
    )
    mode = forms.ChoiceField(label="How it was held", widget=forms.RadioSelect)

    def __init__(self, *args, method: AssessmentMethod, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = allowed_modes(method, number)
        self.fields["mode"].choices = [(m, SessionMode(m).label) for m in allowed]
        if len(allowed) == 1:
            self.fields["mode"].initial = allowed[0]
            self.fields[
                "mode"
            ].help_text = (
                f"The plan does not allow session {number} of this method to be held by video."
            )


class QuestionForm(forms.Form):
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="The question you asked"
    )
    answer_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Notes on the answer"
    )
    theme = forms.ChoiceField(label="Theme", required=False)

    def __init__(self, *args, method: AssessmentMethod, **kwargs):
        super().__init__(*args, **kwargs)
        if method.themes:
            self.fields["theme"].choices = [("", "Choose a theme")] + [
                (theme, theme) for theme in method.themes
            ]
            self.fields["theme"].required = True
            self.fields["theme"].error_messages["required"] = (
                "Choose which of the plan's themes this question covers."
            )
        else:
            del self.fields["theme"]


class KsbNotesForm(forms.Form):
    """One note per KSB the plan maps to the method."""

    def __init__(self, *args, method_assessment: MethodAssessment, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {n.ksb_id: n.note for n in method_assessment.ksb_notes.all()}
        self.ksb_fields = []
        for ksb in method_assessment.method.ksbs.all():
            name = f"ksb_{ksb.pk}"
            self.fields[name] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                label=f"{ksb.code}: {ksb.text}",
                initial=existing.get(ksb.pk, ""),
            )
            self.ksb_fields.append((name, ksb.pk))

    def notes(self) -> dict[int, str]:
        return {pk: self.cleaned_data[name] for name, pk in self.ksb_fields}


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label="Grade", widget=forms.RadioSelect)

    def __init__(self, *args, method: AssessmentMethod, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g.capitalize()) for g in method.grade_options]


class ConfirmResultForm(forms.Form):
    grade = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        required=True,
        label="I confirm this overall grade. I understand it is then locked and can only be "
        "changed by an appeal.",
        error_messages={"required": "Tick the box to confirm the result."},
    )


class StartRoundForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is it?",
        widget=forms.RadioSelect,
        choices=[
            (AssessmentRound.Kind.RESIT, "A resit: no further training is needed first"),
            (AssessmentRound.Kind.RETAKE, "A retake: the apprentice has had further training"),
        ],
    )


class ExceptionalCircumstancesForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What are the exceptional circumstances?",
        help_text="Say what happened, without medical or personal detail the assessor does not "
        "need.",
    )


class AppealForm(forms.Form):
    raised_by = forms.ChoiceField(
        label="Who is appealing?", choices=Appeal.Party.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Why are they appealing?"
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Appeal.Outcome.UPHELD, "Upheld"),
            (Appeal.Outcome.NOT_UPHELD, "Not upheld: the grade stays as it is"),
        ],
    )
    grade_after = forms.ChoiceField(
        label="Overall grade after the appeal",
        required=False,
        help_text="Only for an upheld appeal.",
    )
    decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="The decision and the reasons for it"
    )

    def __init__(self, *args, plan: AssessmentPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_after"].choices = [("", "Choose a grade")] + [
            (g, g.capitalize()) for g in plan.overall_grades
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Appeal.Outcome.UPHELD and not cleaned.get("grade_after"):
            self.add_error("grade_after", "Choose the overall grade after the appeal.")
        if cleaned.get("outcome") == Appeal.Outcome.NOT_UPHELD:
            cleaned["grade_after"] = ""
        return cleaned
