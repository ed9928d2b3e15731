"""Forms for the supervision log. They parse input; the rules live in the services, which
key their errors by these field names."""

from django import forms
from django.utils import timezone

from accounts.models import User
from apprenticeship.forms import DateInput
from apprenticeship.models import Apprenticeship
from portfolio.supervision.models import SupervisionRecord
from portfolio.supervision.services import supervisors
from portfolio.training.forms import DutyChoiceField
from standards.models import Duty


class SupervisionForm(forms.Form):
    held_on = forms.DateField(label="Date of the supervision", widget=DateInput())
    kind = forms.ChoiceField(
        label="Kind of supervision",
        choices=SupervisionRecord.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Managerial supervision is usually with your team leader. Peer or "
        "professional supervision is with a senior peer worker or a peer group.",
    )
    format = forms.ChoiceField(
        label="One to one or in a group",
        choices=SupervisionRecord.Format.choices,
        widget=forms.RadioSelect,
    )
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who supervised you",
        empty_label="Someone not listed here",
    )
    supervisor_name = forms.CharField(
        label="Or the name of a supervisor from outside",
        max_length=150,
        required=False,
        help_text="For example a peer supervisor from another service.",
    )
    hours = forms.IntegerField(label="Hours", min_value=0, max_value=24, required=False, initial=1)
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=59, required=False)
    agreed = forms.CharField(
        label="What was agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Actions and decisions. Do not name anyone you support.",
    )
    reflection = forms.CharField(
        label="My own reflection",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you see this, unless you choose to share it below.",
    )
    shared_with_tutor = forms.BooleanField(
        label="My tutor can see what was agreed", required=False, initial=True
    )
    shared_with_employer = forms.BooleanField(
        label="My employer contact can see what was agreed", required=False
    )
    reflection_shared = forms.BooleanField(
        label="Share my reflection with the same people", required=False
    )

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors(apprenticeship).order_by("full_name")
        self.fields["supervisor"].label_from_instance = lambda user: user.full_name
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "kind": data["kind"],
            "format": data["format"],
            "minutes": (data.get("hours") or 0) * 60 + (data.get("minutes") or 0),
            "supervisor": data.get("supervisor"),
            "supervisor_name": data.get("supervisor_name", ""),
            "agreed": data.get("agreed", ""),
            "reflection": data.get("reflection", ""),
            "shared_with_tutor": data["shared_with_tutor"],
            "shared_with_employer": data["shared_with_employer"],
            "reflection_shared": data["reflection_shared"],
        }


class SharingForm(forms.Form):
    shared_with_tutor = forms.BooleanField(label="My tutor can see what was agreed", required=False)
    shared_with_employer = forms.BooleanField(
        label="My employer contact can see what was agreed", required=False
    )
    reflection_shared = forms.BooleanField(
        label="Share my reflection with the same people", required=False
    )


class LogAsOtjForm(forms.Form):
    duty = DutyChoiceField(queryset=Duty.objects.none(), label="The duty it is for")

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].queryset = (
            Duty.objects.current()
            .filter(standard_version_id=apprenticeship.standard_version_id)
            .order_by("number")
        )
