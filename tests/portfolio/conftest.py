import pytest

from portfolio.evidence.models import Evidence
from tests.helpers.evidence import make_evidence


@pytest.fixture
def draft(apprenticeship):
    return make_evidence(apprenticeship)


@pytest.fixture
def submitted(apprenticeship):
    return make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)


@pytest.fixture
def accepted(apprenticeship, personas):
    return make_evidence(apprenticeship, status=Evidence.Status.ACCEPTED, tutor=personas["tutor"])


@pytest.fixture
def duty(apprenticeship):
    return apprenticeship.standard_version.duties.order_by("number").first()
