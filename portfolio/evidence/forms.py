from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from apprenticeship.forms import DateInput
from apprenticeship.models import Apprenticeship, Role
from portfolio.evidence import filetypes
from portfolio.evidence.models import (
    APPRENTICE_KINDS,
    Evidence,
    EvidenceKind,
    EvidenceVersion,
    WitnessTestimony,
)
from portfolio.evidence.services.decisions import Decision
from standards.models import KSB, Duty


class EvidenceForm(forms.Form):
    """The apprentice's draft. Everything is optional while drafting; what submission
    needs is checked when they submit. Choices come only from their own standard."""

    title = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in APPRENTICE_KINDS],
        label="What kind of evidence is it?",
    )
    activity_date = forms.DateField(
        required=False, widget=DateInput(), label="Date of the activity"
    )
    account = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        label="Your account",
        help_text="What happened, what you did, and what you learned. Don't name or "
        "describe anyone in a way that could identify them.",
    )
    duties = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Duties it shows",
    )
    ksbs = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Knowledge, skills and behaviours it shows",
    )
    testimonies = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Witness testimonies to attach",
    )
    visible_to_employer = forms.BooleanField(
        required=False,
        label="Let my employer see this",
        help_text="Your tutor always sees submitted evidence. Your employer sees it only "
        "if you tick this.",
    )

    def __init__(
        self, *args, apprenticeship: Apprenticeship, evidence: Evidence | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # {duty id: framework units} the provider's mapping suggests, shown beside each
        # duty (apprenticeship.crosswalk.suggestions_for); set by the page that shows it.
        self.suggestions: dict[int, list] = {}
        # Only the kinds an apprentice writes, and the one this item already has (older
        # items may carry another), so saving never changes it unasked.
        if evidence is not None and evidence.kind not in APPRENTICE_KINDS:
            self.fields["kind"].choices = [
                *self.fields["kind"].choices,
                (evidence.kind, EvidenceKind(evidence.kind).label),
            ]
        version = apprenticeship.standard_version
        # Current statements, and any retired one this evidence already names, so saving
        # does not drop it unasked; nothing new is mapped to a retired statement.
        duties = Q(retired_at__isnull=True)
        ksbs = Q(retired_at__isnull=True)
        if evidence is not None:
            duties |= Q(pk__in=evidence.duties.values("pk"))
            ksbs |= Q(pk__in=evidence.ksbs.values("pk"))
        self.fields["duties"].queryset = (
            Duty.objects.filter(duties, standard_version=version)
            .order_by("number", "pk")
            .prefetch_related("ksbs")
        )
        self.fields["ksbs"].queryset = KSB.objects.filter(ksbs, standard_version=version)
        self.fields["testimonies"].queryset = WitnessTestimony.objects.filter(
            apprenticeship=apprenticeship
        ).select_related("author")
        self.fields["duties"].label_from_instance = lambda duty: f"{duty.code_label}: {duty.text}"
        self.fields["ksbs"].label_from_instance = lambda ksb: f"{ksb.code_label}: {ksb.text}"

    def mapping_groups(self) -> list[dict]:
        """The duty and KSB checkboxes grouped for the page: each duty with the KSBs the
        standard maps to it, then any KSBs no duty claims, by kind. When the standard's
        duty-to-KSB map is not loaded, every KSB is listed by kind."""
        ksb_widgets = {w.data["value"].value: w for w in self["ksbs"]}
        ksbs = {k.pk: k for k in self.fields["ksbs"].queryset}
        claimed: set[int] = set()
        groups = []
        for widget in self["duties"]:
            duty = widget.data["value"].instance
            own = [ksb_widgets[k.pk] for k in duty.ksbs.all() if k.pk in ksb_widgets]
            claimed.update(k.pk for k in duty.ksbs.all())
            groups.append(
                {
                    "duty": duty,
                    "widget": widget,
                    "ksbs": own,
                    "suggested": self.suggestions.get(duty.pk, []),
                }
            )
        for kind, label in KSB.Kind.choices:
            rest = [
                w for pk, w in ksb_widgets.items() if pk not in claimed and ksbs[pk].kind == kind
            ]
            if rest:
                groups.append({"label": label, "ksbs": rest, "map_loaded": bool(claimed)})
        return groups

    def clean_activity_date(self):
        day = self.cleaned_data.get("activity_date")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date of the activity can't be in the future.")
        return day


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Add files",
        help_text="Documents, photos, audio or video. Photos have their location and "
        "camera details removed.",
        # The field sits inside the evidence form on the page but belongs to this one.
        widget=MultipleFileInput(
            attrs={"accept": filetypes.ACCEPT_ATTRIBUTE, "form": "upload-form"}
        ),
    )


