"""The database keeps the assessment's rules even when the services are bypassed."""

import pytest
from django.db import IntegrityError, transaction

from epa.models import AssessmentRound
from tests import factories


@pytest.mark.django_db
def test_every_factory_makes_a_valid_row():
    for make in (
        factories.ConflictDeclarationFactory,
        factories.AssessmentQuestionFactory,
        factories.KsbNoteFactory,
        factories.AppealFactory,
    ):
        row = make()
        row.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "kwargs"),
    [
        # The first round is number 1 and only number 1 is a first attempt.
        (factories.AssessmentRoundFactory, {"number": 2, "kind": "first"}),
        (factories.AssessmentRoundFactory, {"number": 1, "kind": "resit"}),
        # A confirmed round has its grade.
        (factories.AssessmentRoundFactory, {"confirmed_at": "2026-01-01T10:00Z"}),
        # A graded method has the time it was graded.
        (factories.MethodAssessmentFactory, {"grade": "pass"}),
        # A session lasts some time.
        (factories.AssessmentSessionFactory, {"duration_minutes": 0}),
        # A decided appeal has its outcome grade.
        (factories.AppealFactory, {"outcome": "upheld"}),
    ],
)
def test_constraints_refuse_impossible_rows(make, kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        make(**kwargs)


@pytest.mark.django_db
def test_duplicates_are_refused():
    session = factories.AssessmentSessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssessmentSessionFactory(
            method_assessment=session.method_assessment, number=session.number
        )
    question = factories.AssessmentQuestionFactory(session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssessmentQuestionFactory(session=session, number=question.number)
    round_ = factories.AssessmentRoundFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssessmentRoundFactory(apprenticeship=round_.apprenticeship, number=1)
    factories.AppealFactory(round=round_)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AppealFactory(round=round_)
    assert AssessmentRound.objects.filter(apprenticeship=round_.apprenticeship).count() == 1
