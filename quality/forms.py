from django import forms

from accounts.models import User
from apprenticeship.models import Apprenticeship, Organisation, Role
from standards.models import AssessmentMethod


class ModerationPolicyForm(forms.Form):
    is_active = forms.BooleanField(
        label="Moderate results before they are released",
        required=False,
        help_text="When this is off, a result goes to the training provider and the "
        "apprentice as soon as the assessor confirms it.",
    )
    all_highest = forms.BooleanField(label="Moderate every distinction", required=False)
    all_fails = forms.BooleanField(label="Moderate every fail", required=False)
    pass_percent = forms.IntegerField(
        label="Share of other results to moderate (per cent)",
        min_value=0,
        max_value=100,
        help_text="Picked at random from a seed recorded with the policy, so the sample can "
        "be checked later.",
    )
    moderators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People who work for your organisation. A moderator never moderates a "
        "result they assessed.",
    )

    def __init__(self, *args, epao: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the organisation's own people: a dropdown must not leak anyone else.
        self.fields["moderators"].queryset = User.objects.filter(
            org_memberships__organisation=epao, org_memberships__is_active=True
        ).order_by("full_name", "email")


class CertificateRequestForm(forms.Form):
    requested_on = forms.DateField(
        label="Date you requested the certificate",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ModerationDecisionForm(forms.Form):
    CONFIRM, RETURN = "confirm", "return"
    decision = forms.ChoiceField(
        choices=[
            (CONFIRM, "Confirm the result and release it"),
            (RETURN, "Return it to the assessor"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text="Needed when you return the result: the assessor reads it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the result goes back to the assessor.")
        return data


class BookingForm(forms.Form):
    method = forms.ModelChoiceField(queryset=AssessmentMethod.objects.none())
    starts_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(max_length=300, required=False, help_text="Where it happens.")
    video_link = forms.URLField(
        required=False, assume_scheme="https", help_text="For a session held by video."
    )
    assessor = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        # This apprenticeship's methods and assigned assessors only.
        self.fields["method"].queryset = AssessmentMethod.objects.filter(
            plan__standard_version_id=apprenticeship.standard_version_id
        ).order_by("order")
        self.fields["assessor"].queryset = User.objects.filter(
            memberships__apprenticeship=apprenticeship,
            memberships__role=Role.ASSESSOR,
            memberships__is_active=True,
        )
        self.fields["assessor"].label_from_instance = lambda u: u.full_name or u.email

    def clean(self):
        data = super().clean()
        if not (data.get("place") or "").strip() and not data.get("video_link"):
            raise forms.ValidationError("Give the place, or the video link, or both.")
        return data


class RearrangeForm(forms.Form):
    reason = forms.CharField(
        label="Why does the session need to move?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