class SubmitForm(forms.Form):
    own_work = forms.BooleanField(required=False, label="This is my own work, in my own words.")
    names_no_one = forms.BooleanField(
        required=False,
        label="It does not name or identify anyone I support, or their family or carers.",
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.CHOICES, widget=forms.RadioSelect)
    feedback = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed when you refer it back: say what to change. Posted to the "
        "evidence's comments.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Add a comment")


class SignOffForm(forms.Form):
    evidence_versions = forms.ModelMultipleChoiceField(
        queryset=EvidenceVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Accepted evidence you are relying on",
        error_messages={"required": "Choose the accepted evidence you are relying on."},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this evidence shows the apprentice can do this duty.",
    )
    evidence_search = forms.CharField(
        required=False,
        max_length=100,
        label="Find older accepted evidence by its title",
    )

    # The list shows this many accepted items, not every one the portfolio maps to the
    # duty: the most recently accepted, or those whose title matches the search, and
    # always those already ticked.
    PICKER_SIZE = 30

    def __init__(self, *args, choices, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["evidence_versions"]
        # Any accepted version of the duty may be chosen (validation looks up those
        # posted); only a page of them is listed.
        field.queryset = choices
        self.searched_for = search.strip()[:100]
        listed = (
            choices.filter(title__icontains=self.searched_for) if self.searched_for else choices
        )
        shown = list(listed[: self.PICKER_SIZE + 1])
        self.has_more = len(shown) > self.PICKER_SIZE
        shown = shown[: self.PICKER_SIZE]
        ticked = (
            self.data.getlist(self.add_prefix("evidence_versions"))
            if self.is_bound
            else self.initial.get("evidence_versions") or []
        )
        ticked_ids = {int(pk) for pk in (getattr(t, "pk", t) for t in ticked) if str(pk).isdigit()}
        missing = ticked_ids - {version.pk for version in shown}
        if missing:
            shown += list(choices.filter(pk__in=missing))
        field.choices = [(version.pk, _version_label(version)) for version in shown]
        if self.searched_for:
            field.help_text = (
                f"Accepted evidence whose title contains “{self.searched_for}”"
                + (f" (the first {self.PICKER_SIZE})." if self.has_more else ".")
                if len(shown) > len(missing)
                else f"No accepted evidence for this duty has “{self.searched_for}” in its title."
            )
        elif self.has_more:
            field.help_text = (
                f"The {self.PICKER_SIZE} pieces of evidence for this duty you accepted most "
                "recently. For an older one, find it by its title below."
            )


def _version_label(version: EvidenceVersion) -> str:
    return f"{version.title} (version {version.number}, accepted {version.accepted_at:%-d %b %Y})"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason."},
    )


class TestimonyForm(forms.Form):
    author_role = forms.CharField(
        max_length=150,
        label="Your role",
        help_text="For example: team leader, or mentor. It appears with your name.",
    )
    witnessed_on = forms.DateField(widget=DateInput(), label="When you saw it")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="What you saw",
        help_text="Describe what the apprentice did and how well. Don't identify the "
        "people they were supporting.",
    )


class TestimonyRequestForm(forms.Form):
    """Ask a witness for a testimony: an employer contact on the apprenticeship, or
    someone else by email."""

    activity = forms.CharField(
        max_length=200,
        label="What activity should it be about?",
        help_text="For example: running the Tuesday peer support group. Don't name anyone "
        "you support.",
    )
    activity_date = forms.DateField(
        required=False, widget=DateInput(), label="When it happened (if it was one day)"
    )
    duties = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Duties it should show (optional)",
    )
    witness = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Someone else: I'll give their name and email",
        label="Who should write it?",
    )
    witness_name = forms.CharField(max_length=150, required=False, label="Their name")
    witness_email = forms.EmailField(
        required=False,
        label="Their email address",
        help_text="They get a link that works once, for 28 days. They don't need an account.",
    )

    def __init__(self, *args, apprenticeship: Apprenticeship, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duties"].queryset = Duty.objects.filter(
            standard_version=apprenticeship.standard_version_id, retired_at__isnull=True
        ).order_by("number", "pk")
        self.fields["duties"].label_from_instance = lambda duty: f"{duty.code_label}: {duty.text}"
        self.fields["witness"].queryset = User.objects.filter(
            memberships__apprenticeship=apprenticeship,
            memberships__role=Role.EMPLOYER,
            memberships__is_active=True,
            is_active=True,
        ).order_by("full_name", "pk")
        self.fields["witness"].label_from_instance = lambda user: (
            f"{user.full_name} (employer contact)"
        )

    def clean(self):
        data = super().clean()
        if not data.get("witness") and not (data.get("witness_name") and data.get("witness_email")):
            raise forms.ValidationError(
                "Choose an employer contact, or give the witness's name and email address."
            )
        return data


class ProtectedNameForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name")
