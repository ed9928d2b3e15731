"""One factory per model, minimum valid defaults."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from portfolio.models import Evidence, EvidenceKind, WitnessTestimony
from standards.models import KSB, AssessmentMethod, AssessmentPlan, Duty, StandardVersion


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StandardVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardVersion

    reference = factory.Sequence(lambda n: f"ST{9000 + n}")
    version = "1.0"
    title = factory.Sequence(lambda n: f"Test standard {n}")
    level = 3
    typical_duration_months = 15
    minimum_programme_months = 12


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    standard_version = factory.SubFactory(StandardVersionFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Duty text {n}")
    otj_weight = Decimal("4")


class KSBFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KSB

    standard_version = factory.SubFactory(StandardVersionFactory)
    kind = KSB.Kind.SKILL
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"{o.kind[0].upper()}{o.number}")
    text = factory.Sequence(lambda n: f"KSB text {n}")


class AssessmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentPlan

    standard_version = factory.SubFactory(StandardVersionFactory)
    overall_grades = ["fail", "pass", "distinction"]
    epa_window_months = 3
    resit_grade_cap = "pass"


class AssessmentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentMethod

    plan = factory.SubFactory(AssessmentPlanFactory)
    code = factory.Sequence(lambda n: f"AM{n + 1}")
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Method {n}")
    grade_options = ["fail", "pass"]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.EMPLOYER


class ProviderFactory(OrganisationFactory):
    kind = Organisation.Kind.PROVIDER
    name = factory.Sequence(lambda n: f"Provider {n}")


class EmployerFactory(OrganisationFactory):
    kind = Organisation.Kind.EMPLOYER
    name = factory.Sequence(lambda n: f"Employer {n}")


class EPAOFactory(OrganisationFactory):
    kind = Organisation.Kind.EPAO
    name = factory.Sequence(lambda n: f"Assessment organisation {n}")


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(EmployerFactory)


class ApprenticeshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apprenticeship

    apprentice = factory.SubFactory(UserFactory)
    standard_version = factory.SubFactory(StandardVersionFactory)
    provider = factory.SubFactory(ProviderFactory)
    employer = factory.SubFactory(EmployerFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=180))
    planned_end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=460))
    contracted_weekly_hours = Decimal("37.5")
    date_of_birth = dt.date(1990, 5, 17)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.TUTOR


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    kind = EvidenceKind.WORK_RECORD
    activity_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    account = "What I did, what I learned and what I would do differently."
    visible_to_employer = True


class WitnessTestimonyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WitnessTestimony

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    author = factory.SubFactory(UserFactory)
    author_role = "Team leader"
    witnessed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    text = "I saw the apprentice run the weekly peer group calmly and kindly."


# -- end-point assessment ----------------------------------------------------------------


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.ConflictDeclaration"

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    assessor = factory.SubFactory(UserFactory)
    statement = "I have no conflict of interest with this apprentice."


class AssessmentRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.AssessmentRound"

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    number = 1
    kind = "first"


class MethodAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.MethodAssessment"

    round = factory.SubFactory(AssessmentRoundFactory)
    method = factory.SubFactory(AssessmentMethodFactory)


class AssessmentSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.AssessmentSession"

    method_assessment = factory.SubFactory(MethodAssessmentFactory)
    number = 1
    held_on = factory.LazyFunction(timezone.localdate)
    duration_minutes = 60
    mode = "in_person"
    recorded_by = factory.SubFactory(UserFactory)


class AssessmentQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.AssessmentQuestion"

    session = factory.SubFactory(AssessmentSessionFactory)
    number = factory.Sequence(lambda n: n + 1)
    question = "How do you decide what to share of your own story?"
    answer_notes = "Thinks first about whether it will help the person."
    recorded_by = factory.SubFactory(UserFactory)


class KsbNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.KsbNote"

    method_assessment = factory.SubFactory(MethodAssessmentFactory)
    ksb = factory.SubFactory(KSBFactory)
    note = "Seen in the observation."
    recorded_by = factory.SubFactory(UserFactory)


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "epa.Appeal"

    round = factory.SubFactory(AssessmentRoundFactory)
    raised_by = "apprentice"
    reason = "The session was cut short."
    recorded_by = factory.SubFactory(UserFactory)
    grade_before = "fail"
