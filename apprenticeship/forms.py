from django import forms
from django.utils.text import Truncator

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Organisation, Role
from apprenticeship.uln import uln_problem
from apprenticeship.versions import StatementToMove
from standards.models import KSB, Duty, FrameworkUnit, StandardVersion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Organisation.Kind.choices, label="Type")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the organisation's name.")
        return name


class RenameOrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)


# Organisations whose staff may be admins: the provider's admins run enrolments, the
# assessment organisation's admins assign assessors.
ADMIN_KINDS = (Organisation.Kind.PROVIDER, Organisation.Kind.EPAO)


class InviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    is_admin = forms.BooleanField(
        required=False,
        label="Admin",
        help_text="At a training provider, an admin manages organisations, people and "
        "enrolments. At an end-point assessment organisation, an admin assigns assessors.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.visible_organisations(user)

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if (
            cleaned.get("is_admin")
            and organisation is not None
            and organisation.kind not in ADMIN_KINDS
        ):
            self.add_error(
                "is_admin",
                "Only staff of a training provider or an end-point assessment organisation "
                "can be admins.",
            )
        return cleaned


def _member_by_email(email: str, organisations) -> User | None:
    """The person with this email address (stored in lower case) who works for one of
    `organisations` now. One filter() call, so the same membership must be both one of
    theirs and active."""
    return User.objects.filter(
        email=email.strip().lower(),
        org_memberships__is_active=True,
        org_memberships__organisation__in=organisations,
    ).first()


class ApprenticeshipForm(forms.ModelForm):
    """Enrol an apprentice. Every dropdown only offers what the admin looks after. The
    apprentice is found by their email address, not picked from a list of everyone who
    works for the provider's employers (thousands at a large provider)."""

    apprentice = forms.EmailField(
        label="The apprentice's email address",
        help_text="Someone who works for one of your employers. Invite them first if they "
        "have no account yet.",
    )

    class Meta:
        model = Apprenticeship
        fields = [
            "apprentice",
            "standard_version",
            "provider",
            "employer",
            "epao",
            "start_date",
            "planned_end_date",
            "contracted_weekly_hours",
            "date_of_birth",
            "uln",
        ]
        widgets = {
            "start_date": DateInput(),
            "planned_end_date": DateInput(),
            "date_of_birth": DateInput(),
        }
        labels = {"standard_version": "Standard", "epao": "End-point assessment organisation"}
        help_texts = {"uln": "Optional. The 10-digit unique learner number."}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = access.visible_organisations(user)
        self.fields["provider"].queryset = organisations.filter(kind=Organisation.Kind.PROVIDER)
        self.fields["employer"].queryset = organisations.filter(kind=Organisation.Kind.EMPLOYER)
        self.fields["epao"].queryset = organisations.filter(kind=Organisation.Kind.EPAO)
        self._employers = organisations.filter(kind=Organisation.Kind.EMPLOYER)
        self.fields["standard_version"].queryset = StandardVersion.objects.all()
        if self.instance.pk:
            self.fields["standard_version"].disabled = True
            # The apprentice stays who they are: the page's heading names them.
            del self.fields["apprentice"]

    def clean_apprentice(self) -> User:
        found = _member_by_email(self.cleaned_data["apprentice"], self._employers)
        if found is None:
            raise forms.ValidationError(
                "No one with this email address works for one of your employers. Invite "
                "them first, then enrol them."
            )
        return found

    def clean_uln(self) -> str:
        uln = self.cleaned_data["uln"].strip().replace(" ", "")
        problem = uln_problem(uln) if uln else None
        if problem:
            raise forms.ValidationError(problem)
        return uln

    def _post_clean(self) -> None:
        # The service validates the model; the form only parses the fields.
        pass


class AddMemberForm(forms.Form):
    """Add a tutor (from the provider) or an employer contact (from the employer). The
    person is found by their email address among the organisation's active members, not
    picked from a list of everyone who works there: apprentices are members of their
    employer too, so a large employer has thousands."""

    user = forms.EmailField()

    def __init__(self, *args, apprenticeship: Apprenticeship, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        self._apprenticeship = apprenticeship
        self._organisation = (
            apprenticeship.provider if role == Role.TUTOR else apprenticeship.employer
        )
        self.fields["user"].label = f"The {Role(role).label.lower()}'s email address"
        self.fields["user"].help_text = f"Someone who works for {self._organisation.name}."

    def clean_user(self) -> User:
        found = _member_by_email(self.cleaned_data["user"], [self._organisation])
        if found is None:
            raise forms.ValidationError(
                f"No one with this email address works for {self._organisation.name}. "
                "Invite them first, then add them."
            )
        if found.pk == self._apprenticeship.apprentice_id:
            raise forms.ValidationError(
                "The apprentice cannot also be their own tutor or employer contact."
            )
        return found


class EndMembershipForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(),
        help_text="For example: changed tutor, left the employer.",
    )


class MoveVersionForm(forms.Form):
    """Where each duty and KSB this apprenticeship's records refer to goes in the other
    version: the same code by default, any current statement of the same sort."""

    def __init__(self, *args, rows: list[StatementToMove], to_version: StandardVersion, **kwargs):
        super().__init__(*args, **kwargs)
        duties = list(Duty.objects.current().filter(standard_version=to_version))
        ksbs = list(KSB.objects.current().filter(standard_version=to_version))
        self.rows = []
        for row in rows:
            targets = duties if row.is_duty else ksbs
            key = "duty" if row.is_duty else "ksb"
            name = f"{key}_{row.statement.pk}"
            same = next((t for t in targets if t.code == row.statement.code), None)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{row.statement.code_label}: {Truncator(row.statement.text).chars(120)}",
                help_text=f"Records of this apprentice that refer to it: {row.references_text}.",
                choices=[("", "Choose a statement")]
                + [(t.pk, f"{t.code}: {Truncator(t.text).chars(90)}") for t in targets],
                coerce=int,
                initial=same.pk if same else "",
                error_messages={"required": "Choose where these records go."},
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.rows.append((key, row.statement.pk, name))

    def mapping(self) -> dict[tuple[str, int], int]:
        """{("duty" or "ksb", old id): new id}, for versions.move_to_standard_version."""
        return {(key, pk): self.cleaned_data[name] for key, pk, name in self.rows}


class InterimMinimumForm(forms.Form):
    hours = forms.IntegerField(
        label="Interim minimum off-the-job hours",
        min_value=1,
        max_value=5000,
        help_text="For your apprentices on this standard who started on or after 1 August "
        "2025, until the official minimum is loaded.",
    )
    source = forms.CharField(
        label="Where the figure comes from",
        max_length=300,
        help_text="For example: the funding rules' list of minimum off-the-job hours by "
        "standard, checked on a given date; or how your provider worked it out.",
    )
    unusual_confirmed = forms.BooleanField(
        required=False, label="I have checked this figure and it is right."
    )


class SupervisionIntervalForm(forms.Form):
    weeks = forms.IntegerField(
        label="Weeks without supervision before the caseload says so",
        min_value=1,
        max_value=52,
        help_text="The ImROC guide advises regular managerial and peer supervision for peer "
        "workers. Six weeks is the default. Enter a whole number from 1 to 52.",
        error_messages={
            "required": "Enter a number of weeks.",
            "invalid": "Enter a whole number of weeks, from 1 to 52.",
            "min_value": "Enter at least 1 week.",
            "max_value": "Enter at most 52 weeks.",
        },
    )


class CrosswalkDutyForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        queryset=FrameworkUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units you suggest for this duty",
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            FrameworkUnit.objects.filter(section__framework=framework)
            .select_related("section")
            .order_by("section__number", "position")
        )
        self.fields["units"].label_from_instance = lambda u: f"{u.code} {u.title}"
