"""One factory per model, minimum valid defaults."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    BreakInLearning,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from portfolio.evidence.models import Evidence, EvidenceKind, WitnessTestimony
from portfolio.evidence.services.standing import refresh_evidence_standing
from portfolio.reviews.models import (
    AgreedReviewInterval,
    Review,
    ReviewReminder,
    ReviewSignature,
    ReviewSigningLink,
    ReviewTarget,
    ReviewVersion,
)
from portfolio.reviews.services.standing import refresh_standing
from portfolio.supervision.models import SupervisionRecord
from portfolio.training.models import ActivityType, OtjAllocation, OtjEntry, OtjPlan
from portfolio.training.services.standing import refresh_otj_standing
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
        skip_postgeneration_save = True

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    kind = EvidenceKind.WORK_RECORD
    activity_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    account = "What I did, what I learned and what I would do differently."
    visible_to_employer = True

    @factory.post_generation
    def standing(obj, create, extracted, **kwargs):
        """Rows made here bypass the evidence services, so keep the standing as they would.
        A test that changes an item's status afterwards calls `refresh_evidence_standing`
        itself."""
        if create:
            refresh_evidence_standing(apprenticeship_ids=[obj.apprenticeship_id])


class WitnessTestimonyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WitnessTestimony

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    author = factory.SubFactory(UserFactory)
    author_role = "Team leader"
    witnessed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    text = "I saw the apprentice run the weekly peer group calmly and kindly."


# -- progress reviews ------------------------------------------------------------------
# Most tests record and sign reviews through the services, which keep status, versions
# and seals consistent. These factories make rows directly, for data sizes and edge cases.


def _review_standing(obj, create, extracted, **kwargs):
    """Rows made here bypass the review services, so keep the standing as they would. A
    test that changes a review's rows afterwards calls `refresh_standing` itself."""
    if create:
        refresh_standing(apprenticeship_ids=[obj.apprenticeship_id])


class ReviewFactory(factory.django.DjangoModelFactory):
    """A planned review."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    status = Review.Status.SCHEDULED
    scheduled_for = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    created_by = factory.SubFactory(UserFactory)
    standing = factory.PostGeneration(_review_standing)


class ReviewVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewVersion

    review = factory.SubFactory(ReviewFactory)
    number = 1
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    employer_signatory = factory.SubFactory(UserFactory)
    progress = factory.LazyFunction(lambda: {"as_of": timezone.localdate().isoformat()})
    discussion = "How the first months went, and the peer group the apprentice now co-runs."
    employer_view = "Settling in well; confident with the weekly group."
    created_by = factory.SubFactory(UserFactory)


class ReviewTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewTarget

    version = factory.SubFactory(ReviewVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Write a reflective account of a supervision session."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class ReviewSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewSignature

    version = factory.SubFactory(ReviewVersionFactory)
    party = "apprentice"
    signer = factory.SubFactory(UserFactory)
    signer_name = factory.LazyAttribute(lambda o: o.signer.full_name)
    digest = "0" * 64


class ReviewSigningLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewSigningLink

    version = factory.SubFactory(ReviewVersionFactory)
    purpose = ReviewSigningLink.Purpose.EMPLOYER_SIGNATURE
    signer = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class AgreedReviewIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreedReviewInterval
        skip_postgeneration_save = True

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    every = 4
    unit = AgreedReviewInterval.Unit.WEEKS
    reason = "Monthly reviews while the apprentice settles into a new team."
    agreed_by = factory.SubFactory(UserFactory)
    standing = factory.PostGeneration(_review_standing)


class ReviewReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewReminder

    kind = ReviewReminder.Kind.DUE_SOON
    key = factory.Sequence(lambda n: f"due:2026-01-{n % 28 + 1:02d}")
    recipient = factory.SubFactory(UserFactory)
    apprenticeship = factory.SubFactory(ApprenticeshipFactory)


# -- off-the-job training --------------------------------------------------------------


class BreakInLearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakInLearning

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    start_date = factory.LazyAttribute(lambda o: o.apprenticeship.start_date + dt.timedelta(30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=13))
    created_by = factory.SubFactory(UserFactory)


class OtjEntryFactory(factory.django.DjangoModelFactory):
    """An entry waiting for verification, against the standard's first duty."""

    class Meta:
        model = OtjEntry
        skip_postgeneration_save = True

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    minutes = 90
    activity_type = ActivityType.TEACHING
    duty = factory.LazyAttribute(
        lambda o: (
            Duty.objects.filter(standard_version=o.apprenticeship.standard_version)
            .order_by("number")
            .first()
            or DutyFactory(standard_version=o.apprenticeship.standard_version)
        )
    )
    description = "Workshop on trauma-informed peer support, with role play."
    created_by = factory.LazyAttribute(lambda o: o.apprenticeship.apprentice)

    @factory.post_generation
    def standing(obj, create, extracted, **kwargs):
        """Rows made here bypass the log services, so keep the standing as they would. A
        test that changes an entry's row afterwards calls `refresh_otj_standing` itself."""
        if create:
            refresh_otj_standing(apprenticeship_ids=[obj.apprenticeship_id])


class SupervisionRecordFactory(factory.django.DjangoModelFactory):
    """Peer supervision with an outside supervisor, shared with the tutor only."""

    class Meta:
        model = SupervisionRecord

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    kind = SupervisionRecord.Kind.PEER
    format = SupervisionRecord.Format.INDIVIDUAL
    supervisor_name = "Sam Okafor, senior peer worker"
    minutes = 60
    agreed = "Try the grounding exercise before hard conversations."
    reflection = "I noticed I rush when someone is upset."
    shared_with_tutor = True
    shared_with_employer = False


class OtjPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtjPlan

    apprenticeship = factory.SubFactory(ApprenticeshipFactory)


class OtjAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtjAllocation

    plan = factory.SubFactory(OtjPlanFactory)
    duty = factory.SubFactory(DutyFactory)
    minutes = 600


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
