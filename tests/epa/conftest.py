"""End-point assessment fixtures: the real ST0896 plan data on the personas'
apprenticeship, its assessor, an apprenticeship at EPA and one ready for gateway. The
helpers they use are in tests/helpers/epa.py."""

import pytest

from apprenticeship.models import Apprenticeship
from epa.services import assessment as services
from standards.models import AssessmentMethod, AssessmentPlan
from tests import factories
from tests.helpers.epa import add_plan, make_ready, pass_gateway, st0896_plan_data


@pytest.fixture
def plan(standard_version) -> AssessmentPlan:
    """The ST0896 plan data on the personas' standard."""
    return add_plan(standard_version, st0896_plan_data())


@pytest.fixture
def methods(plan) -> dict[str, AssessmentMethod]:
    return {m.code: m for m in plan.methods.all()}


@pytest.fixture
def assessor(personas):
    return personas["assessor"]


@pytest.fixture
def at_epa(personas, plan, assessor) -> Apprenticeship:
    """The personas' apprenticeship past gateway, its assessor declared independent."""
    apprenticeship = pass_gateway(personas["apprenticeship"])
    services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    return apprenticeship


@pytest.fixture
def ready(personas):
    return make_ready(personas["apprenticeship"], personas["tutor"])


@pytest.fixture
def epao_admin(personas):
    user = factories.UserFactory(email="epao.admin@example.org", full_name="Epao Admin")
    factories.OrganisationMembershipFactory(
        user=user, organisation=personas["apprenticeship"].epao, is_admin=True
    )
    return user
